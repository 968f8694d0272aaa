// DBOS211: workflow timeouts written as literals that DBOS rejects (negative) or that silently do
// something else than a timeout (zero): SetWorkflowTimeout(...), fork_workflow(timeout_seconds=...),
// and "workflow_timeout" in EnqueueOptions dicts.
import type { Node } from 'web-tree-sitter';
import type { Rule } from './rule';
import type { Fix } from '../types';
import { callArgs, literal } from '../model/queues';
import { enqueueOptionDicts } from '../model/workflow-options';
import { skippingExpectedFailures } from './expected-failures';

const FORKS = new Set(['dbos.DBOS.fork_workflow', 'dbos.DBOS.fork_workflow_async', 'dbos.DBOSClient().fork_workflow', 'dbos.DBOSClient().fork_workflow_async']);

/** How Python prints the number in DBOS's message (`-5`, `-0.5`, `0`). */
function shown(text: string): string {
  return text.replace(/\s+/g, '').replace(/_/g, '');
}

export const rule: Rule = {
  code: 'DBOS211',
  requires: ['SetWorkflowTimeout', 'fork_workflow', 'workflow_timeout'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (fqn === 'dbos.SetWorkflowTimeout') {
        const a = callArgs(model, call.args);
        const arg = a.positional[0] ?? a.keywords.get('workflow_timeout_sec')?.value;
        const lit = literal(model, arg);
        if (!arg || lit?.t !== 'num') continue;
        if (lit.v < 0 || Number.isNaN(lit.v)) {
          ctx.report({
            node: arg,
            message:
              `\`SetWorkflowTimeout(${model.textOf(arg)})\` is not a valid timeout\nDBOS raises \`Exception: Invalid workflow timeout ${shown(lit.text)}. ` +
              'Timeouts must be positive.` when the context manager is created. Pass a positive number of seconds, or `None` to run without a timeout.',
          });
        } else if (lit.v === 0) {
          const fix: Fix = {
            title: 'Replace `0` with `None` (no timeout, what DBOS does with 0)',
            safe: false,
            edits: [model.lines.edit(arg.startIndex, arg.endIndex, 'None')],
          };
          ctx.report({
            node: arg,
            severity: 'warning',
            message:
              `\`SetWorkflowTimeout(${model.textOf(arg)})\` sets no timeout at all\nDBOS accepts zero but treats it as "not set", so workflows ` +
              'started in the block run without a deadline (and drop any deadline inherited from a parent) and nothing reports it. ' +
              'Pass a positive number of seconds, or `None` to say that no timeout is wanted.',
            fixes: [fix],
          });
        }
      } else if (fqn && FORKS.has(fqn)) {
        const arg = callArgs(model, call.args).keywords.get('timeout_seconds')?.value;
        const lit = literal(model, arg);
        if (!arg || lit?.t !== 'num' || lit.v > 0) continue;
        ctx.report({
          node: arg,
          message:
            `\`timeout_seconds=${model.textOf(arg)}\` in \`${model.textOf(call.callee)}\` is not a valid timeout\nDBOS raises ` +
            `\`Exception: Invalid workflow timeout ${shown(lit.text)}. Timeouts must be positive.\` Pass a positive number of seconds, or leave it out for no timeout.`,
        });
      }
    }
    for (const { dict, label } of enqueueOptionDicts(model)) {
      const v: Node | undefined = dict.entries.get('workflow_timeout')?.value;
      const lit = literal(model, v);
      if (!v || lit?.t !== 'num' || !(lit.v <= 0)) continue;
      ctx.report({
        node: v,
        message:
          `\`workflow_timeout\` ${model.textOf(v)} is not a positive number of seconds, so the workflow is cancelled at once\n` +
          `In ${label}. DBOS does not check it: it stores the ` +
          'timeout and sets the deadline when the workflow is dequeued, a deadline that has then already passed, so the workflow is cancelled ' +
          'as soon as it starts. Use a positive number of seconds, or leave `workflow_timeout` out for no timeout.',
      });
    }
  },
};
