// DBOS212: SetEnqueueOptions with enqueue-only options around a start_workflow or a direct workflow call.
import type { Rule, RuleContext } from './rule';
import { atLeast } from './rule';
import type { CallInfo } from '../model/types';
import type { Fix } from '../types';
import { stringValue } from '../model/dbos-calls';
import { queueDeclarations } from '../model/queues';
import { argList, callsWithin, withBlocks, workflowStart, expectsFailure } from '../model/workflow-starts';

const QUEUE_ONLY = ['priority', 'deduplication_id', 'queue_partition_key', 'delay_seconds'];

export const rule: Rule = {
  code: 'DBOS212',
  requires: ['SetEnqueueOptions'],
  check(ctx) {
    const { model } = ctx;
    for (const { w, ctor } of withBlocks(model, 'dbos.SetEnqueueOptions')) {
      if (!w.body || expectsFailure(model, w.node)) continue;
      const set: string[] = [];
      let policy = false;
      for (const a of argList(ctor)) {
        if (a.type === 'dictionary_splat') set.length = 0;
        if (a.type !== 'keyword_argument') continue;
        const k = model.textOf(a.childForFieldName('name')!);
        const v = a.childForFieldName('value');
        if (!v || v.type === 'none') continue;
        if (QUEUE_ONLY.includes(k)) set.push(k);
        if (k === 'duplication_policy' && stringValue(model, v) === 'return-existing') policy = true;
      }
      if (argList(ctor).some((a) => a.type === 'dictionary_splat')) continue;
      if (set.length === 0 && !policy) continue;
      const calls = callsWithin(model, w.body);
      const starts = calls.map((c) => workflowStart(model, c)).filter((s) => !!s);
      if (starts.some((s) => s.kind === 'enqueue' || s.kind === 'queue' || s.kind === 'debounce')) continue;
      if (calls.some((c) => /(^|\.)enqueue(_async)?$/.test(model.calleeFqn(c) ?? model.textOf(c.callee)))) continue;
      const what = set.length > 0 ? set.join(', ') : 'duplication_policy';
      for (const s of starts) {
        if (s.kind === 'direct') {
          ctx.report({
            node: s.call.node,
            // DBOS silently ignores them: a likely mistake it tolerates
            severity: 'information',
            message:
              `\`SetEnqueueOptions(${what}=...)\` has no effect on the direct call of \`${s.label}\`\n` +
              `These options only apply ` +
              `when a workflow is enqueued on a queue, and a direct call silently ignores them. Enqueue the workflow instead ` +
              `(\`DBOS.enqueue_workflow("<queue>", ${s.label}, ...)\`).`,
          });
        } else if (s.kind === 'start') {
          const runtime =
            set.length > 0
              ? `DBOSException: Enqueue option(s) ${set.join(', ')} set on a workflow that is not being enqueued. These options are only supported when enqueueing a workflow onto a queue.`
              : `DBOSException: duplication_policy 'return-existing' requires a queue. It is only supported when enqueueing a workflow onto a queue.`;
          ctx.report({
            node: s.call.node,
            message:
              `\`${s.label}(...)\` does not enqueue, so its \`SetEnqueueOptions\` make DBOS raise\n` +
              `The block sets ${what}; DBOS raises ` +
              `\`${runtime}\` Enqueue it on a queue instead.`,
            fixes: enqueueFix(ctx, s.call),
          });
        }
      }
    }
  },
};

/** `DBOS.start_workflow(F, ...)` -> `DBOS.enqueue_workflow("<queue>", F, ...)` when the file has exactly one queue. */
function enqueueFix(ctx: RuleContext, call: CallInfo): Fix[] {
  const { model } = ctx;
  const decls = queueDeclarations(model);
  if (decls.length !== 1) return [];
  const d = decls[0];
  if (!call.args || call.args.type !== 'argument_list') return [];
  const isAsync = model.textOf(call.callee).endsWith('_async');
  const open = call.args.startIndex + 1;
  if (!d.legacy && d.name !== null && atLeast(ctx.version, 2, 20) && call.calleeType === 'attribute') {
    const attr = call.callee.childForFieldName('attribute')!;
    return [
      {
        title: `Enqueue on queue "${d.name}" instead of starting`,
        safe: false,
        preferred: true,
        edits: [
          model.lines.edit(attr.startIndex, attr.endIndex, isAsync ? 'enqueue_workflow_async' : 'enqueue_workflow'),
          model.lines.edit(open, open, `${JSON.stringify(d.name)}, `),
        ],
      },
    ];
  }
  // a legacy Queue(...) bound to a module-level name: name.enqueue(F, ...)
  const stmt = d.call.node.parent;
  const left = stmt?.type === 'assignment' ? stmt.childForFieldName('left') : null;
  if (d.legacy && left?.type === 'identifier' && d.call.scope.fn === null && (model.module.bindings.get(model.textOf(left))?.length ?? 0) === 1) {
    const name = model.textOf(left);
    return [
      {
        title: `Enqueue on queue \`${name}\` instead of starting`,
        safe: false,
        preferred: true,
        edits: [model.lines.edit(call.callee.startIndex, call.callee.endIndex, `${name}.${isAsync ? 'enqueue_async' : 'enqueue'}`)],
      },
    ];
  }
  return [];
}

