// DBOS603: Debouncer.create() given a bound method, or debounce() under SetEnqueueOptions (or a
// DebouncerClient whose workflow options) that set what the debouncer owns.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, ClassInfo, FunctionInfo, Scope } from '../model/types';
import type { Fix } from '../types';
import { argDeletionRange, callsTo, hasSplat, methodKind, positional, singleBindingValue, stringValue } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument } from '../syntax/arguments';
import { dictLiteral } from '../model/queues';

const CREATE = ['dbos.Debouncer.create', 'dbos.Debouncer.create_async'];
const DEBOUNCE = ['create', 'create_async'].flatMap((c) => ['debounce', 'debounce_async'].map((m) => `dbos.Debouncer.${c}().${m}`));

/** Options a debounce owns, with DBOS's message for each. */
const CONFLICTS: Record<string, string> = {
  deduplication_id: "Cannot debounce a workflow with a deduplication_id set: the debounce key is used as the workflow's deduplication ID.",
  delay_seconds: "Cannot debounce a workflow with a delay set: the debounce period controls the workflow's delay.",
  priority: 'Cannot debounce a workflow with a priority set: priority is not supported for debounced workflows.',
  queue_partition_key: 'Cannot debounce a workflow with a queue partition key set: partitioned queues do not support deduplication, which debouncing requires.',
  duplication_policy: "Cannot debounce a workflow with duplication_policy 'return-existing': a debounce owns the workflow's deduplication behavior.",
};

/** Whether an option value sets the option (`None` does not; the policy only conflicts as "return-existing"). */
function conflicting(ctx: RuleContext, name: string, value: Node | null | undefined): boolean {
  if (!value || value.type === 'none') return false;
  if (name === 'duplication_policy') return stringValue(ctx.model, value) === 'return-existing';
  return true;
}

/** The class whose method a `self.` / `cls.` receiver refers to. */
function enclosingClass(scope: Scope): ClassInfo | null {
  for (let f: FunctionInfo | null = scope.fn; f; f = f.parent) if (f.cls) return f.cls;
  return null;
}

/** The method of this file that `arg` passes bound (an instance method of an instance, a classmethod). */
function boundMethod(ctx: RuleContext, arg: Node, scope: Scope): FunctionInfo | null {
  const { model } = ctx;
  if (arg.type !== 'attribute') return null;
  const obj = arg.childForFieldName('object');
  const attr = arg.childForFieldName('attribute');
  if (!obj || !attr) return null;
  const name = model.textOf(attr);
  const find = (cls: ClassInfo | null | undefined) => cls?.methods.find((m) => m.name === name) ?? null;
  const objText = model.textOf(obj);
  if (obj.type === 'identifier' && (objText === 'self' || objText === 'cls')) {
    const m = find(enclosingClass(scope));
    if (!m) return null;
    const kind = methodKind(m);
    if (objText === 'self') return kind === 'static' ? null : m;
    return kind === 'class' ? m : null;
  }
  const fqn = model.resolve(obj, scope);
  if (!fqn) return null;
  if (fqn.endsWith('()')) {
    const m = find(model.classes.find((c) => c.fqn === fqn.slice(0, -2)));
    return m && methodKind(m) !== 'static' ? m : null;
  }
  const m = find(model.classes.find((c) => c.fqn === fqn));
  return m && methodKind(m) === 'class' ? m : null;
}

/** `SetEnqueueOptions(...)` calls of `with` statements around the call, in the same function. */
function enqueueOptionsAround(ctx: RuleContext, call: CallInfo): Node[] {
  const { model } = ctx;
  const out: Node[] = [];
  for (const w of model.withs) {
    if (!w.body || w.scope.fn !== call.scope.fn) continue;
    if (call.start < w.body.startIndex || call.end > w.body.endIndex) continue;
    for (const item of w.items) {
      if (item.value.type === 'call' && model.resolve(item.value.childForFieldName('function'), w.scope) === 'dbos.SetEnqueueOptions') out.push(item.value);
    }
  }
  return out;
}

