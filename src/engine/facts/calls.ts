// Facts about one call that the call summaries and the effect rules share: its number of arguments,
// and whether a random generator it is called on was seeded.
import type { ModuleModel } from '../model/module';
import type { Binding, CallInfo, FunctionInfo } from '../model/types';
import { isWorkflow } from '../model/kinds';

/**
 * Names in libraries whose functions are never the project's code: the index does not look them up
 * on disk, so a call of one enters no function of the project (project/resolution.ts).
 */
export const EXTERNAL = /^(builtins|dbos|typing|typing_extensions|__future__)\./;

export function argCount(call: CallInfo): number {
  if (!call.args || call.args.type !== 'argument_list') return call.args ? 1 : 0;
  return call.args.namedChildren.filter((a) => a && a.type !== 'comment').length;
}

/** Generators that are deterministic when built with a seed: `random.Random(42).random()`. */
const SEEDABLE = new Set(['random.Random', 'numpy.random.default_rng', 'numpy.random.RandomState', 'numpy.random.Generator']);

/** A method call on an instance of a seedable generator that was constructed with arguments (a seed), or that is a workflow's input. */
export function seededReceiver(model: ModuleModel, call: CallInfo, fqn: string): boolean {
  const i = fqn.indexOf('().');
  if (i < 0 || !SEEDABLE.has(fqn.slice(0, i)) || call.calleeType !== 'attribute') return false;
  let obj = call.callee.childForFieldName('object');
  for (let depth = 0; obj && depth < 4; depth++) {
    if (obj.type === 'call') {
      const args = obj.childForFieldName('arguments');
      return !!args && args.namedChildren.some((a) => a && a.type !== 'comment');
    }
    if (obj.type !== 'identifier') return false;
    // the single binding of the name, in the innermost scope that binds it
    const name = model.textOf(obj);
    let bindings: Binding[] | undefined;
    let owner: FunctionInfo | null = null;
    for (let f = call.scope.fn; f && !bindings; f = f.parent) {
      bindings = f.bindings.get(name);
      owner = f;
    }
    bindings ??= model.module.bindings.get(name);
    if (!bindings || bindings.length !== 1) return false;
    // a generator that is a workflow's own input: DBOS records the inputs, so a replay starts from the
    // same state (a helper's generator parameter is its caller's: unknown here, still reported)
    if (bindings[0].value === null && bindings[0].annotation !== undefined && owner && isWorkflow(owner) && owner.params.includes(name)) return true;
    obj = bindings[0].value;
  }
  return false;
}

