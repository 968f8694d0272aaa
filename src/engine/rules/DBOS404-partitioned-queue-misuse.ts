// DBOS404: partitioned queues: deduplication together with a partition key (error), an enqueue on a
// queue declared partitioned in this file without a partition key, or a partition key on a queue
// declared without partition limits (warnings: the live configuration may differ).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import { callArgs, dictLiteral, isPartitioned, isQueueObject, literal, queueDeclarations } from '../model/queues';
import { parentOf } from '../syntax/enclosing';

const ENQUEUE_BY_NAME = new Set(['dbos.DBOS.enqueue_workflow', 'dbos.DBOS.enqueue_workflow_async']);
const ENQUEUE_WITH_OPTIONS: Record<string, number> = {
  'dbos.DBOS.enqueue_workflow_with_options': 0,
  'dbos.DBOS.enqueue_workflow_with_options_async': 0,
  'dbos.DBOSClient().enqueue': 0,
  'dbos.DBOSClient().enqueue_async': 0,
  'dbos.DBOSClient().enqueue_in_transaction': 1,
};

function isSet(model: ModuleModel, v: Node | undefined): boolean {
  return !!v && literal(model, v)?.t !== 'none';
}

/** What the `SetEnqueueOptions` blocks around a node say about the partition key: true/false, null unknown. */
function partitionKeyAround(model: ModuleModel, node: Node): { key: boolean | null; inWith: boolean; withNode: Node | null } {
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda') break;
    if (p.type !== 'with_statement') continue;
    const w = model.withs.find((x) => x.node.id === p.id);
    for (const item of w?.items ?? []) {
      if (item.value.type !== 'call' || model.resolve(item.value.childForFieldName('function')) !== 'dbos.SetEnqueueOptions') continue;
      const a = callArgs(model, item.value.childForFieldName('arguments'));
      if (a.splat) return { key: null, inWith: true, withNode: item.value };
      const k = a.keywords.get('queue_partition_key')?.value;
      return { key: isSet(model, k) ? true : false, inWith: true, withNode: k ?? item.value };
    }
  }
  return { key: false, inWith: false, withNode: null };
}

/** The function containing a call is itself called under a `SetEnqueueOptions` block somewhere in the file. */
function calledUnderOptions(model: ModuleModel, call: CallInfo): boolean {
  const fn = call.scope.fn;
  if (!fn) return false;
  return model.calls.some((c) => model.targetFunction(c) === fn && partitionKeyAround(model, c.node).inWith);
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  // (a) deduplication and a partition key together
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    let entries: Map<string, { node: Node; value: Node }> | null = null;
    let label = '';
    if (fqn === 'dbos.SetEnqueueOptions') {
      entries = callArgs(model, call.args).keywords;
      label = '`SetEnqueueOptions`';
    } else if (fqn === 'dbos.EnqueueOptions' || (fqn && fqn in ENQUEUE_WITH_OPTIONS)) {
      const node = fqn === 'dbos.EnqueueOptions' ? call.node : callArgs(model, call.args).positional[ENQUEUE_WITH_OPTIONS[fqn!]];
      const d = dictLiteral(model, node, ['dbos.EnqueueOptions']);
      if (d && (fqn !== 'dbos.EnqueueOptions' || d.node.id === call.node.id)) entries = d.entries;
      label = 'the enqueue options';
    }
    if (!entries) continue;
    const dedup = entries.get('deduplication_id');
    const key = entries.get('queue_partition_key');
    if (dedup && key && isSet(model, dedup.value) && isSet(model, key.value)) {
      ctx.report({
        node: dedup.node,
        message:
          `${label} set both \`deduplication_id\` and \`queue_partition_key\`\nDBOS raises "Deduplication is not supported for partitioned queues". ` +
          `Drop the deduplication ID (or deduplicate inside the partition yourself, e.g. with \`SetWorkflowID\`).`,
        severity: 'error',
      });
    }
  }

  // queue facts from this file's literals
  const decls = queueDeclarations(model);
  const byName = new Map<string, (boolean | null)[]>();
  const varToName = new Map<string, string>();
  for (const d of decls) {
    if (d.name === null) continue;
    const list = byName.get(d.name) ?? [];
    list.push(isPartitioned(model, d));
    byName.set(d.name, list);
    const asg = d.call.node.parent;
    const left = asg?.type === 'assignment' ? asg.childForFieldName('left') : null;
    if (left?.type === 'identifier' && !d.call.scope.fn) varToName.set(model.textOf(left), d.name);
  }
  if (byName.size === 0) return;
  const reconfigured = model.calls.some((c) => /\.set_partition_(concurrency|worker_concurrency|limiter)(_async)?$|\.set_partition_queue(_async)?$/.test(model.textOf(c.callee)));
  const state = (name: string): 'partitioned' | 'plain' | null => {
    const list = byName.get(name);
    if (!list) return null;
    if (list.every((x) => x === true)) return 'partitioned';
    if (list.every((x) => x === false)) return 'plain';
    return null;
  };

  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    let queueName: string | null = null;
    let optionKey: boolean | null = null; // from an options dict
    if (fqn && ENQUEUE_BY_NAME.has(fqn)) {
      const a = callArgs(model, call.args);
      const l = literal(model, a.positional[0] ?? a.keywords.get('queue_name')?.value);
      if (l?.t === 'str') queueName = l.v;
    } else if (fqn && fqn in ENQUEUE_WITH_OPTIONS) {
      const d = dictLiteral(model, callArgs(model, call.args).positional[ENQUEUE_WITH_OPTIONS[fqn]], ['dbos.EnqueueOptions']);
      const l = literal(model, d?.entries.get('queue_name')?.value);
      if (!d || d.splat || l?.t !== 'str') continue;
      queueName = l.v;
      optionKey = isSet(model, d.entries.get('queue_partition_key')?.value);
    } else {
      const method = model.methodOf(call);
      const obj = method === 'enqueue' || method === 'enqueue_async' ? call.callee.childForFieldName('object') : null;
      if (obj?.type === 'identifier' && isQueueObject(model.resolve(obj))) queueName = varToName.get(model.textOf(obj)) ?? null;
    }
    if (queueName === null) continue;
    const st = state(queueName);
    if (!st) continue;
    const around = partitionKeyAround(model, call.node);
    const hasKey = optionKey === true || around.key === true;
    if (around.key === null) continue;
    if (st === 'partitioned' && !hasKey) {
      if (optionKey === null && !around.inWith && calledUnderOptions(model, call)) continue;
      ctx.report({
        node: call.node,
        message:
          `This enqueue has no \`queue_partition_key\`, but queue "${queueName}" is partitioned\n` +
          `The queue has \`partition_*\` limits: the database-backed queue accepts the enqueue ` +
          `and the workflow stays ENQUEUED forever (an in-memory queue raises "A workflow cannot be enqueued on partitioned queue ${queueName} without a partition key"). ` +
          `Wrap it in \`with SetEnqueueOptions(queue_partition_key=...)\`.`,
        severity: 'warning',
      });
    } else if (st === 'plain' && hasKey && !reconfigured) {
      ctx.report({
        node: call.node,
        message:
          `This enqueue sets a \`queue_partition_key\`, but queue "${queueName}" is not partitioned\n` +
          `The queue has no \`partition_*\` limits: an in-memory queue raises "You can only use a partition key on a partition-enabled queue", ` +
          `and a database-backed one does not partition by it. Add \`partition_concurrency\` (or another \`partition_*\` limit) to the queue, or drop the key.`,
        severity: 'warning',
      });
    }
  }
}

export const rule: Rule = { code: 'DBOS404', requires: ['partition'], check };
