// DBOS405: literal enqueue options DBOS rejects: priority out of range, unknown duplication policy,
// "return-existing" where DBOS refuses it (no deduplication ID, a debounce: each with the error DBOS
// raises there; no queue is DBOS212's, a transactional client enqueue DBOS804's), an empty workflow ID.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import { callArgs, dictLiteral, literal } from '../model/queues';
import { ENQUEUE_OPTION_TAKERS } from '../model/workflow-options';
import { workflowStart } from '../model/workflow-starts';

const MAX_PRIORITY = 2147483647;

interface OptionSite {
  entries: Map<string, { node: Node; value: Node }>;
  splat: boolean;
  /** `SetEnqueueOptions` raises `Exception`; `EnqueueOptions` validation raises `DBOSException`. */
  context: boolean;
  label: string;
  /** The `SetEnqueueOptions(...)` call, for the starts in its `with` block. */
  ctor?: Node;
  /** The call the options are given to (`client.enqueue_in_transaction`). */
  taker?: string;
}

/** How the workflows a `with SetEnqueueOptions(...)` block starts are started: on a queue, directly (no queue), by a debouncer. */
function startsIn(model: ModuleModel, ctor: Node): Set<'queue' | 'direct' | 'debounce' | 'debounce-unknown'> {
  const out = new Set<'queue' | 'direct' | 'debounce' | 'debounce-unknown'>();
  let w: Node | null = ctor.parent;
  while (w && w.type !== 'with_statement') w = w.parent;
  const body = w?.childForFieldName('body');
  if (!body) return out;
  for (const c of model.calls) {
    if (c.start < body.startIndex || c.end > body.endIndex) continue;
    const s = workflowStart(model, c);
    // `debouncer.debounce(...)` on a parameter or attribute: a debouncer whose creation is not in sight
    const method = model.methodOf(c);
    if (!s && (method === 'debounce' || method === 'debounce_async')) out.add('debounce-unknown');
    if (!s) continue;
    out.add(s.kind === 'queue' || s.kind === 'enqueue' ? 'queue' : s.kind === 'debounce' ? 'debounce' : 'direct');
  }
  return out;
}

function sites(model: ModuleModel): OptionSite[] {
  const out: OptionSite[] = [];
  const seen = new Set<number>();
  const add = (node: Node | null | undefined, label: string, taker?: string) => {
    const d = dictLiteral(model, node, ['dbos.EnqueueOptions']);
    if (!d || seen.has(d.node.id)) return;
    seen.add(d.node.id);
    out.push({ entries: d.entries, splat: d.splat, context: false, label, taker });
  };
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    if (fqn === 'dbos.SetEnqueueOptions') {
      const a = callArgs(model, call.args);
      out.push({ entries: a.keywords, splat: a.splat, context: true, label: '`SetEnqueueOptions(...)`', ctor: call.node });
    } else if (fqn === 'dbos.EnqueueOptions') {
      add(call.node, '`EnqueueOptions(...)`');
    } else if (fqn in ENQUEUE_OPTION_TAKERS) {
      const a = callArgs(model, call.args);
      add(a.positional[ENQUEUE_OPTION_TAKERS[fqn]] ?? a.keywords.get('options')?.value, `the options of \`${model.textOf(call.callee)}\``, fqn);
    }
  }
  // opts: EnqueueOptions = {...}
  for (const asg of model.assignments) {
    const type = asg ? model.annotationOf(asg) : null;
    if (!asg || !type) continue;
    const t = type.namedChildren[0] ?? type;
    if (model.resolve(t) === 'dbos.EnqueueOptions') add(asg.childForFieldName('right'), '`EnqueueOptions`');
  }
  return out;
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  for (const s of sites(model)) {
    const exc = s.context ? 'Exception' : 'DBOSException';
    const val = (k: string) => s.entries.get(k)?.value;
    const pNode = val('priority');
    const p = literal(model, pNode);
    if (pNode && p?.t === 'num' && (p.v < 1 || p.v > MAX_PRIORITY || !Number.isInteger(p.v))) {
      ctx.report({
        node: pNode,
        message:
          `Priority ${p.text} is out of range (1 to ${MAX_PRIORITY})\nIn ${s.label}, DBOS raises \`${exc}: Invalid priority ${p.text}. Priority must be between 1~${MAX_PRIORITY}.\` ` +
          `Use an integer from 1 (highest priority, dequeued first) to ${MAX_PRIORITY}, or leave \`priority\` unset.`,
      });
    }
    const dpNode = val('duplication_policy');
    const dp = literal(model, dpNode);
    if (dpNode && dp?.t === 'str') {
      if (dp.v !== 'reject' && dp.v !== 'return-existing') {
        ctx.report({
          node: dpNode,
          message:
            `\`duplication_policy="${dp.v}"\` is not a known policy\nIn ${s.label}, DBOS raises \`DBOSException: Invalid duplication_policy ${dp.v}. Must be either 'reject' or 'return-existing'.\` ` +
            `Use "reject" (the default) or "return-existing".`,
        });
      } else if (dp.v === 'return-existing' && !s.splat) {
        const problem = returnExistingProblem(model, s);
        if (problem) ctx.report({ node: dpNode, message: problem });
      }
    }
    if (!s.context) {
      const idNode = val('workflow_id');
      const id = literal(model, idNode);
      if (idNode && id?.t === 'str' && id.v.trim() === '') {
        ctx.report({
          node: idNode,
          message:
            `Empty \`workflow_id\`: DBOS rejects it\nIn ${s.label}, DBOS raises \`DBOSException: Invalid workflow ID '${id.v}': workflow IDs must be non-empty and cannot be only whitespace.\` ` +
            `Leave \`workflow_id\` out to get a generated ID, or pass a meaningful one.`,
        });
      }
    }
  }
}

