// Rewrites between DBOS's durable sleep and a plain pause, shared by the rules that offer them
// (DBOS207 in steps, DBOS208 outside workflows): one place that knows how to name `time.sleep` in
// the file without breaking a name the file already uses for something else.
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix, TextEdit } from '../types';
import { argList, positionalArgs } from '../syntax/arguments';
import { addImportEdit } from './common';
import { parentOf } from '../syntax/enclosing';

/** Whether `name` is bound at module level or in a function around the call (a parameter, a local, an import). */
function boundAround(model: ModuleModel, call: CallInfo, name: string): boolean {
  if (model.module.bindings.has(name) || model.module.imports.has(name)) return true;
  for (let f: FunctionInfo | null = call.scope.fn; f; f = f.parent) {
    if (f.params.includes(name) || f.bindings.has(name) || f.imports.has(name)) return true;
  }
  return false;
}

/**
 * `DBOS.sleep(x)` -> `time.sleep(x)`, `await DBOS.sleep_async(x)` -> `await asyncio.sleep(x)` (one
 * positional argument), with `import time`/`import asyncio` when the module lacks it. None when the
 * module name means something else where the call is (`time = "noon"`): `time.sleep` would fail there.
 */
export function plainSleepFix(model: ModuleModel, call: CallInfo, isAsync: boolean): Fix[] {
  if (argList(call).length !== 1 || positionalArgs(call).length !== 1) return [];
  if (isAsync && parentOf(call.node)?.type !== 'await') return [];
  const mod = isAsync ? 'asyncio' : 'time';
  const target = `${mod}.sleep`;
  const edits: TextEdit[] = [];
  let text = model.localNameFor(target);
  // `from time import sleep`, or `import time`, but the name is a parameter or a local where the call is
  if (text && shadowedLocally(call, text.split('.')[0])) text = null;
  if (!text) {
    if (boundAround(model, call, mod)) return [];
    text = target;
    edits.push(addImportEdit(model, `import ${mod}`));
  }
  edits.unshift(model.lines.edit(call.callee.startIndex, call.callee.endIndex, text));
  return [{ title: `Replace with \`${text}(...)\` (a plain, non-durable pause)`, safe: false, edits }];
}

/** A parameter or local of a function around the call has this name. */
function shadowedLocally(call: CallInfo, name: string): boolean {
  for (let f: FunctionInfo | null = call.scope.fn; f; f = f.parent) if (f.params.includes(name) || f.bindings.has(name)) return true;
  return false;
}
