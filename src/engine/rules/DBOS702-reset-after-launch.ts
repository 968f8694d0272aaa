// DBOS702: DBOS.reset_system_database() after launch (assertion) or before DBOS(...) exists (no-op).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import type { Fix } from '../types';
import { callsTo, dominates, isDbosConstructor, statementIn } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument } from '../syntax/arguments';


function sameScope(a: CallInfo, b: CallInfo): boolean {
  return a.scope.fn === b.scope.fn;
}

/** Moves the reset statement to just before `before` (a statement of the same block). */
function moveFix(ctx: RuleContext, reset: Node, before: Node): Fix | null {
  const { model } = ctx;
  const stmt = statementIn(reset);
  if (stmt.type !== 'expression_statement' || stmt.parent?.id !== before.parent?.id) return null;
  const l = model.lines;
  const line = l.positionAt(stmt.startIndex).line;
  const endLine = l.positionAt(stmt.endIndex).line;
  // the statement must own its lines
  if (model.text.slice(l.starts[line], stmt.startIndex).trim() !== '' || model.text.slice(stmt.endIndex, l.lineEnd(endLine)).trim() !== '') return null;
  const delStart = l.starts[line];
  const delEnd = endLine + 1 < l.starts.length ? l.starts[endLine + 1] : l.lineEnd(endLine);
  const text = model.text.slice(delStart, delEnd);
  const beforeLine = l.positionAt(before.startIndex).line;
  const at = l.starts[beforeLine];
  const moved = text.endsWith('\n') ? text : text + l.eol;
  return {
    title: 'Move `reset_system_database()` between `DBOS(...)` and `DBOS.launch()`',
    safe: false,
    edits: [l.edit(delStart, delEnd, ''), l.edit(at, at, moved)],
  };
}

export const rule: Rule = {
  code: 'DBOS702',
  requires: ['reset_system_database'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const resets = callsTo(model, ['dbos.DBOS.reset_system_database']);
    if (resets.length === 0) return;
    const launches = callsTo(model, ['dbos.DBOS.launch']).map((x) => x.call);
    const destroys = callsTo(model, ['dbos.DBOS.destroy']).map((x) => x.call);
    const ctors = model.calls.filter((c) => isDbosConstructor(model, c));
    const moduleCtor = ctors.some((c) => !c.scope.fn);
    for (const { call } of resets) {
      const launch = launches.find(
        (l) => sameScope(l, call) && dominates(statementIn(l.node), call.node) && !destroys.some((d) => sameScope(d, call) && d.start > l.end && d.start < call.start),
      );
      if (launch) {
        const ctorBefore = ctors.filter((c) => sameScope(c, call) && c.end <= launch.start).pop();
        const launchStmt = statementIn(launch.node);
        const fix = ctorBefore && statementIn(ctorBefore.node).parent?.id === launchStmt.parent?.id ? moveFix(ctx, call.node, launchStmt) : null;
        ctx.report({
          node: call.node,
          message:
            '`DBOS.reset_system_database()` is called after `DBOS.launch()`\nDBOS raises `AssertionError: The system database cannot be reset after DBOS is launched. ' +
            'Resetting the system database is a destructive operation that should only be used in a test environment.` ' +
            'Reset between `DBOS(config=...)` and `DBOS.launch()` (`truncate=True` is faster).',
          fixes: fix ? [fix] : [],
        });
        continue;
      }
      // before construction: a no-op unless a system database URL is given
      if (keywordArgument(model, call, 'system_database_url')) continue;
      const ctorAfter = ctors.find((c) => sameScope(c, call) && dominates(statementIn(call.node), c.node));
      const ctorEarlier = ctors.some((c) => sameScope(c, call) && c.end <= call.start);
      if (!ctorAfter || ctorEarlier) continue;
      const destroyedBefore = destroys.some((d) => sameScope(d, call) && d.end <= call.start);
      if (!destroyedBefore && moduleCtor) continue;
      const ctorStmt = statementIn(ctorAfter.node);
      const launchAfter = launches.find((l) => sameScope(l, call) && l.start > ctorAfter.end && statementIn(l.node).parent?.id === ctorStmt.parent?.id);
      let fix: Fix | null = null;
      if (launchAfter) fix = moveFix(ctx, call.node, statementIn(launchAfter.node));
      ctx.report({
        node: call.node,
        severity: 'warning',
        message:
          '`DBOS.reset_system_database()` does nothing here: DBOS is not constructed yet\n' +
          'It is called before `DBOS(...)` and without `system_database_url=`: it does nothing ' +
          '(DBOS only logs "reset_system_database has no effect because global DBOS object does not exist"), so the tests share old state. ' +
          'Call it between `DBOS(config=...)` and `DBOS.launch()`.',
        fixes: fix ? [fix] : [],
      });
    }
  },
};