export const rule: Rule = {
  code: 'DBOS603',
  requires: ['Debouncer', 'DebouncerClient'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    // (a) a bound method
    for (const { call, fqn } of callsTo(model, CREATE)) {
      const arg = positional(call, 0) ?? keywordArgument(model, call, 'workflow')?.childForFieldName('value') ?? null;
      if (!arg) continue;
      const m = boundMethod(ctx, arg, call.scope);
      if (!m) continue;
      ctx.report({
        node: arg,
        message:
          `\`Debouncer.${fqn.slice(fqn.lastIndexOf('.') + 1)}()\` is given the method \`${model.textOf(arg)}\`\nDBOS raises ` +
          '`TypeError: Only workflow functions may be debounced, not methods`. Debounce a module-level `@DBOS.workflow()` function ' +
          '(it may call the method).',
      });
    }
    // (b) debounce() under SetEnqueueOptions that set what the debouncer owns
    for (const { call, fqn } of callsTo(model, DEBOUNCE)) {
      for (const opts of enqueueOptionsAround(ctx, call)) {
        const bad = Object.keys(CONFLICTS)
          .map((k) => keywordArgument(model, opts, k))
          .filter((a): a is Node => !!a && conflicting(ctx, model.textOf(a.childForFieldName('name')!), a.childForFieldName('value')));
        if (bad.length === 0) continue;
        const names = bad.map((a) => model.textOf(a.childForFieldName('name')!));
        const fixes: Fix[] = [];
        const edits = hasSplat(opts) ? null : removeArgs(ctx, bad);
        if (edits) fixes.push({ title: `Remove ${names.map((n) => `\`${n}\``).join(', ')} from \`SetEnqueueOptions\``, safe: false, edits });
        ctx.report({
          node: call.node,
          message:
            `\`${fqn.slice(fqn.lastIndexOf('.') + 1)}()\` runs under \`SetEnqueueOptions(${names.map((n) => `${n}=...`).join(', ')})\`\nDBOS raises ` +
            `\`DBOSException: ${CONFLICTS[names[0]]}\` The debouncer owns the deduplication ID and delay of the workflow; remove ` +
            `${names.length > 1 ? 'these options' : 'this option'} around \`debounce()\`.`,
          fixes,
        });
      }
    }
    // (b) the same options in a DebouncerClient's workflow options: raised by each debounce()
    const clientDebounces = ['debounce', 'debounce_async'].map((m) => `dbos.DebouncerClient().${m}`);
    for (const { call, fqn } of callsTo(model, clientDebounces)) {
      const recv = call.callee.childForFieldName('object');
      if (recv?.type !== 'identifier') continue;
      const ctor = singleBindingValue(model, recv, call.scope);
      if (ctor?.type !== 'call' || model.resolve(ctor.childForFieldName('function')) !== 'dbos.DebouncerClient') continue;
      let opts = positional(ctor, 1) ?? keywordArgument(model, ctor, 'workflow_options')?.childForFieldName('value') ?? null;
      if (opts?.type === 'identifier') opts = singleBindingValue(model, opts, model.scopeOf(ctor));
      const d = dictLiteral(model, opts);
      if (!d) continue;
      const names = Object.keys(CONFLICTS).filter((k) => conflicting(ctx, k, d.entries.get(k)?.value));
      if (names.length === 0) continue;
      const line = model.lines.positionAt(d.entries.get(names[0])!.node.startIndex).line + 1;
      ctx.report({
        node: call.node,
        message:
          `\`${model.textOf(recv)}.${fqn.slice(fqn.lastIndexOf('.') + 1)}()\` uses a \`DebouncerClient\` whose workflow options set ` +
          `${names.map((n) => `"${n}"`).join(', ')} (line ${line})\nDBOS raises \`DBOSException: ${CONFLICTS[names[0]]}\` ` +
          `Remove ${names.length > 1 ? 'these keys' : 'this key'} from the options.`,
      });
    }
  },
};

/** Edits deleting keyword arguments of one call; null when they are spread over several lines with others. */
function removeArgs(ctx: RuleContext, args: Node[]) {
  const { model } = ctx;
  const list = args[0].parent!;
  const items = list.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
  const remove = new Set(args.map((a) => a.id));
  const keep = items.filter((a) => !remove.has(a.id));
  if (keep.length === 0) return [model.lines.edit(list.startIndex + 1, list.endIndex - 1, '')];
  if (!model.textOf(list).includes('\n')) return [model.lines.edit(list.startIndex + 1, list.endIndex - 1, keep.map((a) => model.textOf(a)).join(', '))];
  if (args.length > 1) return null;
  const r = argDeletionRange(model, args[0]);
  return [model.lines.edit(r.start, r.end, '')];
}
