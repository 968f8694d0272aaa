// DBOS108: FastAPI/Flask integration: DBOS(fastapi=/flask=), a lifespan that never destroys DBOS,
// a FastAPI module that constructs DBOS but never launches it.
import type { Rule, RuleContext } from './rule';

import { indentUnitOf } from '../fixes/common';
import type { Fix, TextEdit } from '../types';
import { isV3 } from './rule';
import { fastapiAppAssignment, integrationLaunches, isTestLike, lifecycleFacts, lifespans, runsAtImport, withinFunction } from '../model/lifecycle';
import { addLifespanEdits } from '../fixes/startup';
import { keywordArgument } from '../syntax/arguments';

export const rule: Rule = {
  code: 'DBOS108',
  requires: ['fastapi', 'flask', 'FastAPI', 'Flask', 'lifespan'],
  check(ctx) {
    const { model } = ctx;
    const facts = lifecycleFacts(model);
    const v3 = isV3(ctx.version);
    // (a) fastapi= / flask= keyword
    for (const c of facts.constructions) {
      for (const kw of ['fastapi', 'flask']) {
        const arg = keywordArgument(model, c, kw);
        if (!arg) continue;
        ctx.report({
          node: arg,
          severity: v3 ? 'error' : 'information',
          tags: ['deprecated'],
          message: v3
            ? `\`DBOS(${kw}=...)\` was removed in DBOS 3.0, so this construction fails\n` +
              `Remove \`${kw}=\` and launch DBOS yourself` +
              `${kw === 'fastapi' ? ' in a FastAPI lifespan (`DBOS.launch()` before `yield`, `DBOS.destroy()` after it)' : ' before `app.run()`'}.`
            : `\`DBOS(${kw}=...)\` is the deprecated integration style, removed in DBOS 3.0\n` +
              `DBOS launches itself from the framework's startup hook. ` +
              `Prefer launching DBOS explicitly${kw === 'fastapi' ? ' in a FastAPI lifespan' : ' before `app.run()`'}.`,
          fixes: kw === 'fastapi' ? replaceWithLifespan(ctx, arg) : [],
        });
      }
    }
    // (b) lifespan launches DBOS but never destroys it
    for (const f of lifespans(model)) {
      if (!f.kinds.has('lifespan')) continue;
      const launch = facts.launches.find((l) => withinFunction(l.scope.fn, f));
      if (!launch) continue;
      if (facts.destroys.some((d) => withinFunction(d.scope.fn, f))) continue;
      ctx.report({
        node: launch.node,
        severity: 'information',
        message:
          `Lifespan \`${f.name}\` launches DBOS but never calls \`DBOS.destroy()\`\n` +
          `DBOS threads and connections are not shut down cleanly on reload or shutdown (DBOS does not warn). Call \`DBOS.destroy()\` in a \`finally:\` after \`yield\`.`,
        fixes: destroyFix(ctx, f),
      });
    }
    // (c) FastAPI module constructs DBOS at import but never launches it anywhere in the file
    // (a server or runtime the lifespan starts launches DBOS: llama-agents' `await workflow_server.start()`)
    if (!isTestLike(model) && facts.launches.length === 0 && !integrationLaunches(model) && facts.fastapiApps.some((a) => runsAtImport(model, a))) {
      for (const c of facts.constructions) {
        if (!runsAtImport(model, c) || keywordArgument(model, c, 'fastapi') || keywordArgument(model, c, 'flask')) continue;
        ctx.report({
          node: c.node,
          severity: 'information',
          message:
            `This FastAPI module constructs DBOS but never launches it\n` +
            `There is no \`DBOS.launch()\` in a lifespan or in \`if __name__ == "__main__":\`, so unless another module launches it, workflow calls fail with ` +
            `"System database accessed before DBOS was launched". Launch DBOS in a FastAPI lifespan.`,
        });
      }
    }
  },
};

function destroyFix(ctx: RuleContext, f: import('../model/types').FunctionInfo): Fix[] {
  const { model } = ctx;
  const body = f.body;
  if (!body) return [];
  const yields = body.namedChildren.filter((s) => s?.type === 'expression_statement' && s.namedChildren[0]?.type === 'yield' && model.textOf(s).trim() === 'yield');
  if (yields.length !== 1) return [];
  const y = yields[0]!;
  const indent = model.lines.indentOf(model.lines.positionAt(y.startIndex).line);
  const eol = model.lines.eol;
  const dbos = model.localNameFor('dbos.DBOS') ?? 'DBOS';
  const unit = /\t/.test(indent) ? '\t' : indentUnitOf(model);
  return [
    {
      title: 'Call `DBOS.destroy()` in a `finally:` after `yield`',
      safe: false,
      edits: [model.lines.edit(y.startIndex, y.endIndex, `try:${eol}${indent}${unit}yield${eol}${indent}finally:${eol}${indent}${unit}${dbos}.destroy()`)],
    },
  ];
}

function replaceWithLifespan(ctx: RuleContext, arg: import('web-tree-sitter').Node): Fix[] {
  const { model } = ctx;
  const facts = lifecycleFacts(model);
  if (facts.launches.length > 0) return [];
  const app = fastapiAppAssignment(model);
  const value = arg.childForFieldName('value');
  if (!app || !value || model.textOf(value) !== app.name) return [];
  const lifespan = addLifespanEdits(model);
  if (!lifespan) return [];
  const removal = removeArgEdit(ctx, arg);
  if (!removal) return [];
  return [{ title: 'Replace `fastapi=` integration with a FastAPI lifespan', safe: false, edits: [...lifespan, removal] }];
}

/** Removes one argument and its separating comma. */
function removeArgEdit(ctx: RuleContext, arg: import('web-tree-sitter').Node): TextEdit | null {
  const { model } = ctx;
  const next = arg.nextSibling;
  const prev = arg.previousSibling;
  if (next?.type === ',') {
    let end = next.endIndex;
    while (end < model.text.length && model.text[end] === ' ') end++;
    return model.lines.edit(arg.startIndex, end, '');
  }
  if (prev?.type === ',') {
    const start = prev.startIndex;
    return model.lines.edit(start, arg.endIndex, '');
  }
  return model.lines.edit(arg.startIndex, arg.endIndex, '');
}
