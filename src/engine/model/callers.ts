// The calls of the module that enter a function of the module, indexed once per model.
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import { callPositionsBy, oncePerModel } from './per-model';

/** Every call of the module whose target is `fn` (`model.targetFunction`), in the order of `model.calls`. */
export function callersOf(model: ModuleModel, fn: FunctionInfo): CallInfo[] {
  return (callsByTarget(model).get(fn) ?? []).map((i) => model.calls[i]);
}

/** The positions of the module's calls by the function of the module each enters: one pass, not one per function asked. */
const callsByTarget = oncePerModel((model: ModuleModel) => callPositionsBy(model, (call) => model.targetFunction(call)));
