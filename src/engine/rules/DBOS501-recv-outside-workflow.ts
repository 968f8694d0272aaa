// DBOS501: DBOS.recv() / recv_async() called where no workflow runs.
import type { Rule } from './rule';
import { callContext, callsTo } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';


export const rule: Rule = {
  code: 'DBOS501',
  requires: ['recv'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const { call, fqn } of callsTo(model, ['dbos.DBOS.recv', 'dbos.DBOS.recv_async'])) {
      const name = fqn.endsWith('_async') ? 'recv_async' : 'recv';
      const c = callContext(model, call.scope);
      const fix =
        'Receive messages in a workflow (`DBOS.recv(topic, timeout_seconds=...)`) and have this code send them with ' +
        '`DBOS.send(workflow_id, message, topic)`, or read the workflow\'s progress with `DBOS.get_event(workflow_id, key)`.';
      if (c.kind === 'outside') {
        const where = c.fn ? `${c.what} \`${c.fn.name}\`` : c.what;
        ctx.report({
          node: call.node,
          message:
            `\`DBOS.${name}()\` is called in ${where}, outside any workflow: DBOS raises ` +
            `\`DBOSException: recv() must be called from within a workflow\`. ${fix}`,
        });
      } else if (c.kind === 'helper') {
        ctx.report({
          node: call.node,
          severity: 'information',
          message:
            `\`DBOS.${name}()\` is called in \`${c.fn.name}\`, which is not a workflow: it only works when \`${c.fn.name}\` is called from a workflow ` +
            `body; anywhere else DBOS raises \`DBOSException: recv() must be called from within a workflow\`. Make \`${c.fn.name}\` a ` +
            '`@DBOS.workflow()` or call it only from workflows.',
        });
      }
    }
  },
};
