// DBOS901: a sync DBOS method that calls check_async() (RuntimeError in a running event loop), called
// from the body of an `async def`.
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { dbosMethodOf, raisesInLoop, reachAdvice, syncDbosReaches, syncHandleAt } from './sync-dbos-reach';
import { asyncFunctionOf, asyncTwinFix, expectsRaise, handleUseIsSafe, isGeneratorMethod, makeSyncHandlerFix, olderThan, returnsHandle } from '../model/async-api';
import { parseVersion } from '../version';

export const rule: Rule = {
  code: 'DBOS901',
  requires: ['async'],
  check(ctx) {
    const { model } = ctx;
    for (const call of model.calls) {
      const fn = asyncFunctionOf(call);
      if (!fn) continue;
      const m = dbosMethodOf(ctx, model.calleeFqn(call));
      if (!m) {
        syncHandleStatus(ctx, call, fn);
        continue;
      }
      if (m.kind !== 'raising' || olderThan(ctx.version, m.since) || expectsRaise(model, call)) continue;
      const callee = model.textOf(call.callee);
      const twin = `${m.name}_async`;
      const runtime = `\`RuntimeError("${m.name}() was called while an event loop is running. Use await ${m.name}_async(...) instead.")\``;
      const how = isGeneratorMethod(m.name)
        ? `iterate \`${callee.replace(/\w+$/, twin)}(...)\` with \`async for\``
        : `use \`await ${callee.replace(/\w+$/, twin)}(...)\``;
      const fixes: Fix[] = [];
      const safe = !returnsHandle(m.name) || handleUseIsSafe(model, call, fn);
      const twinFix = asyncTwinFix(model, call, fn, m.name, safe);
      if (twinFix) {
        if (!safe) twinFix.title += ' (it returns a `WorkflowHandleAsync`: await its methods)';
        fixes.push(twinFix);
      }
      const syncFix = makeSyncHandlerFix(model, fn);
      if (syncFix) fixes.push(syncFix);
      ctx.report({
        node: call.node,
        message:
          `\`${callee}()\` is called in the coroutine \`${fn.name}\`, where an event loop is running\nDBOS raises ${runtime}. ` +
          `In async code ${how}.`,
        fixes,
      });
    }
    // through sync helpers, of this module or others: the helper runs on the coroutine's loop
    for (const r of syncDbosReaches(ctx)) {
      if (!raisesInLoop(r, ctx.version)) continue;
      const callee = model.textOf(r.call.callee);
      const leaf = r.chain.leaf.call.text;
      const name = r.method.name;
      ctx.report({
        node: r.call.node,
        message:
          `\`${callee}()\` calls \`${leaf}()\` in the event loop of \`${r.fn.name}\`: DBOS raises\n` +
          `${r.text}: DBOS raises \`RuntimeError("${name}() was called while an event loop is running. Use await ${name}_async(...) instead.")\` ` +
          `the first time it runs. ${reachAdvice(r, callee)}`,
        related: r.related,
      });
    }
  },
};

/** The first DBOS version whose `get_workflow_status` raises in a running event loop (check_async). */
const STATUS_RAISES_SINCE = parseVersion('2.10');

/**
 * `h.get_status()` in a coroutine, `h` a sync `WorkflowHandle` of DBOS (`h = DBOS.start_workflow(...)`,
 * `q.enqueue(...)`, `DBOS.retrieve_workflow(...)`): the handle calls `DBOS.get_workflow_status`, which
 * raises in the running loop. (`get_result()`, which only blocks, is DBOS902's.)
 */
function syncHandleStatus(ctx: RuleContext, call: CallInfo, fn: FunctionInfo): void {
  const { model } = ctx;
  if (model.methodOf(call) !== 'get_status' || olderThan(ctx.version, STATUS_RAISES_SINCE) || expectsRaise(model, call)) return;
  const obj = call.callee.childForFieldName('object');
  const handle = obj ? syncHandleAt(ctx, obj, call.scope) : null;
  // a handle whose starter raises in the loop itself (`DBOS.retrieve_workflow`) is reported there
  if (!obj || handle?.kind !== 'dbos' || dbosMethodOf(ctx, `dbos.DBOS.${handle.starter}`)?.kind === 'raising') return;
  const h = model.textOf(obj);
  ctx.report({
    node: call.node,
    message:
      `\`${h}.get_status()\` on a sync \`WorkflowHandle\` raises in the coroutine \`${fn.name}\`\n` +
      `\`${h}\` comes from \`${handle.source}(...)\`: its \`get_status()\` calls \`DBOS.get_workflow_status\`, and DBOS raises ` +
      '`RuntimeError("get_workflow_status() was called while an event loop is running. Use await get_workflow_status_async(...) instead.")`. ' +
      `Get an async handle (\`await ${handle.source}_async(...)\`) and \`await ${h}.get_status()\`, or call \`await DBOS.get_workflow_status_async(${h}.get_workflow_id())\`.`,
  });
}
