// DBOS803: a DBOSClient built or used in a workflow body, where its calls are not checkpointed.
import type { Rule } from './rule';
import { atLeast } from './rule';
import type { Fix } from '../types';
import type { CallInfo } from '../model/types';
import { isWorkflow } from '../model/kinds';
import { dbosName } from '../fixes/common';
import { positionalArgs } from '../syntax/arguments';
import { skippingExpectedFailures } from './expected-failures';


const CLIENT = 'dbos.DBOSClient';
const METHOD_PREFIX = 'dbos.DBOSClient().';
/** Client methods left alone: releasing the client is not a workflow effect. */
const QUIET = new Set(['destroy', 'check_connection', 'check_connection_async']);
/** Client method to the `DBOS` method with the same arguments; `enqueue` needs 2.30 (`enqueue_workflow_with_options`). */
const EQUIVALENT: Record<string, string> = {
  send: 'send',
  send_async: 'send_async',
  get_event: 'get_event',
  get_event_async: 'get_event_async',
  read_stream: 'read_stream',
  read_stream_async: 'read_stream_async',
  retrieve_workflow: 'retrieve_workflow',
  retrieve_workflow_async: 'retrieve_workflow_async',
  enqueue: 'enqueue_workflow_with_options',
  enqueue_async: 'enqueue_workflow_with_options_async',
};

export const rule: Rule = {
  code: 'DBOS803',
  requires: ['DBOSClient'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const flagged = new Set<unknown>();
    const constructions: CallInfo[] = [];
    for (const call of model.calls) {
      const fn = call.scope.fn;
      if (!fn || !isWorkflow(fn)) continue;
      const fqn = model.calleeFqn(call);
      if (fqn === CLIENT) {
        constructions.push(call);
        continue;
      }
      if (!fqn || !fqn.startsWith(METHOD_PREFIX) || call.calleeType !== 'attribute') continue;
      const method = fqn.slice(METHOD_PREFIX.length);
      if (method.includes('.') || QUIET.has(method)) continue;
      flagged.add(fn);
      const fixes: Fix[] = [];
      const target = EQUIVALENT[method];
      const ok =
        target &&
        (!method.startsWith('enqueue') || atLeast(ctx.version, 2, 30)) &&
        // the client's `send` takes `idempotency_key` positionally, `DBOS.send` only as a keyword
        (!method.startsWith('send') || positionalArgs(call).length <= 3);
      if (ok) {
        const d = dbosName(model);
        fixes.push({
          title: `Use \`DBOS.${target}\``,
          safe: false,
          edits: [...d.edits, model.lines.edit(call.callee.startIndex, call.callee.endIndex, `${d.text}.${target}`)],
        });
      }
      const obj = model.textOf(call.callee.childForFieldName('object')!);
      ctx.report({
        node: call.callee,
        message:
          `\`${obj}.${method}(...)\` is a \`DBOSClient\` call in a workflow, where it is not checkpointed\n` +
          `In workflow \`${fn.name}\`: client calls are plain database operations, not ` +
          'checkpointed steps, so they run again when the workflow is recovered (a second message or enqueue) and what they read can differ between runs; DBOS does not warn. ' +
          (ok ? `Use \`DBOS.${target}(...)\`, which the workflow records.` : 'Use the `DBOS` method of the same name, or move the call into a `@DBOS.step()`.'),
        fixes,
      });
    }
    for (const call of constructions) {
      const fn = call.scope.fn!;
      if (flagged.has(fn)) continue;
      ctx.report({
        node: call.callee,
        message:
          `\`DBOSClient(...)\` is built in workflow \`${fn.name}\`, where its calls are not checkpointed\n` +
          'The client is for programs outside the DBOS application; its calls are not ' +
          'checkpointed, so they repeat when the workflow is recovered, and each run opens a new connection pool. Use the `DBOS` methods (`DBOS.send`, ' +
          '`DBOS.enqueue_workflow_with_options`, `DBOS.get_event`...) in workflows.',
      });
    }
  },
};
