// DBOS501: DBOS.recv() / recv_async() called where no workflow runs.
import type { Rule } from './rule';
import { callContext, callsTo, outsideWhere } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';

const ERROR = '`DBOSException: recv() must be called from within a workflow`';

export const rule: Rule = {
  code: 'DBOS501',
  requires: ['recv'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const { call, fqn } of callsTo(model, ['dbos.DBOS.recv', 'dbos.DBOS.recv_async'])) {
      const name = fqn.endsWith('_async') ? 'recv_async' : 'recv';
      const c = callContext(model, call.scope);
      // a receiver outside workflows has no inbox: messages go to workflow IDs
      const todo =
        'Receive messages in the workflow they are sent to (`DBOS.recv(topic, timeout_seconds=...)`) and have this code send them with ' +
        '`DBOS.send(workflow_id, message, topic)`, or read the workflow\'s progress with `DBOS.get_event(workflow_id, key)`.';
      const caught = model.inHandledTry(call.node);
      if (c.kind === 'outside') {
        ctx.report({
          node: call.node,
          // caught by the code around it: the code tolerates the failure, and nothing is received
          severity: caught ? 'information' : undefined,
          message:
            `\`DBOS.${name}()\` is called outside any workflow, where DBOS raises\n` +
            `It is called in ${outsideWhere(model, c)}: DBOS raises ${ERROR}${caught ? ', which the `try` around it catches, so nothing is ever received' : ''}. ${todo}`,
        });
      } else if (c.kind === 'helper') {
        ctx.report({
          node: call.node,
          severity: 'information',
          message:
            `\`DBOS.${name}()\` is called in \`${c.fn.name}\`, which is not a workflow\n` +
            `It only works when \`${c.fn.name}\` runs in a workflow body, and then it receives the messages sent to that workflow's ID; ` +
            `anywhere else DBOS raises ${ERROR}${caught ? ' (caught by the `try` around it, so nothing is received)' : ''}. ` +
            `Call \`${c.fn.name}\` only from the workflow whose messages it reads. Do not make it a workflow of its own: ` +
            'a child workflow has its own ID, so its `recv` would wait for messages sent to the child, not to the caller.',
        });
      }
    }
  },
};
