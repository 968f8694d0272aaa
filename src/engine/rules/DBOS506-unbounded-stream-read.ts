// DBOS506: a stream read outside workflows without `timeout_seconds=`: the reader waits as long as
// the producing workflow keeps the stream open.
import type { Rule } from './rule';
import { calledFromDbosFunction, callsTo, hasSplat } from '../model/dbos-calls';
import { appendKeywordEdits } from '../fixes/append-keyword';
import { isPlain, isWorkflow } from '../model/kinds';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument } from '../syntax/arguments';

const METHODS = ['read_stream', 'read_stream_async', 'read_stream_offset', 'read_stream_offset_async'];
const READS = METHODS.flatMap((m) => [`dbos.DBOS.${m}`, `dbos.DBOSClient().${m}`]);

export const rule: Rule = {
  code: 'DBOS506',
  requires: ['read_stream'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    // tests read the streams of workflows they just ran to completion
    if (model.isTestFile) return;
    for (const { call, fqn } of callsTo(model, READS)) {
      if (hasSplat(call) || keywordArgument(model, call, 'timeout_seconds')) continue;
      // a signature written as a call (`read_stream(workflow_id: str, ...)` in docs) is not code
      if (call.args?.hasError) continue;
      const fns = model.enclosingFunctions(call.scope);
      // in a workflow the reads are checkpointed steps of the workflow, which may wait durably
      if (fns.some((f) => isWorkflow(f))) continue;
      const inner = fns[0];
      // a plain helper that some workflow calls may be workflow code
      if (inner && isPlain(inner) && fns.every((f) => isPlain(f)) && calledFromDbosFunction(model, inner)) continue;
      const client = fqn.startsWith('dbos.DBOSClient');
      const name = fqn.slice(fqn.lastIndexOf('.') + 1);
      const shown = client ? `client.${name}` : `DBOS.${name}`;
      const edits = appendKeywordEdits(model, call, 'timeout_seconds=30');
      ctx.report({
        node: call.node,
        message:
          `\`${shown}()\` has no \`timeout_seconds\`, so it can wait forever\n` +
          `It waits for as long as the producing workflow keeps the stream open, so if ` +
          'that workflow stalls, this code hangs with it (DBOS reports nothing). Pass `timeout_seconds=...` (the longest wait for each value) and handle ' +
          '`DBOSStreamTimeoutError` ("No value arrived on stream <key> of workflow <id> within <t> seconds").',
        fixes: edits ? [{ title: 'Add `timeout_seconds=30`', safe: false, edits }] : [],
      });
    }
  },
};
