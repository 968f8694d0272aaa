// Answers computed once per module model and shared by all that ask (several rules, the registry).
import type { ModuleModel } from './module';
import type { CallInfo } from './types';

/**
 * `compute`, run at most once per model: every later question about the same model gets the same
 * answer, which its readers must never change.
 */
export function oncePerModel<T>(compute: (model: ModuleModel) => T): (model: ModuleModel) => T {
  const kept = new WeakMap<ModuleModel, T>();
  return (model) => {
    if (kept.has(model)) return kept.get(model) as T;
    const answer = compute(model);
    kept.set(model, answer);
    return answer;
  };
}

/**
 * The positions in `model.calls` of the calls of each key `keyOf` gives (a call without one is left
 * out), in the model's order: one pass over the calls, for questions that would each pass over all of them.
 */
export function callPositionsBy<K>(model: ModuleModel, keyOf: (call: CallInfo) => K | null | undefined): Map<K, number[]> {
  const out = new Map<K, number[]>();
  model.calls.forEach((call, i) => {
    const key = keyOf(call);
    if (key === null || key === undefined) return;
    const list = out.get(key);
    if (list) list.push(i);
    else out.set(key, [i]);
  });
  return out;
}
