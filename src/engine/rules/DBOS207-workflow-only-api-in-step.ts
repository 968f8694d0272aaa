// DBOS207: recv, sleep and patch called in a step or transaction body.
import type { Rule } from '../rule';
import { isStepLike } from '../model/kinds';
import type { Fix, TextEdit } from '../types';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import { addImportEdit } from '../fixes/common';
import { argList, kindWord, numericLiteral, positionalArgs, expectsFailure } from '../analysis/workflow';

const API: Record<string, string> = {
  recv: 'DBOSException: recv() must be called from within a workflow',
  recv_async: 'DBOSException: recv() must be called from within a workflow',
  sleep: 'AssertionError: sleep() must be called from within a workflow',
  sleep_async: 'AssertionError: sleep() must be called from within a workflow',
  patch: 'DBOSException: DBOS.patch must be called from a workflow',
  patch_async: 'DBOSException: DBOS.patch_async must be called from a workflow',
  deprecate_patch: 'DBOSException: DBOS.deprecate_patch must be called from a workflow',
  deprecate_patch_async: 'DBOSException: DBOS.deprecate_patch_async must be called from a workflow',
};

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
          advice = 'Call it in the workflow and branch there, calling a different step in each branch.';
        }
        ctx.report({
          node: call.node,
          message: `\`DBOS.${name}()\` only works in a workflow body, but it is called in ${where}: DBOS raises \`${err}\`. ${advice}`,
          fixes: name.startsWith('sleep') ? plainSleepFix(model, call, name === 'sleep_async') : [],
        });
      }
    }
  },
};

function plainSleepFix(model: ModuleModel, call: CallInfo, isAsync: boolean): Fix[] {
  if (argList(call).length !== 1) return [];
  if (isAsync && call.node.parent?.type !== 'await') return [];
  const mod = isAsync ? 'asyncio' : 'time';
  const local = model.localNameFor(`${mod}.sleep`);
  const edits: TextEdit[] = [];
  if (!local) edits.push(addImportEdit(model, `import ${mod}`));
  edits.push(model.lines.edit(call.callee.startIndex, call.callee.endIndex, local ?? `${mod}.sleep`));
  return [{ title: `Replace with \`${isAsync ? 'await asyncio.sleep' : 'time.sleep'}(...)\``, safe: false, edits }];
}
