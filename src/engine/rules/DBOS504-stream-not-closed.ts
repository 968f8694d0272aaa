// DBOS504: a workflow writes a stream with a known key and nothing in the file closes it.
import type { Node } from 'web-tree-sitter';
import type { Rule } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { callContext, callsTo, positional, singleBindingValue, stringValue } from '../model/dbos-calls';
import { dbosName } from '../fixes/common';
import { isPlain } from '../model/kinds';
import { skippingExpectedFailures } from './expected-failures';
import { keywordValue } from '../syntax/arguments';

const WRITE = ['dbos.DBOS.write_stream', 'dbos.DBOS.write_stream_async'];
const CLOSE = ['dbos.DBOS.close_stream', 'dbos.DBOS.close_stream_async'];
/** DBOS calls that make a workflow wait (durably). */
const WAITS = new Set(
  ['sleep', 'recv', 'get_event', 'get_result', 'wait_first', 'run_step', 'get_all_events'].flatMap((m) => [`dbos.DBOS.${m}`, `dbos.DBOS.${m}_async`]).concat('dbos.DBOS.asyncio_wait'),
);

/**
 * The first call of the workflow body after `offset` that keeps the workflow running for a while: a
 * step or child workflow of this file, a durable wait, `handle.get_result()`. When the last write
 * is followed only by quick work (events, a return), the automatic close at the end comes at once.
 */
function laterWork(ctx: Parameters<Rule['check']>[0], fn: FunctionInfo, offset: number): CallInfo | null {
  const { model } = ctx;
  for (const call of fn.calls) {
    if (call.start < offset) continue;
    const fqn = model.calleeFqn(call);
    if (fqn && WAITS.has(fqn)) return call;
    const target = model.targetFunction(call);
    if (target && !isPlain(target)) return call;
    if (!fqn && model.methodOf(call) === 'get_result') return call;
  }
  return null;
}

/** The stream key of a write/close call when it is a string literal or a name bound once to one. */
function streamKey(ctx: Parameters<Rule['check']>[0], call: CallInfo): string | null {
  const { model } = ctx;
  let key: Node | null = positional(call, 0) ?? keywordValue(model, call, 'key');
  if (key?.type === 'identifier') key = singleBindingValue(model, key, call.scope);
  return stringValue(model, key);
}

/** Whether the subtree holds a `return` or `raise` of the function itself (not of nested definitions). */
function leaves(n: Node): boolean {
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'function_definition' || c.type === 'class_definition' || c.type === 'lambda' || c.type === 'decorated_definition') continue;
    if (c.type === 'return_statement' || c.type === 'raise_statement' || leaves(c)) return true;
  }
  return false;
}

/** Inserts the close after the body statement that holds the last write (a loop, a `with`, the call itself). */
function closeFix(ctx: Parameters<Rule['check']>[0], fn: FunctionInfo, key: string, last: CallInfo): Fix | null {
  const { model } = ctx;
  const body = fn.body;
  if (!body || body.type !== 'block') return null;
  let stmt: Node = last.node;
  while (stmt.parent && stmt.parent.id !== body.id) stmt = stmt.parent;
  if (stmt.parent?.id !== body.id) return null;
  if (stmt.type === 'return_statement' || stmt.type === 'raise_statement' || leaves(stmt)) return null;
  // a generator: a close before the consumer finishes is still fine, but keep to plain bodies
  if (/\byield\b/.test(model.textOf(body))) return null;
  const d = dbosName(model);
  const call = fn.isAsync ? `await ${d.text}.close_stream_async(${JSON.stringify(key)})` : `${d.text}.close_stream(${JSON.stringify(key)})`;
  const indent = model.lines.indentOf(model.lines.positionAt(stmt.startIndex).line);
  const edit = model.lines.edit(stmt.endIndex, stmt.endIndex, `${model.lines.eol}${indent}${call}`);
  return { title: `Close stream '${key}' after its last write`, safe: false, edits: [...d.edits, edit] };
}

export const rule: Rule = {
  code: 'DBOS504',
  requires: ['write_stream'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const writes = callsTo(model, WRITE);
    if (writes.length === 0) return;
    // tests leave streams open on purpose (the automatic close is what they check)
    if (model.isTestFile) return;
    // keys closed somewhere in the file; a close with a key we cannot read may close any of them
    const closed = new Set<string>();
    for (const { call } of callsTo(model, CLOSE)) {
      const k = streamKey(ctx, call);
      if (k === null) return;
      closed.add(k);
    }
    // close_stream passed around or called through an alias we cannot see
    if (model.attributesNamed('close_stream').length + model.attributesNamed('close_stream_async').length > callsTo(model, CLOSE).length) return;
    // per workflow and key: the first write (to underline) and the last one
    const byKey = new Map<string, { fn: FunctionInfo; key: string; first: CallInfo; last: CallInfo }>();
    for (const { call } of writes) {
      const c = callContext(model, call.scope);
      if (c.kind !== 'workflow') continue;
      const key = streamKey(ctx, call);
      if (key === null || closed.has(key)) continue;
      const id = `${c.fn.fqn}\0${key}`;
      const e = byKey.get(id);
      if (!e) byKey.set(id, { fn: c.fn, key, first: call, last: call });
      else if (call.end > e.last.end) e.last = call;
    }
    for (const { fn, key, first: call, last } of byKey.values()) {
      const work = laterWork(ctx, fn, last.end);
      if (!work) continue;
      const workLine = model.lines.positionAt(work.start).line + 1;
      const fix = closeFix(ctx, fn, key, last);
      const close = fn.isAsync ? `await DBOS.close_stream_async("${key}")` : `DBOS.close_stream("${key}")`;
      ctx.report({
        node: call.node,
        message:
          `Stream "${key}" stays open while the workflow keeps running (line ${workLine})\n` +
          `Workflow \`${fn.name}\` writes it and does not close it: readers ` +
          '(`DBOS.read_stream`) keep waiting for more values until the workflow ends, when DBOS closes its streams (no error is raised). ' +
          `Call \`${close}\` once the last value is written.`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};
