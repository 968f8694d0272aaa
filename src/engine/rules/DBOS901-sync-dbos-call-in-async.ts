// DBOS901: a sync DBOS method that calls check_async() (RuntimeError in a running event loop), called
// from the body of an `async def`.
import type { Rule } from './rule';
import type { Fix } from '../types';
import { dbosMethodOf, raisesInLoop, reachAdvice, syncDbosReaches } from './sync-dbos-reach';
import { asyncFunctionOf, asyncTwinFix, expectsRaise, handleUseIsSafe, isGeneratorMethod, makeSyncHandlerFix, olderThan, returnsHandle } from '../model/async-api';

export const rule: Rule = {
  code: 'DBOS901',
  requires: ['async'],
  check(ctx) {
    const { model } = ctx;
    for (const call of model.calls) {
      const fn = asyncFunctionOf(call);
      if (!fn) continue;
      const m = dbosMethodOf(ctx, model.calleeFqn(call));
      if (!m || m.kind !== 'raising' || olderThan(ctx.version, m.since) || expectsRaise(model, call)) continue;
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
