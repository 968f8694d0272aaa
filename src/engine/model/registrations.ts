// DBOS registration names (DBOS216, DBOS905): the name under which DBOS registers each workflow,
// step, legacy transaction and DBOS class of a file, read from the decorators.
import { oncePerModel } from './per-model';
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { ClassInfo, DecoratorInfo, FunctionInfo } from './types';
import { argList, keywordArgument, positionalArgs, stringValue } from '../syntax/arguments';

/** `workflow` names share one namespace; steps and transactions register `<temp>.<name>` workflows. */
export type RegistrationKind = 'workflow' | 'step' | 'transaction' | 'class';

const DECORATORS: Record<string, RegistrationKind> = {
  'dbos.DBOS.workflow': 'workflow',
  'dbos.DBOS.step': 'step',
  'dbos.DBOS.transaction': 'transaction',
};

export interface Registration {
  kind: RegistrationKind;
  /** The registered name (`name=` literal, else `__qualname__`). */
  name: string;
  /** From a `name=` / class-name literal (not the default). */
  explicit: boolean;
  /** The decorator (or the functional registration call). */
  node: Node;
  /** The `name=` keyword argument (or class-name argument) when explicit. */
  nameArg: Node | null;
  /** The argument list of the decorator call, for inserting `name=`. */
  args: Node | null;
  fn: FunctionInfo | null;
  cls: ClassInfo | null;
}

/** The namespace key DBOS uses in its registry: steps and transactions share `<temp>.`. */
export function registryKey(r: Registration): string {
  if (r.kind === 'class') return `class:${r.name}`;
  return r.kind === 'workflow' ? `wf:${r.name}` : `tmp:${r.name}`;
}

/** The name a decorator call gives: the `name=` literal, the default, or null when it cannot be read. */
function nameFrom(model: ModuleModel, args: Node, fallback: string): { name: string; explicit: boolean; nameArg: Node | null } | null {
  if (argList(args.parent ?? args).some((a) => a.type === 'dictionary_splat' || a.type === 'list_splat')) return null;
  const kw = keywordArgument(model, args.parent!, 'name');
  if (!kw) return { name: fallback, explicit: false, nameArg: null };
  const value = kw.childForFieldName('value');
  if (value?.type === 'none') return { name: fallback, explicit: false, nameArg: kw };
  const v = stringValue(model, value);
  return v === null ? null : { name: v, explicit: true, nameArg: kw };
}

function fromDecorator(model: ModuleModel, d: DecoratorInfo, fn: FunctionInfo): Registration | null {
  const kind = d.fqn ? DECORATORS[d.fqn] : undefined;
  // a bare `@DBOS.workflow` (DBOS215) or a decorator held in a variable: the name is not readable here
  if (!kind || !d.called || !d.args || d.args.type !== 'argument_list') return null;
  const n = nameFrom(model, d.args, fn.qualname);
  if (!n) return null;
  return { kind, ...n, node: d.node, args: d.args, fn, cls: null };
}

/**
 * Every registration of the file whose name can be read, in source order; computed once per model
 * (the workspace registry and DBOS216 both read them).
 */
export const registrations: (model: ModuleModel) => readonly Registration[] = oncePerModel(findRegistrations);

function findRegistrations(model: ModuleModel): Registration[] {
  const out: Registration[] = [];
  for (const fn of model.functions) {
    for (const d of fn.decorators) {
      const r = fromDecorator(model, d, fn);
      if (r) out.push(r);
    }
  }
  // functional registration: `job = DBOS.workflow(name="job")(impl)`
  for (const call of model.calls) {
    if (call.calleeType !== 'call') continue;
    const inner = call.callee;
    const fqn = model.resolve(inner.childForFieldName('function'));
    const kind = fqn ? DECORATORS[fqn] : undefined;
    const args = inner.childForFieldName('arguments');
    if (!kind || !args || args.type !== 'argument_list') continue;
    const target = positionalArgs(call)[0];
    const tfqn = target && target.type !== 'lambda' ? model.resolve(target) : null;
    const fn = tfqn ? model.functionsByFqn.get(tfqn) ?? null : null;
    if (!fn) continue;
    const n = nameFrom(model, args, fn.qualname);
    if (!n) continue;
    out.push({ kind, ...n, node: call.node, args, fn, cls: null });
  }
  for (const cls of model.classes) {
    for (const d of cls.decorators) {
      if (d.fqn !== 'dbos.DBOS.dbos_class' && d.fqn !== 'dbos.DBOS.default_required_roles') continue;
      if (!d.called || !d.args || d.args.type !== 'argument_list') continue;
      if (d.fqn === 'dbos.DBOS.default_required_roles') {
        out.push({ kind: 'class', name: cls.qualname, explicit: false, node: d.node, nameArg: null, args: d.args, fn: null, cls });
        continue;
      }
      const all = argList(d.args.parent!);
      if (all.some((a) => a.type === 'dictionary_splat' || a.type === 'list_splat')) continue;
      const arg = positionalArgs(d.args.parent!)[0] ?? keywordArgument(model, d.args.parent!, 'class_name')?.childForFieldName('value') ?? null;
      if (!arg || arg.type === 'none') {
        out.push({ kind: 'class', name: cls.qualname, explicit: false, node: d.node, nameArg: null, args: d.args, fn: null, cls });
        continue;
      }
      const v = stringValue(model, arg);
      if (v !== null) out.push({ kind: 'class', name: v, explicit: true, node: d.node, nameArg: arg, args: d.args, fn: null, cls });
    }
  }
  return out.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/** Registered workflow names of the file (to tell whether an enqueue by name targets this file). */
export function workflowNames(model: ModuleModel): Set<string> {
  return new Set(registrations(model).filter((r) => r.kind === 'workflow').map((r) => r.name));
}

