// DBOS107: start-up calls in the wrong order relative to DBOS(...) and DBOS.launch() on one straight path.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import type { Fix, Severity } from '../types';
import { atLeast } from './rule';
import { isWorkflow } from '../model/kinds';
import { expectsFailure, assignedName, between, lifecycleFacts, lineSpan, runsBefore, sameScope } from '../model/lifecycle';
import { statementIn } from '../model/dbos-calls';
import { parentOf } from '../syntax/enclosing';

/** Need a launched DBOS (they read the system database). */
const NEEDS_LAUNCH = new Set([
  'register_queue', 'register_queue_async', 'apply_schedules', 'apply_schedules_async', 'create_schedule', 'create_schedule_async',
  'start_workflow', 'start_workflow_async', 'enqueue_workflow', 'enqueue_workflow_async', 'enqueue_workflow_with_options',
  'enqueue_workflow_with_options_async', 'list_workflows', 'list_workflows_async', 'list_queued_workflows', 'list_queued_workflows_async',
  'list_workflow_steps', 'list_workflow_steps_async', 'retrieve_workflow', 'retrieve_workflow_async', 'retrieve_queue', 'retrieve_queue_async',
  'delete_queue', 'delete_queue_async', 'list_queues', 'list_queues_async', 'get_workflow_status', 'get_workflow_status_async',
  'cancel_workflow', 'cancel_workflow_async', 'resume_workflow', 'resume_workflow_async', 'fork_workflow', 'fork_workflow_async',
  'list_schedules', 'list_schedules_async',
]);
/** Must run before launch (`reset_system_database` after launch is DBOS702's). */
const BEFORE_LAUNCH = new Set(['listen_queues']);
/** Need a constructed DBOS. */
const NEEDS_INSTANCE = new Set(['listen_queues', 'register_queue', 'register_queue_async']);
const DATASOURCE = new Set(['dbos.SQLAlchemyDatasource.create', 'dbos.AsyncSQLAlchemyDatasource.create']);

export const rule: Rule = {
  code: 'DBOS107',
  requires: ['launch', 'config'],
  check(ctx) {
    const { model } = ctx;
    const facts = lifecycleFacts(model);
    if (facts.launches.length === 0 && facts.constructions.length === 0) return;
    const listens: CallInfo[] = [];
    for (const call of model.calls) {
      if (call.scope.cls) continue;
      const fqn = model.calleeFqn(call);
      const method = fqn?.startsWith('dbos.DBOS.') ? fqn.slice('dbos.DBOS.'.length) : null;
      // only start-up calls and workflow calls are ordered: skip the rest before the costly checks
      const relevant = method
        ? NEEDS_LAUNCH.has(method) || NEEDS_INSTANCE.has(method) || BEFORE_LAUNCH.has(method)
        : (fqn !== null && DATASOURCE.has(fqn)) || isWorkflow(model.targetFunction(call));
      if (!relevant || expectsFailure(model, call.node)) continue;
      const lastLaunchBefore = latest(facts.launches, call, (l) => runsBefore(l.node, call.node) && !between(facts.destroys, l, call));
      const nextLaunch = earliest(facts.launches, call, (l) => runsBefore(call.node, l.node) && !between(facts.destroys, call, l));
      const launchedBefore = facts.launches.some((l) => sameScope(l, call) && l.end <= call.start);
      const consBefore = facts.constructions.some((c) => sameScope(c, call) && c.end <= call.start);
      const nextCons = earliest(facts.constructions, call, (c) => runsBefore(call.node, c.node) && !between(facts.destroys, call, c));
      if (method === 'listen_queues') {
        const prev = listens.find((p) => sameScope(p, call) && runsBefore(p.node, call.node) && !between(facts.destroys, p, call));
        if (prev) {
          report(ctx, call, `\`DBOS.listen_queues\` is called a second time\nDBOS raises "listen_queues called more than once". Pass every queue name in one call.`);
          listens.push(call);
          continue;
        }
        listens.push(call);
      }
      // (c) before construction
      if (method && NEEDS_INSTANCE.has(method) && nextCons && !consBefore) {
        report(ctx, call, `\`DBOS.${method}\` runs before \`DBOS(...)\` is constructed on line ${lineOf(ctx, nextCons)}\nDBOS raises "No DBOS was created yet". Call it after the construction${BEFORE_LAUNCH.has(method) ? ' and before `DBOS.launch()`' : ' and after `DBOS.launch()`'}.`, method && !BEFORE_LAUNCH.has(method) ? moveAfter(ctx, call, nextLaunch) : null);
        continue;
      }
      // (a) before launch
      const wf = !method ? model.targetFunction(call) : undefined;
      if (((method && NEEDS_LAUNCH.has(method)) || (wf && isWorkflow(wf) && !call.node.parent?.type.includes('decorator'))) && nextLaunch && !launchedBefore) {
        if (method === 'register_queue' || method === 'register_queue_async') {
          if (!atLeast(ctx.version, 2, 20)) continue;
        }
        const what = method ? `\`DBOS.${method}\`` : `Workflow \`${wf!.name}\``;
        report(
          ctx,
          call,
          `${what} runs before \`DBOS.launch()\` (line ${lineOf(ctx, nextLaunch)})\nDBOS raises "System database accessed before DBOS was launched"` +
            `${!method && !consBefore ? ' (or "Function ... invoked before DBOS initialized")' : ''}. Call it after \`DBOS.launch()\`.`,
          moveAfter(ctx, call, nextLaunch),
        );
        continue;
      }
      // (b) after launch
      if (method && BEFORE_LAUNCH.has(method) && lastLaunchBefore) {
        const msg = `DBOS raises "listen_queues called after DBOS is launched"`;
        report(ctx, call, `\`DBOS.${method}\` runs after \`DBOS.launch()\` (line ${lineOf(ctx, lastLaunchBefore)})\n${msg}. Call it before \`DBOS.launch()\`.`, moveBefore(ctx, call, lastLaunchBefore));
        continue;
      }
      // (e) datasource created after launch
      if (fqn && DATASOURCE.has(fqn) && lastLaunchBefore) {
        const v31 = !!ctx.version && atLeast(ctx.version, 3, 1);
        report(
          ctx,
          call,
          `The datasource is created after \`DBOS.launch()\` (line ${lineOf(ctx, lastLaunchBefore)})\nDBOS does not know it when it recovers workflows at launch` +
            `${v31 ? '; DBOS 3.1+ raises a DBOSException' : ''}. Create datasources before \`DBOS.launch()\`.`,
          moveBefore(ctx, call, lastLaunchBefore),
          v31 ? 'error' : 'warning',
        );
      }
    }
    // (b) @DBOS.alert_handler defined after launch on the same path
    for (const fn of model.functions) {
      const d = fn.decorators.find((x) => x.fqn === 'dbos.DBOS.alert_handler');
      if (!d) continue;
      const l = facts.launches.find((x) => x.scope.fn === fn.parent && !x.scope.cls && runsBefore(x.node, fn.statement));
      if (!l) continue;
      ctx.report({
        node: d.node,
        message: `\`@DBOS.alert_handler\` is registered after \`DBOS.launch()\` (line ${lineOf(ctx, l)})\nDBOS raises "alert_handler must be defined before DBOS is launched". Define it before launching.`,
      });
    }
  },
};

