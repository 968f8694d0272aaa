// Rewrites between DBOS's durable sleep and a plain pause, shared by the rules that offer them
// (DBOS207 in steps, DBOS208 outside workflows): one place that knows how to name `time.sleep` in
// the file without breaking a name the file already uses for something else.
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import type { Fix, TextEdit } from '../types';
import { argList, positionalArgs } from '../syntax/arguments';
import { libraryNameAt } from './library-names';
import { parentOf } from '../syntax/enclosing';

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
  const name = libraryNameAt(model, call, mod, target);
  if (!name) return [];
  const edits: TextEdit[] = [model.lines.edit(call.callee.startIndex, call.callee.endIndex, name.text), ...name.edits];
  return [{ title: `Replace with \`${name.text}(...)\` (a plain, non-durable pause)`, safe: false, edits }];
}
