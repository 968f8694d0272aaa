// DBOS409: in an `async def`, a database-backed queue's settings read through the synchronous
// properties (`q.worker_concurrency`) or changed with the synchronous setters (`q.set_limiter(...)`).
// Each one is a database round trip that blocks the event loop; DBOS only logs a warning.
// In-memory `Queue(...)` objects keep their settings in memory: their getters do not touch the database.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { addAwaitEdits, asyncTwinFix, isAwaited } from '../model/async-api';
import { parentOf } from '../syntax/enclosing';

const FIELDS = [
  'global_concurrency',
  'worker_concurrency',
  'limiter',
  'partition_concurrency',
  'partition_worker_concurrency',
  'partition_limiter',
  'polling_interval_sec',
  'concurrency',
  'priority_enabled',
  'partition_queue',
];

/** Queue objects whose accessors read or write the system database. */
const DB_QUEUES = new Set([
  'dbos.DBOS.register_queue()',
  'dbos.DBOS.register_queue_async()',
  'dbos.DBOS.retrieve_queue()',
  'dbos.DBOS.retrieve_queue_async()',
  'dbos.DBOSClient().register_queue()',
  'dbos.DBOSClient().register_queue_async()',
  'dbos.DBOSClient().retrieve_queue()',
  'dbos.DBOSClient().retrieve_queue_async()',
]);

function inGeneratorExpression(node: Node, fn: FunctionInfo): boolean {
  for (let p = parentOf(node); p && p.id !== fn.node.id; p = parentOf(p)) if (p.type === 'generator_expression') return true;
  return false;
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  // every finding is on a queue from (register|retrieve)_queue: a name only the file's text can bring
  if (!model.text.includes('register_queue') && !model.text.includes('retrieve_queue')) return;
  // property reads: q.worker_concurrency
  for (const field of FIELDS) {
    for (const attr of model.attributesNamed(field)) {
      const obj = attr.childForFieldName('object');
      if (!obj || !DB_QUEUES.has(model.resolve(obj) ?? '')) continue;
      const scope = model.scopeOf(attr);
      const fn = scope.fn;
      if (!fn || !fn.isAsync) continue;
      const p = attr.parent;
      if (p?.type === 'assignment' && p.childForFieldName('left')?.id === attr.id) continue; // no setter: not this rule
      if (p?.type === 'augmented_assignment' && p.childForFieldName('left')?.id === attr.id) continue;
      if (p?.type === 'call' && p.childForFieldName('function')?.id === attr.id) continue;
      if (isAwaited(attr) || model.expectsFailure(attr)) continue;
      const recv = model.textOf(obj);
      const getter = `get_${field}_async`;
      const fixes: Fix[] = [];
      if (!inGeneratorExpression(attr, fn)) {
        const name = attr.childForFieldName('attribute')!;
        fixes.push({
          title: `Use \`await ${recv}.${getter}()\``,
          safe: true,
          preferred: true,
          edits: [model.lines.edit(name.startIndex, name.endIndex, `${getter}()`), ...addAwaitEdits(model, attr)].sort((a, b) => a.startOffset - b.startOffset),
        });
      }
      ctx.report({
        node: attr,
        message:
          `\`${recv}.${field}\` reads queue settings synchronously, blocking the event loop\n` +
          `In async function \`${fn.name}\`, it reads them from the system database, blocking the event loop for the round trip; DBOS only logs "Synchronous 'Queue.${field}' was called from a running asyncio event loop. This blocks the loop on a database round-trip. Use 'Queue.get_${field}_async' instead." ` +
          `Use \`await ${recv}.${getter}()\`.`,
        fixes,
      });
    }
  }
  // setters: q.set_worker_concurrency(...)
  for (const call of model.calls) {
    const method = model.methodOf(call);
    if (!method || !method.startsWith('set_') || !FIELDS.includes(method.slice(4))) continue;
    const fn = call.scope.fn;
    if (!fn || !fn.isAsync) continue;
    const obj = call.callee.childForFieldName('object')!;
    if (!DB_QUEUES.has(model.resolve(obj, call.scope) ?? '')) continue;
    if (model.expectsFailure(call.node)) continue;
    const recv = model.textOf(obj);
    const fix = asyncTwinFix(model, call, fn, method, true);
    ctx.report({
      node: call.node,
      message:
        `\`${recv}.${method}(...)\` writes queue settings synchronously, blocking the event loop\n` +
        `In async function \`${fn.name}\`, it writes them to the system database, blocking the event loop for the round trip; DBOS only logs "Synchronous 'Queue.${method}' was called from a running asyncio event loop. This blocks the loop on a database round-trip. Use 'Queue.${method}_async' instead." ` +
        `Use \`await ${recv}.${method}_async(...)\`.`,
      fixes: fix ? [fix] : [],
    });
  }
}

export const rule: Rule = {
  code: 'DBOS409',
  requires: FIELDS,
  check,
};
