// DBOS101: DBOS.launch() executed when the module is imported.
import type { Rule } from './rule';
import type { Fix } from '../types';
import { importsDbos, fastapiAppAssignment, lifecycleFacts, isTestLike, ownStatement, lineSpan, runsAtImport, startupStatements } from '../model/lifecycle';
import { moveToMainGuardEdits, addLifespanEdits } from '../fixes/startup';
import { importTimeChains } from './call-chains';
import { parentOf } from '../syntax/enclosing';

export const rule: Rule = {
  code: 'DBOS101',
  // `dbos`: a module-level call of a project function that launches DBOS (`start_dbos()`)
  requires: ['launch', 'dbos'],
  check(ctx) {
    const { model } = ctx;
    if (isTestLike(model) || model.isMainModule) return;
    // a project function that launches DBOS, of this module or another, called at import
    for (const r of importTimeChains(ctx, 'launch')) {
      const callee = model.textOf(r.call.callee);
      ctx.report({
        node: r.call.node,
        message:
          `\`${callee}()\` launches DBOS when this module is imported\n` +
          `${r.text}: every import of this module (uvicorn workers, \`--reload\`, pytest collection, another module importing a workflow) launches DBOS: ` +
          `it migrates the system database, recovers pending workflows and starts background threads, and DBOS does not warn. ` +
          `Call \`${callee}()\` from \`if __name__ == "__main__":\` or a FastAPI lifespan.`,
        related: r.related,
      });
    }
    if (!importsDbos(model)) return;
    const facts = lifecycleFacts(model);
    for (const launch of facts.launches) {
      if (!runsAtImport(model, launch)) continue;
      const where = launch.scope.cls ? 'in a class body' : 'at module level';
      // the construction at import goes with it (DBOS102 reports it too; the move fix takes both lines)
      const cons = facts.constructions.find((c) => runsAtImport(model, c));
      ctx.report({
        node: launch.node,
        message:
          `\`${model.textOf(launch.callee)}()\` runs when this module is imported (${where})\n` +
          `Every import of this module (uvicorn workers, \`--reload\`, pytest collection, another module importing a workflow) launches DBOS: ` +
          `it migrates the system database, recovers pending workflows and starts background threads, and DBOS does not warn. ` +
          (cons ? `The \`${model.textOf(cons.callee)}(...)\` on line ${model.lines.positionAt(cons.start).line + 1} also runs at import and configures DBOS for every importer. ` : '') +
          `Launch DBOS from \`if __name__ == "__main__":\` or a FastAPI lifespan.`,
        related: cons ? [{ message: 'DBOS is constructed at import here', range: model.lines.range(cons.start, cons.end) }] : [],
        fixes: fixes(ctx.model, launch),
      });
    }
  },
};

function fixes(model: import('../model/module').ModuleModel, launch: import('../model/types').CallInfo): Fix[] {
  const out: Fix[] = [];
  const stmts = startupStatements(model);
  const move = stmts ? moveToMainGuardEdits(model, stmts) : null;
  if (move) out.push({ title: 'Move DBOS(...) and DBOS.launch() into `if __name__ == "__main__":`', safe: false, edits: move });
  // FastAPI app: launch in a lifespan instead (construction may stay at module level)
  const app = fastapiAppAssignment(model);
  const stmt = ownStatement(launch);
  const facts = lifecycleFacts(model);
  if (app && stmt && stmt.parent?.type === 'module' && facts.launches.length === 1 && !facts.constructions.some((c) => c.args && /\bfastapi\s*=/.test(model.textOf(c.args)))) {
    const later = model.moduleCalls.some((c) => runsAtImport(model, c) && c.start > launch.end && /^dbos\.DBOS\.\w/.test(model.calleeFqn(c) ?? '') && !inDecorator(c.node));
    const span = lineSpan(model, stmt);
    const edits = !later && span ? addLifespanEdits(model) : null;
    if (edits && span) {
      out.push({ title: 'Launch DBOS in a FastAPI lifespan', safe: false, preferred: true, edits: [model.lines.edit(span.start, span.end, ''), ...edits] });
    }
  }
  return out;
}

function inDecorator(node: import('web-tree-sitter').Node): boolean {
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (p.type === 'decorator') return true;
    if (p.type.endsWith('statement') || p.type === 'module') return false;
  }
  return false;
}
