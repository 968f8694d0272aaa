// DBOS110: an entry point that launches DBOS with schedules and then returns, so the process exits.
import type { Node } from 'web-tree-sitter';
import type { Rule } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { addImportEdit } from '../fixes/common';
import { isTestLike, lifecycleFacts } from '../model/lifecycle';
import { callsWithin } from '../model/workflow-starts';
import { parentOf } from '../syntax/enclosing';
import { callersOf } from '../model/callers';

const SCHEDULE_CALLS = /^dbos\.DBOS\.(apply_schedules|create_schedule)(_async)?$/;
/** DBOS calls that return at once (they do not keep the process alive). */
const QUICK_DBOS = /^dbos\.DBOS\.(apply_schedules|create_schedule|register_queue|set_event|logger\.\w+|listen_queues)(_async)?$/;
const QUICK_OTHER = /^(builtins\.print|logging\.\w+|.*\.logger\.\w+)$/;
const WEB_APP = /(^|\.)(FastAPI|Flask|Starlette|Quart|Sanic|Litestar|Django\w*)$/;

/** Statements that run after `node` in its function (or module) body, innermost block first. */
function followingStatements(node: Node): { stmts: Node[]; topBody: Node | null } {
  const stmts: Node[] = [];
  let n: Node = node;
  let topBody: Node | null = null;
  for (let p = parentOf(node); p; n = p, p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') break;
    if (p.type === 'block' || p.type === 'module') {
      let after = false;
      for (const c of p.namedChildren) {
        if (!c) continue;
        if (c.id === n.id) after = true;
        else if (after && c.type !== 'comment') stmts.push(c);
      }
      topBody = p;
      if (p.parent?.type === 'function_definition') break;
      if (p.parent?.type === 'if_statement' && p.parent.parent?.type === 'module') break; // the main guard
    }
  }
  return { stmts, topBody };
}

/** Every statement only makes quick calls: logging, printing, DBOS registrations. */
function quick(ctx: Parameters<Rule['check']>[0], stmts: Node[]): boolean {
  const { model } = ctx;
  for (const s of stmts) {
    if (s.type === 'pass_statement' || s.type === 'return_statement' && s.namedChildren.length === 0) continue;
    if (s.type !== 'expression_statement') return false;
    const calls: CallInfo[] = callsWithin(model, s);
    if (calls.length === 0) continue;
    for (const c of calls) {
      const fqn = model.calleeFqn(c);
      if (!fqn || !(QUICK_DBOS.test(fqn) || QUICK_OTHER.test(fqn))) return false;
    }
    if (s.descendantsOfType('await').length > 0 && calls.length === 0) return false;
  }
  return true;
}

export const rule: Rule = {
  code: 'DBOS110',
  requires: ['scheduled', 'apply_schedules', 'create_schedule'],
  check(ctx) {
    const { model } = ctx;
    if (isTestLike(model)) return;
    const hasSchedules = model.functions.some((f) => f.kinds.has('scheduled')) || model.calls.some((c) => SCHEDULE_CALLS.test(model.calleeFqn(c) ?? ''));
    if (!hasSchedules) return;
    // a web app (or an external runner) keeps the process alive
    if (model.calls.some((c) => WEB_APP.test(model.calleeFqn(c) ?? ''))) return;
    for (const launch of lifecycleFacts(model).launches) {
      const fn: FunctionInfo | null = launch.scope.fn;
      if (launch.scope.cls) continue;
      if (!fn && !launch.scope.mainGuard) continue; // module level: DBOS101's business
      const own = followingStatements(launch.node);
      if (!quick(ctx, own.stmts)) continue;
      if (fn) {
        // a function called from the main guard: what follows the call there counts too
        if (!fn.kinds.has('entry') || fn.isLambda) continue;
        const callers = callersOf(model, fn).filter((c) => !c.scope.fn && c.scope.mainGuard);
        if (callers.length !== 1) continue;
        const caller = callers[0];
        // `asyncio.run(main())` and friends: the call must be a statement of its own
        if (caller.node.parent?.type !== 'expression_statement') continue;
        if (!quick(ctx, followingStatements(caller.node).stmts)) continue;
      }
      const fixes: Fix[] = [];
      const body = own.topBody;
      if (body && body.type === 'block') {
        const stmts = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        const last = stmts[stmts.length - 1];
        if (last && !fn?.isAsync) {
          const l = model.lines;
          const indent = l.indentOf(l.positionAt(last.startIndex).line);
          const local = model.localNameFor('threading');
          const edits = [l.edit(last.endIndex, last.endIndex, `${l.eol}${indent}${local ?? 'threading'}.Event().wait()`)];
          if (!local) edits.unshift(addImportEdit(model, 'import threading'));
          fixes.push({ title: 'Block the main thread: append `threading.Event().wait()`', safe: false, edits });
        }
      }
      ctx.report({
        node: launch.callee,
        message:
          'This program launches DBOS with scheduled workflows, then exits before any schedule fires\n' +
          'DBOS runs schedules on daemon threads, so the process exits and ' +
          'the schedules never fire (nothing is logged). Block the main thread after `DBOS.launch()`, for example with `threading.Event().wait()`.',
        fixes,
      });
    }
  },
};
