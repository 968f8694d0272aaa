// Whether a class of this module inherits `DBOSConfiguredInstance` (what DBOS needs to dispatch its
// instance-method workflows), through the module's own classes. Across modules: project/resolution.ts.
import type { ModuleModel } from './module';
import type { ClassInfo } from './types';

/** Bases known not to lead to DBOSConfiguredInstance. */
export const PLAIN_BASES = /^(builtins\.\w+|abc\.ABC|typing\.\w+|typing_extensions\.\w+|enum\.\w+|pydantic\.BaseModel)$/;

export type Inherits = 'yes' | 'no' | 'unknown';

/** 'yes', 'no', or 'unknown' (a base of another module or one that cannot be resolved). */
export function inheritsConfigured(model: ModuleModel, cls: ClassInfo, seen = new Set<ClassInfo>()): Inherits {
  if (seen.has(cls)) return 'unknown';
  seen.add(cls);
  let result: Inherits = 'no';
  for (const b of cls.bases) {
    if (b.type === 'keyword_argument') continue;
    const fqn = model.resolve(b);
    if (fqn === 'dbos.DBOSConfiguredInstance') return 'yes';
    const local = fqn ? model.classes.find((c) => c.fqn === fqn) : undefined;
    if (local) {
      const r = inheritsConfigured(model, local, seen);
      if (r === 'yes') return 'yes';
      if (r === 'unknown') result = 'unknown';
    } else if (!fqn || !PLAIN_BASES.test(fqn)) result = 'unknown';
  }
  return result;
}
