// DBOS503: DBOS.send() without an idempotency key, send_bulk() of unkeyed messages, or write_stream()
// in a step body: the effect repeats when the step is retried or re-executed.
import type { Rule } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { argsOf, callContext, callsTo, hasSplat, positional } from '../model/dbos-calls';
import { dbosName } from '../fixes/common';
import { appendKeywordEdits } from '../fixes/append-keyword';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument } from '../syntax/arguments';
import { enclosingLoop } from '../syntax/enclosing';

const SEND = ['dbos.DBOS.send', 'dbos.DBOS.send_async'];
const BULK = ['dbos.DBOS.send_bulk', 'dbos.DBOS.send_bulk_async'];
const WRITE = ['dbos.DBOS.write_stream', 'dbos.DBOS.write_stream_async'];


/** `SendMessage(...)` calls that carry no idempotency key (4th positional or `idempotency_key=`). */
function unkeyedMessages(ctx: Parameters<Rule['check']>[0], bulk: CallInfo): { keyed: number; unkeyed: number } {
  const { model } = ctx;
  const arg = positional(bulk, 0) ?? keywordArgument(model, bulk, 'messages')?.childForFieldName('value') ?? null;
  let keyed = 0;
  let unkeyed = 0;
  if (!arg) return { keyed, unkeyed };
  for (const call of model.calls) {
    if (call.start < arg.startIndex || call.end > arg.endIndex) continue;
    const fqn = model.calleeFqn(call);
    if (!fqn || !/^dbos\.(_sys_db\.)?SendMessage$/.test(fqn)) continue;
    if (hasSplat(call) || positional(call, 3) || keywordArgument(model, call, 'idempotency_key')) keyed++;
    else unkeyed++;
  }
  return { keyed, unkeyed };
}

export const rule: Rule = {
  code: 'DBOS503',
  requires: ['send', 'send_bulk', 'write_stream'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    // tests exercise these calls on purpose, and a retried test step does no harm
    if (model.isTestFile) return;
    const sendsPerFn = new Map<FunctionInfo, number>();
    const found: { call: CallInfo; fqn: string; fn: FunctionInfo }[] = [];
    for (const { call, fqn } of callsTo(model, [...SEND, ...BULK, ...WRITE])) {
      const c = callContext(model, call.scope);
      if (c.kind !== 'step') continue;
      found.push({ call, fqn, fn: c.fn });
      if (SEND.includes(fqn)) sendsPerFn.set(c.fn, (sendsPerFn.get(c.fn) ?? 0) + 1);
    }
    const writesReported = new Set<FunctionInfo>();
    for (const { call, fqn, fn } of found) {
      const name = fqn.slice('dbos.DBOS.'.length);
      const what = fn.kinds.has('step') ? 'step' : 'transaction';
      const where = `${what} \`${fn.name}\``;
      if (SEND.includes(fqn)) {
        if (hasSplat(call) || keywordArgument(model, call, 'idempotency_key')) continue;
        const fixes: Fix[] = [];
        // one key per step execution: only when this is the step's only send, outside loops
        if (sendsPerFn.get(fn) === 1 && !enclosingLoop(call.node) && argsOf(call).length >= 2) {
          const d = dbosName(model);
          const key = `idempotency_key=f"{${d.text}.workflow_id}-{${d.text}.step_id}"`;
          const edits = appendKeywordEdits(model, call, key);
          if (edits) fixes.push({ title: `Add \`${key}\``, safe: false, edits: [...d.edits, ...edits] });
        }
        ctx.report({
          node: call.node,
          message:
            `\`DBOS.${name}()\` in a ${what} has no \`idempotency_key\`, so a retry sends it twice\n` +
            `In ${where}: if the ${what} is retried or re-executed after a crash, ` +
            'the message is sent again and the receiver gets it twice (DBOS does not detect this). Pass ' +
            '`idempotency_key=f"{DBOS.workflow_id}-{DBOS.step_id}"` (a key unique to this send), or call `DBOS.send` from the workflow, where it is checkpointed.',
          fixes,
        });
      } else if (BULK.includes(fqn)) {
        const { unkeyed } = unkeyedMessages(ctx, call);
        if (unkeyed === 0) continue;
        ctx.report({
          node: call.node,
          message:
            `\`DBOS.${name}()\` in a ${what} sends messages without an idempotency key\n` +
            `In ${where}, the \`SendMessage\`s have no key: if the ${what} is retried or re-executed ` +
            'after a crash, the messages are sent again (DBOS does not detect this). Give each `SendMessage` a distinct ' +
            '`idempotency_key` (its 4th field), or send from the workflow, where the call is checkpointed.',
        });
      } else {
        // one finding per step: the advice is about the step, not each write
        if (writesReported.has(fn)) continue;
        writesReported.add(fn);
        ctx.report({
          node: call.node,
          message:
            `\`DBOS.${name}()\` in a ${what} is at-least-once: a retry writes again\n` +
            `In ${where}: if the ${what} is retried or re-executed after a crash, its stream ` +
            'writes happen again and readers see them twice (DBOS does not detect this). Write the stream from the workflow ' +
            'body, where each write is checkpointed (exactly once), or make readers tolerate duplicates.',
        });
      }
    }
  },
};
