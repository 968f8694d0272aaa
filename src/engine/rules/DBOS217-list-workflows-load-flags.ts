// DBOS217 (hint): list_workflows / list_queued_workflows whose result is only read for metadata
// (IDs, status, names, timestamps) but that still load and deserialize every input and output.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import { argList, keywordArgument } from '../syntax/arguments';
import { isTestPath } from '../model/workflow-starts';

const TARGETS = /^dbos\.(DBOS|DBOSClient\(\))\.(list_workflows|list_queued_workflows)(_async)?$/;

/** `WorkflowStatus` fields that are not the input or the output. */
const METADATA = new Set([
  'workflow_id', 'status', 'name', 'class_name', 'config_name', 'authenticated_user', 'assumed_role', 'authenticated_roles',
  'queue_name', 'created_at', 'updated_at', 'app_version', 'app_id', 'executor_id', 'recovery_attempts', 'workflow_timeout_ms',
  'workflow_deadline_epoch_ms', 'deduplication_id', 'priority', 'queue_partition_key', 'forked_from', 'parent_workflow_id',
  'dequeued_at', 'delay_until_epoch_ms', 'attributes', 'application_name', 'was_forked_from', 'completed_at', 'schedule_name',
]);

interface Need {
  input: boolean;
  output: boolean;
}

/** Reads `<obj>.<attr>` where obj is the identifier node; null when the use is anything else. */
function fieldRead(ctx: RuleContext, id: Node, need: Need): boolean {
  const p = id.parent;
  if (p?.type !== 'attribute' || p.childForFieldName('object')?.id !== id.id) return false;
  const attr = ctx.model.textOf(p.childForFieldName('attribute')!);
  if (attr === 'input') need.input = true;
  else if (attr === 'output' || attr === 'error') need.output = true;
  else if (!METADATA.has(attr)) return false;
  // `w.status = ...` writes: fine as well, but keep it simple: only reads
  const gp = p.parent;
  if (gp?.type === 'assignment' && gp.childForFieldName('left')?.id === p.id) return false;
  return true;
}

/** The loop variable of `for v in <node>` (statement or comprehension) and where it is used. */
function loopOver(node: Node): { target: Node; within: Node } | null {
  const p = node.parent;
  if (!p) return null;
  if ((p.type === 'for_statement' || p.type === 'for_in_clause') && p.childForFieldName('right')?.id === node.id) {
    const target = p.childForFieldName('left');
    if (!target || target.type !== 'identifier') return null;
    return { target, within: p.type === 'for_statement' ? p.childForFieldName('body') ?? p : p.parent ?? p };
  }
  return null;
}

/** Whether every use of a loop variable reads metadata fields. */
function loopUsesOk(ctx: RuleContext, loop: { target: Node; within: Node }, need: Need): boolean {
  const name = ctx.model.textOf(loop.target);
  const uses = ctx.model.identifierUses(name, loop.within).filter((u) => u.id !== loop.target.id);
  if (uses.length === 0) return false;
  return uses.every((u) => fieldRead(ctx, u, need));
}

/** How the result (the call, or a name it is assigned to) is used; null when it may need inputs/outputs. */
function resultNeeds(ctx: RuleContext, call: CallInfo): Need | null {
  const { model } = ctx;
  let n: Node = call.node;
  while (n.parent && (n.parent.type === 'await' || n.parent.type === 'parenthesized_expression')) n = n.parent;
  const need: Need = { input: false, output: false };
  const loop = loopOver(n);
  if (loop) return loopUsesOk(ctx, loop, need) ? need : null;
  const p = n.parent;
  if (p?.type === 'argument_list' && p.parent?.type === 'call' && model.textOf(p.parent.childForFieldName('function')!) === 'len') {
    return argList(p.parent).length === 1 ? need : null;
  }
  if (p?.type !== 'assignment' || p.childForFieldName('right')?.id !== n.id) return null;
  const left = p.childForFieldName('left');
  if (!left || left.type !== 'identifier') return null;
  const name = model.textOf(left);
  const fn = call.scope.fn;
  const bindings = (fn ?? model.module).bindings.get(name);
  if (!bindings || bindings.length !== 1 || fn?.globals.has(name) || fn?.nonlocals.has(name)) return null;
  const within = fn?.body ?? model.root;
  const uses = model.identifierUses(name, within).filter((u) => u.startIndex > left.endIndex);
  if (uses.length === 0) return null;
  // any use outside the defining function (a nested function, another function) is not followed
  for (const u of uses) {
    if (model.scopeOf(u).fn !== fn) return null;
    const up = u.parent;
    const l = loopOver(u);
    if (l) {
      if (!loopUsesOk(ctx, l, need)) return null;
      continue;
    }
    if (up?.type === 'argument_list' && up.parent?.type === 'call' && model.textOf(up.parent.childForFieldName('function')!) === 'len') continue;
    if (up?.type === 'not_operator' || (up && /^(if|elif|while)_?(statement|clause)?$/.test(up.type) && up.childForFieldName('condition')?.id === u.id)) continue;
    if (up?.type === 'subscript' && up.childForFieldName('value')?.id === u.id) {
      // rows[0].status
      const gp = up.parent;
      if (gp?.type === 'attribute' && gp.childForFieldName('object')?.id === up.id) {
        const attr = model.textOf(gp.childForFieldName('attribute')!);
        if (attr === 'input') need.input = true;
        else if (attr === 'output' || attr === 'error') need.output = true;
        else if (!METADATA.has(attr)) return null;
        continue;
      }
      return null;
    }
    return null;
  }
  return need;
}

export const rule: Rule = {
  code: 'DBOS217',
  requires: ['list_workflows', 'list_queued_workflows'],
  check(ctx) {
    const { model } = ctx;
    // tests list a handful of workflows to assert on them: the cost does not matter there
    if (isTestPath(model)) return;
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (!fqn || !TARGETS.test(fqn) || !call.args || call.args.type !== 'argument_list') continue;
      const args = argList(call);
      if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) continue;
      const hasIn = !!keywordArgument(model, call, 'load_input');
      const hasOut = !!keywordArgument(model, call, 'load_output');
      if (hasIn && hasOut) continue;
      const need = resultNeeds(ctx, call);
      if (!need) continue;
      const flags = [!hasIn && !need.input ? 'load_input=False' : null, !hasOut && !need.output ? 'load_output=False' : null].filter(
        (x): x is string => !!x,
      );
      if (flags.length === 0) continue;
      const text = flags.join(', ');
      const last = args[args.length - 1];
      const edit = last
        ? model.lines.edit(last.endIndex, last.endIndex, `, ${text}`)
        : model.lines.edit(call.args.startIndex + 1, call.args.endIndex - 1, text);
      ctx.report({
        node: call.callee,
        message:
          `\`${model.textOf(call.callee)}(...)\` loads ${flags.length === 2 ? 'inputs and outputs' : flags[0].startsWith('load_input') ? 'inputs' : 'outputs'} that this code never reads\n` +
          `It loads and deserializes them for every listed workflow, but the result is only read for metadata (IDs, status, names, timestamps). Nothing fails; it is wasted database traffic and CPU. Pass \`${text}\`.`,
        fixes: [{ title: `Add \`${text}\``, safe: true, preferred: true, edits: [edit] }],
      });
    }
  },
};
