// Answers computed once per module model and shared by all that ask (several rules, the registry).
import type { ModuleModel } from './module';

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
