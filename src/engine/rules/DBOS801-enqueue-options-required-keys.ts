// DBOS801: EnqueueOptions literals without workflow_name/queue_name, or with unknown keys.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import { argsOf, editDistance, isEnqueueOptionsCall, optionsValue, positional } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';
import { keywordValue } from '../syntax/arguments';
import { dictLiteral } from '../model/queues';

const REQUIRED = ['workflow_name', 'queue_name'];
const KNOWN = new Set([
  ...REQUIRED, 'workflow_id', 'app_version', 'workflow_timeout', 'delay_seconds', 'deduplication_id', 'duplication_policy', 'priority',
  'max_recovery_attempts', 'queue_partition_key', 'authenticated_user', 'authenticated_roles', 'serialization_type', 'class_name',
  'instance_name', 'attributes', 'application_name', 'otel_context', 'workflow_id_reuse_policy', 'assumed_role',
]);

/** [callee fqn, index of the options argument, keyword name]. */
const TARGETS: [RegExp, number, string][] = [
  [/^dbos\.DBOSClient\(\)\.(enqueue|enqueue_async)$/, 0, 'options'],
  [/^dbos\.DBOSClient\(\)\.enqueue_in_transaction$/, 1, 'options'],
  [/^dbos\.DBOS\.enqueue_workflow_with_options(_async)?$/, 0, 'options'],
  [/^dbos\.DebouncerClient$/, 1, 'workflow_options'],
];

interface Options {
  node: Node;
  keys: ReadonlyMap<string, unknown>;
  /** Key nodes to rename (the string of a dict pair, the name of a keyword argument). */
  keyNode: (k: string) => Node | null;
  open: boolean;
  kwargs: boolean;
}

function readOptions(ctx: RuleContext, call: CallInfo, arg: Node | null): Options | null {
  const { model } = ctx;
  const node = optionsValue(model, arg, call.scope);
  if (!node) return null;
  const d = dictLiteral(model, node);
  if (d) return { node, keys: d.entries, keyNode: (k) => d.entries.get(k)?.node.childForFieldName('key') ?? null, open: d.splat, kwargs: false };
  if (isEnqueueOptionsCall(model, node)) {
    const keys = new Map<string, Node>();
    let open = false;
    for (const a of argsOf(node)) {
      if (a.type === 'keyword_argument') keys.set(model.textOf(a.childForFieldName('name')!), a);
      else open = true;
    }
    return { node, keys, keyNode: (k) => keys.get(k)?.childForFieldName('name') ?? null, open, kwargs: true };
  }
  return null;
}

export const rule: Rule = {
  code: 'DBOS801',
  requires: ['nqueue', 'DebouncerClient'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const seen = new Set<number>();
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (!fqn) continue;
      const t = TARGETS.find(([re]) => re.test(fqn));
      if (!t) continue;
      const opts = readOptions(ctx, call, positional(call, t[1]) ?? keywordValue(model, call, t[2]));
      if (!opts || seen.has(opts.node.id)) continue;
      seen.add(opts.node.id);
      const unknown = [...opts.keys.keys()].filter((k) => !KNOWN.has(k));
      const missing = REQUIRED.filter((k) => !opts.keys.has(k));
      if (missing.length > 0 && !opts.open) {
        const hint = unknown.length > 0 ? ` (\`${unknown.join('`, `')}\` is not an option name)` : '';
        ctx.report({
          node: opts.node,
          message:
            `Enqueue options lack ${missing.map((k) => `"${k}"`).join(' and ')}${hint}\nDBOS fails with \`KeyError: '${missing[0]}'\` when enqueueing. ` +
            'Every `EnqueueOptions` needs the registered workflow name and the queue name.',
        });
      }
      for (const k of unknown) {
        const best = [...KNOWN].map((c) => [c, editDistance(k, c)] as const).sort((a, b) => a[1] - b[1])[0];
        const keyNode = opts.keyNode(k);
        const close = best && best[1] <= Math.max(2, Math.floor(k.length / 3)) ? best[0] : null;
        const fixes = [];
        if (close && keyNode && !opts.keys.has(close)) {
          const text = opts.kwargs ? close : model.textOf(keyNode).replace(k, close);
          fixes.push({ title: `Rename \`${k}\` to \`${close}\``, safe: false, edits: [model.lines.edit(keyNode.startIndex, keyNode.endIndex, text)] });
        }
        ctx.report({
          node: keyNode ?? opts.node,
          severity: 'warning',
          message:
            `\`${k}\` is not an \`EnqueueOptions\` key\nDBOS silently ignores it${close ? ` (did you mean \`${close}\`?)` : ''}.`,
          fixes,
        });
      }
    }
  },
};