function lineOf(ctx: RuleContext, c: CallInfo): number {
  return ctx.model.lines.positionAt(c.start).line + 1;
}

function latest(list: CallInfo[], call: CallInfo, ok: (c: CallInfo) => boolean): CallInfo | null {
  let best: CallInfo | null = null;
  for (const c of list) if (c !== call && sameScope(c, call) && ok(c) && (!best || c.start > best.start)) best = c;
  return best;
}

function earliest(list: CallInfo[], call: CallInfo, ok: (c: CallInfo) => boolean): CallInfo | null {
  let best: CallInfo | null = null;
  for (const c of list) if (c !== call && sameScope(c, call) && ok(c) && (!best || c.start < best.start)) best = c;
  return best;
}

function report(ctx: RuleContext, call: CallInfo, message: string, fix?: Fix | null, severity?: Severity): void {
  ctx.report({ node: call.node, message, fixes: fix ? [fix] : [], severity });
}

/** The statement of `call` when it is a direct sibling of `anchor`'s statement (same block). */
function siblingStatements(call: CallInfo, anchor: CallInfo): { s: Node; a: Node } | null {
  const s = statementIn(call.node);
  const a = statementIn(anchor.node);
  const sp = parentOf(s);
  const ap = parentOf(a);
  if (!sp || !ap || sp.id !== ap.id) return null;
  if (s.type !== 'expression_statement' || a.type !== 'expression_statement') return null;
  return { s, a };
}

function moveAfter(ctx: RuleContext, call: CallInfo, launch: CallInfo | null): Fix | null {
  if (!launch) return null;
  const m = ctx.model;
  const st = siblingStatements(call, launch);
  if (!st || st.s.startIndex > st.a.startIndex) return null;
  const span = lineSpan(m, st.s);
  const aSpan = lineSpan(m, st.a);
  if (!span || !aSpan) return null;
  // a name bound by the moved statement must not be used before the launch
  const bound = assignedName(m, st.s);
  if (bound && new RegExp(`\\b${bound}\\b`).test(m.text.slice(span.end, aSpan.start))) return null;
  const text = m.text.slice(span.start, span.end);
  const tail = /\n$/.test(text) ? text : text + m.lines.eol;
  return { title: 'Move after `DBOS.launch()`', safe: false, edits: [m.lines.edit(span.start, span.end, ''), m.lines.edit(aSpan.end, aSpan.end, tail)] };
}

function moveBefore(ctx: RuleContext, call: CallInfo, launch: CallInfo): Fix | null {
  const m = ctx.model;
  const st = siblingStatements(call, launch);
  if (!st || st.s.startIndex < st.a.startIndex) return null;
  const span = lineSpan(m, st.s);
  const aSpan = lineSpan(m, st.a);
  if (!span || !aSpan) return null;
  // arguments must not depend on statements between the launch and the call
  const text = m.text.slice(span.start, span.end);
  const tail = /\n$/.test(text) ? text : text + m.lines.eol;
  const between = m.text.slice(aSpan.end, span.start);
  for (const id of (st.s.descendantsOfType('identifier') as (Node | null)[])) {
    if (id && new RegExp(`^\\s*${m.textOf(id)}\\s*(:[^=]*)?=[^=]`, 'm').test(between)) return null;
  }
  return { title: 'Move before `DBOS.launch()`', safe: false, edits: [m.lines.edit(aSpan.start, aSpan.start, tail), m.lines.edit(span.start, span.end, '')] };
}
