// The calls of the module that enter a function of the module, indexed once per model.
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import { oncePerModel } from './per-model';
import { startedFunction } from './thread-runners';

/** Every call of the module whose target is `fn` (`model.targetFunction`), in the order of `model.calls`. */
export function callersOf(model: ModuleModel, fn: FunctionInfo): CallInfo[] {
  return (callIndex(model).direct.get(fn) ?? []).map((i) => model.calls[i]);
}

/**
 * The calls that make `fn` run: its callers (`callersOf`) and the calls that hand it to a thread or
 * task runner, which runs it there and then (`asyncio.to_thread(fn)`, `threading.Thread(target=fn)`,
 * `executor.submit(fn)`: `startedFunction`), in the order of `model.calls`. For the questions of when
 * and how often it runs (`model/run-time.ts`); not for what context it runs in (a thread does not
 * carry the workflow's).
 */
export function runnersOf(model: ModuleModel, fn: FunctionInfo): CallInfo[] {
  const { direct, handed } = callIndex(model);
  const more = handed.get(fn);
  const own = direct.get(fn) ?? [];
  return (more ? [...own, ...more].sort((a, b) => a - b) : own).map((i) => model.calls[i]);
}

/** The positions of the module's calls by the function of the module each enters or hands on: one pass, not one per function asked. */
const callIndex = oncePerModel((model: ModuleModel) => {
  const direct = new Map<FunctionInfo, number[]>();
  const handed = new Map<FunctionInfo, number[]>();
  const add = (map: Map<FunctionInfo, number[]>, fn: FunctionInfo, i: number): void => {
    const list = map.get(fn);
    if (list) list.push(i);
    else map.set(fn, [i]);
  };
  model.calls.forEach((call, i) => {
    const target = model.targetFunction(call);
    if (target) return add(direct, target, i);
    const ref = startedFunction(model, call);
    const run = ref && model.targetFunction(ref);
    if (run) add(handed, run, i);
  });
  return { direct, handed };
});
