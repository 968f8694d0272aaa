// DBOS203: time.sleep / asyncio.sleep in a workflow body instead of the durable DBOS.sleep.
import type { Rule } from './rule';
import { isPlain, isWorkflow } from '../model/kinds';
import { dbosName } from '../fixes/common';
import type { Fix } from '../types';
import { argCount, stepBlocker } from './effects';
import { chainView, crossChain, injectedRelated } from './call-chains';
import { argList, isTestPath, numericLiteral, positionalArgs } from '../model/workflow-starts';

export const rule: Rule = {
  code: 'DBOS203',
  requires: ['sleep', 'workflow'],
  check(ctx) {
    const { model } = ctx;
    for (const wf of model.functions) {
      if (!isWorkflow(wf)) continue;
      for (const call of wf.calls) {
        const fqn = model.calleeFqn(call);
        if (!fqn || ctx.api.allow.has(fqn)) continue;
        const entry = ctx.api.sleep.match(fqn, argCount(call));
        if (!entry) continue;
        const pos = positionalArgs(call);
        const args = argList(call);
        if (args.length === 0) continue;
        if (numericLiteral(model, pos[0]) === 0) continue; // sleep(0) yields, it does not wait
        const awaited = call.node.parent?.type === 'await';
        const asyncKind = entry.replacement === 'async';
        const callee = model.textOf(call.callee);
        const durable = wf.isAsync ? 'await DBOS.sleep_async(...)' : 'DBOS.sleep(...)';
        if (asyncKind && !awaited) continue; // a coroutine that is never awaited does not wait at all
        const extra = wf.isAsync && !asyncKind ? ' It also blocks the event loop of this async workflow.' : '';
        const injected = injectedRelated(ctx, call, fqn);
        ctx.report({
          node: call.node,
          // test workflows sleep on purpose to simulate slow work
          ...(isTestPath(model) ? { severity: 'information' as const } : {}),
          message:
            `\`${callee}(...)\` in a workflow is not durable: recovery restarts the whole wait\n` +
            `DBOS does not record the delay, so when workflow \`${wf.name}\` ` +
            `is recovered after a crash or a redeploy the whole wait starts again from zero.${extra} Use \`${durable}\`, which ` +
            `checkpoints the wake-up time and only waits for what is left on recovery.`,
          // an injected sleeper (`self.sleeper(...)` holding `time.sleep`) is not rewritten: its callers may inject another
          fixes: injected.length ? [] : sleepFix(ctx, call, wf.isAsync, asyncKind, awaited, fqn, pos.length === 1 && args.length === 1),
          related: injected,
        });
      }
    }
    // through helpers, in this module or others (one walk over the project's call graph)
    for (const wf of model.functions) {
      if (!isWorkflow(wf)) continue;
      for (const call of wf.calls) {
        const helper = model.targetFunction(call);
        if (helper && (helper === wf || !isPlain(helper))) continue;
        const chain = crossChain(ctx, call, helper, 'sleep');
        if (!chain) continue;
        const view = chainView(ctx, wf.name, chain);
        // a helper that cannot be a step (a generator, a context manager, one that starts workflows...)
        const blocker = stepBlocker(ctx, call, helper, chain);
        ctx.report({
          node: call.node,
          ...(isTestPath(model) ? { severity: 'information' as const } : {}),
          message:
            `\`${view.helperName}\` sleeps in a workflow with a non-durable \`${chain.leaf.call.text}(...)\`\n` +
            `${view.text}: the delay is not durable, so when the workflow is recovered the whole wait starts again from zero. Use ` +
            `\`${wf.isAsync ? 'await DBOS.sleep_async(...)' : 'DBOS.sleep(...)'}\` in the workflow instead` +
            (blocker ? ` (\`${view.helperName}\` cannot be a step: ${blocker}).` : `, or make \`${view.helperName}\` a step.`),
          related: view.related,
        });
      }
    }
  },
};

function sleepFix(
  ctx: Parameters<Rule['check']>[0],
  call: import('../model/types').CallInfo,
  isAsyncWf: boolean,
  asyncKind: boolean,
  awaited: boolean,
  fqn: string,
  oneArg: boolean,
): Fix[] {
  const { model } = ctx;
  if (!oneArg) return [];
  const dbos = dbosName(model);
  const safe = fqn === 'time.sleep' || fqn === 'asyncio.sleep';
  if (!isAsyncWf) {
    if (asyncKind) return [];
    return [{ title: `Replace with \`${dbos.text}.sleep(...)\``, safe, preferred: true, edits: [...dbos.edits, model.lines.edit(call.callee.startIndex, call.callee.endIndex, `${dbos.text}.sleep`)] }];
  }
  if (asyncKind) {
    return [{ title: `Replace with \`await ${dbos.text}.sleep_async(...)\``, safe, preferred: true, edits: [...dbos.edits, model.lines.edit(call.callee.startIndex, call.callee.endIndex, `${dbos.text}.sleep_async`)] }];
  }
  // a blocking sleep in an async workflow
  if (awaited) return [];
  const p = call.node.parent;
  const needsParens =
    !!p &&
    (((p.type === 'attribute' || p.type === 'subscript') && p.namedChildren[0]?.id === call.node.id) ||
      (p.type === 'call' && p.childForFieldName('function')?.id === call.node.id) ||
      p.type === 'unary_operator');
  const argsNode = call.args!;
  let text = `await ${dbos.text}.sleep_async${model.textOf(argsNode)}`;
  if (needsParens) text = `(${text})`;
  return [{ title: `Replace with \`await ${dbos.text}.sleep_async(...)\``, safe, preferred: true, edits: [...dbos.edits, model.lines.edit(call.node.startIndex, call.node.endIndex, text)] }];
}
