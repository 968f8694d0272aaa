// DBOS104: (a) DBOS.launch() in a program that never constructs DBOS (a silent no-op);
// (b) a program entry point that constructs DBOS but never launches it.
import type { Rule, RuleContext } from './rule';
import type { ModuleSummary } from '../project/index';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import { importsDbos, isTestLike, lifecycleFacts, lifespanLaunches, ownStatement, runsAtImport } from '../model/lifecycle';
import { addImportEdit, appNameFor, dbosName } from '../fixes/common';
import { keywordArgument } from '../syntax/arguments';

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

/** The file is run as a program (a main guard, or `__main__.py`): what constructs DBOS for it must be among its imports. */
function isScript(model: ModuleModel): boolean {
  return model.isMainModule || /^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m.test(model.text);
}

/** Dotted module names of the file's own `import a.b.c` statements (the model keeps only `a`). */
function plainImports(model: ModuleModel): string[] {
  const out: string[] = [];
  for (const m of model.text.matchAll(/^[ \t]*import[ \t]+([^#\n]+)/gm)) {
    for (const part of m[1].replace(/[()\\]/g, ' ').split(',')) {
      const name = part.trim().split(/\s+/)[0];
      if (name && /^[A-Za-z_][\w.]*$/.test(name)) out.push(name);
    }
  }
  return out;
}

/** The leading segments of a qualified name that can name modules (`pkg.Cls().m` -> `pkg.Cls`). */
function moduleSegments(fqn: string): string[] {
  const segs: string[] = [];
  for (const s of fqn.split('.')) {
    if (!/^[A-Za-z_]\w*$/.test(s)) break;
    segs.push(s);
  }
  return segs;
}

const MAX_MODULES = 300;

/**
 * With the workspace index: no workspace module the file imports, directly or through the modules
 * they import at their top level, calls `DBOS(...)`. Libraries (names with no module or package
 * nearby) do not construct DBOS for the program. Anything that cannot be followed (a relative import
 * the model could not place, an `import pkg.sub` inside another module, too many modules) counts as
 * a possible construction.
 */
function noConstructionImported(ctx: RuleContext): boolean {
  const { model, index, file } = ctx;
  if (!index || !file) return false;
  const work: { from: string; fqn: string; bare: boolean }[] = [];
  const scopes = [model.module, ...model.functions];
  for (const s of scopes) for (const [local, fqn] of s.imports) if (local !== fqn) work.push({ from: file, fqn, bare: false });
  for (const name of plainImports(model)) work.push({ from: file, fqn: name, bare: false });
  for (const star of model.starImports) work.push({ from: file, fqn: star, bare: false });
  const seen = new Set<string>([file]);
  while (work.length > 0) {
    const { from, fqn, bare } = work.shift()!;
    const segs = moduleSegments(fqn);
    if (segs.length === 0) return false;
    if (KNOWN_MODULES.has(segs[0])) continue;
    let found: ModuleSummary | null = null;
    let library = false;
    for (let i = segs.length; i >= 1; i--) {
      const r = index.moduleSummary(from, segs.slice(0, i).join('.'));
      if (r === undefined) {
        library = true;
        break;
      }
      if (r) {
        found = r;
        break;
      }
    }
    if (library) continue;
    if (!found) return false;
    // `import pkg.sub` in another module is kept as `pkg`: its submodule is not known
    if (bare && /(^|[\\/])__init__\.py$/.test(found.file)) return false;
    if (seen.has(found.file)) continue;
    seen.add(found.file);
    if (found.constructsDbos) return false;
    if (seen.size > MAX_MODULES) return false;
    const own = found.moduleName;
    for (const [local, target] of found.aliases) {
      // its own definitions (`graph = build_graph()`) are not imports
      if (target !== own && !target.startsWith(own + '.')) work.push({ from: found.file, fqn: target, bare: local === target });
    }
    for (const star of found.starImports) work.push({ from: found.file, fqn: star, bare: false });
  }
  return true;
}

/**
 * No file of the workspace constructs DBOS (the workspace registry: every non-test file under the
 * roots, a `DBOS(` written anywhere counting as a construction). Without the index, unknown: false.
 */
function constructedNowhere(ctx: RuleContext): boolean {
  const { index, file, model } = ctx;
  if (!index || !file) return false;
  return index.registrations('workflows', file, model).constructingFiles.length === 0;
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
      if (model.calls.some((c) => model.calleeFqn(c) === 'dbos.DBOS')) return;
      const imported = importsOnlyKnownModules(model) || (isScript(model) && noConstructionImported(ctx));
      let nowhere: boolean | undefined;
      for (const launch of facts.launches) {
        const entry = programLevel(launch) || (model.isMainModule && !launch.scope.fn);
        // a launch at import (DBOS101's error too) with no `DBOS(...)` in any file of the workspace
        if (!(entry && imported) && !(!entry && runsAtImport(model, launch) && (nowhere ??= constructedNowhere(ctx)))) continue;
        ctx.report({
          node: launch.node,
          message:
            `\`${model.textOf(launch.callee)}()\` does nothing here: DBOS is never constructed${entry ? '' : ' in this workspace'}\n` +
            `Without a \`DBOS(...)\` the launch silently returns, and the first workflow, step or transaction call fails with ` +
            `"Function <name> invoked before DBOS initialized" (other DBOS calls with "No DBOS was created yet"). ` +
            `Construct DBOS with \`DBOS(config=...)\` before launching it.`,
          fixes: constructFix(model, launch),
        });
      }
      return;
    }
    // (b) never launched: only for the program's own entry point, where nothing else can launch it
    if (facts.launches.length > 0 || lifespanLaunches(model) || !importsOnlyKnownModules(model)) return;
    for (const c of facts.constructions) {
      if (keywordArgument(model, c, 'fastapi') || keywordArgument(model, c, 'flask')) continue;
      const atEntry = c.scope.mainGuard || (model.isMainModule && c.scope.fn === null) || (!!c.scope.fn && c.scope.fn.kinds.has('entry') && !c.scope.fn.kinds.has('lifespan'));
      if (!atEntry) continue;
      ctx.report({
        node: c.node,
        severity: 'information',
        message:
          `DBOS is constructed in this entry point but \`DBOS.launch()\` is never called in this file\n` +
          `The first workflow or queue call fails with "System database accessed before DBOS was launched", and nothing is recovered. ` +
          `Call \`DBOS.launch()\` after constructing DBOS.`,
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