/**
 * What DBOS raises for `duplication_policy="return-existing"` at this site, as a message; null when
 * it is accepted (or the engine cannot tell how the workflow is started). DBOS checks, in order: a
 * debounce owns the deduplication (`_debouncer.py`); then the queue and the deduplication ID
 * (`_enqueue_options.py`).
 */
function returnExistingProblem(model: ModuleModel, s: OptionSite): string | null {
  const dd = s.entries.get('deduplication_id')?.value;
  const noDedup = !dd || literal(model, dd)?.t === 'none';
  const starts = s.ctor ? startsIn(model, s.ctor) : null;
  // a debouncer created in this file (and a DebouncerClient's options) are DBOS603's, which names the
  // option to remove; a debouncer of unknown origin is reported here
  if (starts?.has('debounce')) return null;
  if (starts?.has('debounce-unknown')) {
    return (
      `A debounce cannot use \`duplication_policy="return-existing"\`: DBOS rejects it\n` +
      `In ${s.label}, DBOS raises \`DBOSException: Cannot debounce a workflow with duplication_policy 'return-existing': a debounce owns the workflow's deduplication behavior.\` ` +
      `Remove \`duplication_policy\` (a deduplication ID is rejected by the debouncer too: the debounce key is the ID).`
    );
  }
  // a transactional client enqueue refuses the policy first: DBOS804 reports that one
  if (s.taker === 'dbos.DBOSClient().enqueue_in_transaction') return null;
  // no queue: `DBOS.start_workflow` raises "requires a queue", a direct call ignores the options;
  // DBOS212 reports both at the start, with the right message
  if (starts && starts.size > 0 && !starts.has('queue')) return null;
  if (!noDedup) return null;
  return (
    `\`duplication_policy="return-existing"\` has no \`deduplication_id\` to attach to\n` +
    `In ${s.label}, DBOS raises \`DBOSException: duplication_policy 'return-existing' requires a deduplication_id.\`` +
    (s.context && !starts?.size ? ` (or, when the workflow is not enqueued on a queue, "... requires a queue").` : '') +
    ` Add the \`deduplication_id\` that identifies the work to attach to.`
  );
}

export const rule: Rule = { code: 'DBOS405', requires: ['nqueue'], check };
