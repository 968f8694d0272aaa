// How a fix writes a library function at a call (`time.sleep`, `asyncio.to_thread`): the name the
// module already has for it, else the dotted name with `import <module>` added, unless the module's
// name means something else where the call is. Shared by the fixes that bring in such a call.
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { TextEdit } from '../types';
import { addImportEdit } from './common';

/**
 * How to write `target` (`mod.name`) at `call`, and the import to add; null when `mod` is bound to
 * something else at module level or in a function around the call (`time = "noon"`): `time.sleep`
 * would fail there.
 */
export function libraryNameAt(model: ModuleModel, call: CallInfo, mod: string, target: string): { text: string; edits: TextEdit[] } | null {
  let text = model.localNameFor(target);
  // `from time import sleep`, or `import time`, but the name is a parameter or a local where the call is
  if (text && shadowedLocally(call, text.split('.')[0])) text = null;
  if (text) return { text, edits: [] };
  if (boundAround(model, call, mod)) return null;
  return { text: target, edits: [addImportEdit(model, `import ${mod}`)] };
}

/** A parameter or local of a function around the call has this name. */
function shadowedLocally(call: CallInfo, name: string): boolean {
  for (let f: FunctionInfo | null = call.scope.fn; f; f = f.parent) if (f.params.includes(name) || f.bindings.has(name)) return true;
  return false;
}

/** Whether `name` is bound at module level or in a function around the call (a parameter, a local, an import). */
function boundAround(model: ModuleModel, call: CallInfo, name: string): boolean {
  if (model.module.bindings.has(name) || model.module.imports.has(name)) return true;
  for (let f: FunctionInfo | null = call.scope.fn; f; f = f.parent) {
    if (f.params.includes(name) || f.bindings.has(name) || f.imports.has(name)) return true;
  }
  return false;
}
