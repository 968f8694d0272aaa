// DBOS502: DBOS.set_event() / set_event_async() called where neither a workflow nor a step runs.
import type { Rule } from './rule';
import { callContext, callsTo, outsideWhere } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';

const ERROR = '`DBOSException: set_event() must be called from within a workflow or step`';

export const rule: Rule = {
  code: 'DBOS502',
  requires: ['set_event'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const { call, fqn } of callsTo(model, ['dbos.DBOS.set_event', 'dbos.DBOS.set_event_async'])) {
      const name = fqn.endsWith('_async') ? 'set_event_async' : 'set_event';
      const c = callContext(model, call.scope);
      // a `try` around the call that catches DBOS's exception: the code tolerates the failure (the event
      // is then not published), information wherever the function runs (kurt-core's runner.py and
      // _worker.py, the same helper in two modules, get the same level)
      const caught = model.inHandledTry(call.node);
      const swallowed = caught ? ', which the `try` around it catches: the event is silently not published' : '';
      if (c.kind === 'outside') {
        ctx.report({
          node: call.node,
          severity: caught ? 'information' : undefined,
          message:
            `\`DBOS.${name}()\` is called outside any workflow or step, where DBOS raises\n` +
            `It is called in ${outsideWhere(model, c)}: DBOS raises ${ERROR}${swallowed}. Publish events from the workflow ` +
            'that owns them; readers outside use `DBOS.get_event(workflow_id, key, timeout_seconds=...)` or `DBOS.get_all_events(workflow_id)`.',
        });
      } else if (c.kind === 'helper') {
        ctx.report({
          node: call.node,
          severity: 'information',
          message:
            `\`DBOS.${name}()\` is called in \`${c.fn.name}\`, which is neither a workflow nor a step\n` +
            `It only works when \`${c.fn.name}\` runs inside a workflow or step; anywhere else DBOS raises ${ERROR}${swallowed}. ` +
            `Make \`${c.fn.name}\` a step or call it only from workflows.`,
        });
      }
    }
  },
};
