// DBOS103: a second DBOS(...) on the same path without DBOS.destroy() in between is silently ignored.
import type { Rule } from './rule';
import type { CallInfo } from '../model/types';
import { between, lifecycleFacts, ownStatement, runsAtImport, runsBefore, sameScope } from '../model/lifecycle';
import { dbosName } from '../fixes/common';
import type { Node } from 'web-tree-sitter';
import { exclusiveBranches } from '../syntax/branches';
import { parentOf } from '../syntax/enclosing';

export const rule: Rule = {
  code: 'DBOS103',
  requires: ['config'],
  check(ctx) {
    const { model } = ctx;
    const facts = lifecycleFacts(model);
    const cons = facts.constructions;
    const reported = new Set<CallInfo>();
    for (let j = 0; j < cons.length; j++) {
      const second = cons[j];
      for (let i = 0; i < j; i++) {
        const first = cons[i];
        let previous: CallInfo | null = null;
        if (sameScope(first, second)) {
          if (first.scope.mainGuard !== second.scope.mainGuard && second.scope.fn === null) {
            // module level then main guard: the main guard runs after everything at module level
            if (!(runsAtImport(model, first) && second.scope.mainGuard)) continue;
          } else if (!runsBefore(first.node, second.node)) continue;
          if (exclusiveBranches(first.node, second.node) || leavesBefore(first.node, second.node) || between(facts.destroys, first, second)) continue;
          previous = first;
        } else if (runsAtImport(model, first) && second.scope.fn?.kinds.has('entry') && !second.scope.fn.kinds.has('lifespan')) {
          // constructed at import, then again in the program's entry point
          if (facts.destroys.some((d) => (d.scope.fn === second.scope.fn && d.end < second.start) || d.scope.fn === null)) continue;
          if (!model.mainGuards.length && !model.isMainModule) continue;
          previous = first;
        }
        if (!previous || reported.has(second)) continue;
        reported.add(second);
        const line = model.lines.positionAt(previous.start).line + 1;
        const stmt = ownStatement(second);
        const fixes = [];
        if (stmt) {
          const D = dbosName(model);
          const at = model.lines.starts[model.lines.positionAt(stmt.startIndex).line];
          const indent = model.lines.indentOf(model.lines.positionAt(stmt.startIndex).line);
          fixes.push({
            title: 'Insert `DBOS.destroy()` before this construction',
            safe: false,
            edits: [...D.edits, model.lines.edit(at, at, `${indent}${D.text}.destroy()${model.lines.eol}`)],
          });
        }
        ctx.report({
          node: second.node,
          message:
            `This \`${model.textOf(second.callee)}(...)\` is ignored: DBOS was constructed on line ${line} and not destroyed since\n` +
            `DBOS keeps its first instance and its configuration (name, database URLs, version). Call \`DBOS.destroy()\` before constructing DBOS again, or remove this construction.`,
          related: [{ message: 'First construction', range: model.lines.range(previous.start, previous.end) }],
          fixes,
        });
      }
    }
  },
};

/**
 * After `a`, the block holding it (and not `b`) always returns or raises before `b` can run:
 * `if serve: DBOS(...); ...; return` followed by another `DBOS(...)` for the other mode.
 */
function leavesBefore(a: Node, b: Node): boolean {
  for (let blk = parentOf(a); blk && blk.type !== 'function_definition' && blk.type !== 'module'; blk = parentOf(blk)) {
    if (blk.type !== 'block') continue;
    if (blk.startIndex <= b.startIndex && b.endIndex <= blk.endIndex) return false;
    for (const st of blk.namedChildren) {
      if (st && st.startIndex >= a.endIndex && (st.type === 'return_statement' || st.type === 'raise_statement')) return true;
    }
  }
  return false;
}
