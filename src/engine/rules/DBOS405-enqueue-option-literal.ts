// DBOS405: literal enqueue options DBOS rejects: priority out of range, unknown duplication policy,
// "return-existing" without a deduplication ID, an empty workflow ID.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import { callArgs, dictLiteral, literal } from '../model/queues';
import { ENQUEUE_OPTION_TAKERS } from '../model/workflow-options';

const MAX_PRIORITY = 2147483647;

interface OptionSite {
  entries: Map<string, { node: Node; value: Node }>;
  splat: boolean;
  /** `SetEnqueueOptions` raises `Exception`; `EnqueueOptions` validation raises `DBOSException`. */
  context: boolean;
  label: string;
}

function sites(model: ModuleModel): OptionSite[] {
  const out: OptionSite[] = [];
  const seen = new Set<number>();
  const add = (node: Node | null | undefined, label: string) => {
    const d = dictLiteral(model, node, ['dbos.EnqueueOptions']);
    if (!d || seen.has(d.node.id)) return;
    seen.add(d.node.id);
    out.push({ entries: d.entries, splat: d.splat, context: false, label });
  };
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    if (fqn === 'dbos.SetEnqueueOptions') {
      const a = callArgs(model, call.args);
      out.push({ entries: a.keywords, splat: a.splat, context: true, label: '`SetEnqueueOptions(...)`' });
    } else if (fqn === 'dbos.EnqueueOptions') {
      add(call.node, '`EnqueueOptions(...)`');
    } else if (fqn in ENQUEUE_OPTION_TAKERS) {
      const a = callArgs(model, call.args);
      add(a.positional[ENQUEUE_OPTION_TAKERS[fqn]] ?? a.keywords.get('options')?.value, `the options of \`${model.textOf(call.callee)}\``);
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
          `Priority ${p.text} in ${s.label} is out of range: DBOS raises \`${exc}: Invalid priority ${p.text}. Priority must be between 1~${MAX_PRIORITY}.\` ` +
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
            `\`duplication_policy="${dp.v}"\` in ${s.label} is not a known policy: DBOS raises \`DBOSException: Invalid duplication_policy ${dp.v}. Must be either 'reject' or 'return-existing'.\` ` +
            `Use "reject" (the default) or "return-existing".`,
        });
      } else if (dp.v === 'return-existing' && !s.splat) {
        const dd = val('deduplication_id');
        if (!dd || literal(model, dd)?.t === 'none') {
          ctx.report({
            node: dpNode,
            message:
              `\`duplication_policy="return-existing"\` in ${s.label} has no \`deduplication_id\`: DBOS raises \`DBOSException: duplication_policy 'return-existing' requires a deduplication_id.\` ` +
              `Add the \`deduplication_id\` that identifies the work to attach to.`,
          });
        }
      }
    }
    if (!s.context) {
      const idNode = val('workflow_id');
      const id = literal(model, idNode);
      if (idNode && id?.t === 'str' && id.v.trim() === '') {
        ctx.report({
          node: idNode,
          message:
            `Empty \`workflow_id\` in ${s.label}: DBOS raises \`DBOSException: Invalid workflow ID '${id.v}': workflow IDs must be non-empty and cannot be only whitespace.\` ` +
            `Leave \`workflow_id\` out to get a generated ID, or pass a meaningful one.`,
        });
      }
    }
  }
}

export const rule: Rule = { code: 'DBOS405', requires: ['nqueue'], check };
