// DBOS104: (a) DBOS.launch() in a program that never constructs DBOS (a silent no-op);
// (b) a program entry point that constructs DBOS but never launches it.
import type { Rule } from '../rule';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import { importsDbos, isTestLike, keywordArg, lifecycleFacts, lifespanLaunches, ownStatement } from '../analysis/lifecycle';
import { addImportEdit, appNameFor, dbosName } from '../fixes/common';

// Modules that cannot construct DBOS for this program: the standard library, DBOS itself and common
// third-party packages. A file importing anything else may get its DBOS instance from that import.
const KNOWN_MODULES = new Set(
  (
    'abc argparse array ast asyncio atexit base64 bisect builtins calendar collections concurrent contextlib contextvars copy csv ' +
    'dataclasses datetime decimal difflib enum errno fnmatch fractions functools gc getpass glob gzip hashlib heapq hmac html http ' +
    'importlib inspect io ipaddress itertools json logging math mimetypes multiprocessing numbers operator os pathlib pickle platform ' +
    'pprint queue random re secrets select shlex shutil signal socket sqlite3 ssl statistics string struct subprocess sys tempfile ' +
    'textwrap threading time timeit traceback types typing typing_extensions unittest urllib uuid warnings weakref zipfile zoneinfo ' +
    'dbos fastapi uvicorn starlette flask pydantic requests httpx aiohttp sqlalchemy psycopg psycopg2 asyncpg dotenv openai anthropic ' +
    'boto3 redis numpy pandas click typer rich structlog tenacity yaml jinja2 streamlit gradio'
  ).split(' '),
);

function importsOnlyKnownModules(model: ModuleModel): boolean {
  if (model.starImports.some((m) => !KNOWN_MODULES.has(m.split('.')[0]))) return false;
  const scopes = [model.module, ...model.functions];
  for (const s of scopes) for (const fqn of s.imports.values()) if (!KNOWN_MODULES.has(fqn.split('.')[0])) return false;
  // relative imports resolve against the module name: catch `from . import x` that maps to a known name
  return !/^\s*from\s+\./m.test(model.text);
}

/** The launch runs as part of the program: main guard, `__main__.py`, an entry function, a lifespan, or module level. */
function programLevel(call: CallInfo): boolean {
  const fn = call.scope.fn;
  // module-level launches are DBOS101's; here only the program's entry points
  if (!fn) return call.scope.mainGuard;
  return fn.kinds.has('entry');
}

export const rule: Rule = {
  code: 'DBOS104',
  requires: ['launch', 'config'],
  check(ctx) {
    const { model } = ctx;
    if (isTestLike(model) || !importsDbos(model)) return;
    const facts = lifecycleFacts(model);
    if (facts.constructions.length === 0) {
      if (!importsOnlyKnownModules(model) || model.calls.some((c) => model.calleeFqn(c) === 'dbos.DBOS')) return;
      for (const launch of facts.launches) {
        if (!programLevel(launch) && !(model.isMainModule && !launch.scope.fn)) continue;
        ctx.report({
          node: launch.node,
          message:
            `\`${model.textOf(launch.callee)}()\` is called but DBOS is never constructed, so the launch silently does nothing and the first workflow call ` +
            `fails with "System database accessed before DBOS was launched". Construct DBOS with \`DBOS(config=...)\` before launching it.`,
          fixes: constructFix(model, launch),
        });
      }
      return;
    }
    // (b) never launched: only for the program's own entry point, where nothing else can launch it
    if (facts.launches.length > 0 || lifespanLaunches(model) || !importsOnlyKnownModules(model)) return;
    for (const c of facts.constructions) {
      if (keywordArg(c, 'fastapi', model) || keywordArg(c, 'flask', model)) continue;
      const atEntry = c.scope.mainGuard || (model.isMainModule && c.scope.fn === null) || (!!c.scope.fn && c.scope.fn.kinds.has('entry') && !c.scope.fn.kinds.has('lifespan'));
      if (!atEntry) continue;
      ctx.report({
        node: c.node,
        severity: 'information',
        message:
          `DBOS is constructed in this entry point but \`DBOS.launch()\` is never called in this file, so the first workflow or queue call fails with ` +
          `"System database accessed before DBOS was launched" and nothing is recovered. Call \`DBOS.launch()\` after constructing DBOS.`,
        fixes: launchFix(model, c),
      });
    }
  },
};

function constructFix(model: ModuleModel, launch: CallInfo) {
  const stmt = ownStatement(launch);
  if (!stmt) return [];
  const D = dbosName(model);
  const edits = [...D.edits];
  if (!model.localNameFor('os') && !model.module.bindings.has('os')) edits.push(addImportEdit(model, 'import os'));
  const os = model.localNameFor('os') ?? 'os';
  const indent = model.lines.indentOf(model.lines.positionAt(stmt.startIndex).line);
  const eol = model.lines.eol;
  const at = model.lines.starts[model.lines.positionAt(stmt.startIndex).line];
  const text =
    `${indent}${D.text}(${eol}${indent}    config={${eol}` +
    `${indent}        "name": "${appNameFor(model)}",${eol}` +
    `${indent}        "system_database_url": ${os}.environ.get("DBOS_SYSTEM_DATABASE_URL"),${eol}` +
    `${indent}        "application_version": "0.1.0",${eol}` +
    `${indent}    }${eol}${indent})${eol}`;
  edits.push(model.lines.edit(at, at, text));
  return [{ title: 'Insert `DBOS(config=...)` before launch', safe: false, edits }];
}

function launchFix(model: ModuleModel, c: CallInfo) {
  const stmt = ownStatement(c);
  if (!stmt) return [];
  const D = dbosName(model);
  const indent = model.lines.indentOf(model.lines.positionAt(stmt.startIndex).line);
  const end = model.lines.lineEnd(model.lines.positionAt(stmt.endIndex).line);
  return [{ title: 'Add `DBOS.launch()` after the construction', safe: false, edits: [...D.edits, model.lines.edit(end, end, `${model.lines.eol}${indent}${D.text}.launch()`)] }];
}
