// DBOS207: recv, sleep and patch called in a step or transaction body.
import type { Rule } from './rule';
import { plainSleepFix } from '../fixes/sleep';
import { isStepLike } from '../model/kinds';
import { WORKFLOW_ONLY_API, workflowOnlyName } from '../facts/summary';
import { stepSideChains } from './call-chains';
import { kindWord, numericLiteral, positionalArgs, expectsFailure } from '../model/workflow-starts';

const API = WORKFLOW_ONLY_API;

export const rule: Rule = {
  code: 'DBOS207',
  requires: ['step', 'transaction'],
  check(ctx) {
    const { model } = ctx;
    for (const fn of model.functions) {
      if (!isStepLike(fn)) continue;
      const where = fn.isLambda ? `the ${kindWord(fn)} passed to \`run_step\`` : `${kindWord(fn)} \`${fn.name}\``;
      for (const call of fn.calls) {
        const fqn = model.calleeFqn(call);
        if (!fqn?.startsWith('dbos.DBOS.')) continue;
        const name = fqn.slice('dbos.DBOS.'.length);
        const err = API[name];
        if (!err) continue;
        if (expectsFailure(model, call.node)) continue;
        if (name.startsWith('sleep') && numericLiteral(model, positionalArgs(call)[0]) === 0) continue; // returns at once
        let advice: string;
        if (name.startsWith('sleep')) {
          advice = 'A step is retried and re-run as a whole, so a pause inside it need not be durable: use a plain sleep here, or move the durable sleep to the calling workflow.';
        } else if (name.startsWith('recv')) {
          advice = 'Receive the message in the calling workflow and pass it to the step as an argument.';
        } else {
          advice = ADVICE_PATCH;
        }
        ctx.report({
          node: call.node,
          message: `\`DBOS.${name}()\` is called in ${where}, but it only works in a workflow body\nDBOS raises \`${err}\`. ${advice}`,
          fixes: name.startsWith('sleep') ? plainSleepFix(model, call, name === 'sleep_async') : [],
        });
      }
    }
    // through helpers, in this module or others (needs the workspace index)
    for (const hit of stepSideChains(ctx, 'workflowOnly', (call) => !!workflowOnlyName(model.calleeFqn(call)))) {
      const fn = hit.step;
      const leaf = hit.chain!.leaf;
      const name = workflowOnlyName(leaf.call.fqn)!;
      const where = fn.isLambda ? `the ${kindWord(fn)} passed to \`run_step\`` : `${kindWord(fn)} \`${fn.name}\``;
      const advice = name.startsWith('sleep')
        ? 'A step is retried and re-run as a whole, so a pause inside it need not be durable: use a plain sleep in the helper, or move the durable sleep to the calling workflow.'
        : name.startsWith('recv')
          ? 'Receive the message in the calling workflow and pass it to the step as an argument.'
          : ADVICE_PATCH;
      ctx.report({
        node: hit.call.node,
        message:
          `${where[0].toUpperCase()}${where.slice(1)} calls \`${hit.view.helperName}\`, which calls workflow-only \`DBOS.${name}()\`\n` +
          `${hit.view.text}: \`DBOS.${name}()\` only works in a workflow body, and in a step DBOS raises \`${API[name]}\`. ${advice}`,
        related: hit.view.related,
      });
    }
  },
};

const ADVICE_PATCH = 'Call it in the workflow and branch there, calling a different step in each branch.';

