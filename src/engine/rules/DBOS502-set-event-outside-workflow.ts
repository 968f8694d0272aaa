// DBOS502: DBOS.set_event() / set_event_async() called where neither a workflow nor a step runs.
import type { Rule } from './rule';
import { callContext, callsTo } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';


export const rule: Rule = {
  code: 'DBOS502',
  requires: ['set_event'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const { call, fqn } of callsTo(model, ['dbos.DBOS.set_event', 'dbos.DBOS.set_event_async'])) {
      const name = fqn.endsWith('_async') ? 'set_event_async' : 'set_event';
      const c = callContext(model, call.scope);
      if (c.kind === 'outside') {
        const where = c.fn ? `${c.what} \`${c.fn.name}\`` : c.what;
        ctx.report({
          node: call.node,
          message:
            `\`DBOS.${name}()\` is called in ${where}, outside any workflow or step: DBOS raises ` +
            '`DBOSException: set_event() must be called from within a workflow or step`. Publish events from the workflow ' +
            'that owns them; readers outside use `DBOS.get_event(workflow_id, key, timeout_seconds=...)` or `DBOS.get_all_events(workflow_id)`.',
        });
      } else if (c.kind === 'helper') {
        ctx.report({
          node: call.node,
          severity: 'information',
          message:
            `\`DBOS.${name}()\` is called in \`${c.fn.name}\`, which is neither a workflow nor a step: it only works when \`${c.fn.name}\` ` +
            'runs inside a workflow or step; anywhere else DBOS raises `DBOSException: set_event() must be called from within a workflow or step`. ' +
            `Make \`${c.fn.name}\` a step or call it only from workflows.`,
        });
      }
    }
  },
};
