// `await loop.run_in_executor(None, f, *args)` -> `await asyncio.to_thread(f, *args)`: the same
// default executor, with the caller's context variables copied into the thread (DBOS's workflow
// context among them, so a step handed there is checkpointed).
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import type { Fix } from '../types';
import { argList } from '../syntax/arguments';
import { parentOf } from '../syntax/enclosing';
import { libraryNameAt } from './library-names';

/**
 * The rewrite of an awaited `run_in_executor` call on the default executor (`None`) to
 * `asyncio.to_thread`; null for another executor (`to_thread` would change it), a call that is not
 * awaited where it is made (its future may be used otherwise), or when `asyncio` means something
 * else there.
 */
export function toThreadFix(model: ModuleModel, call: CallInfo): Fix | null {
  const args = argList(call);
  if (args.length < 2 || args[0].type !== 'none' || args.some((a) => a.type === 'keyword_argument' || a.type === 'dictionary_splat')) return null;
  if (parentOf(call.node)?.type !== 'await') return null;
  const name = libraryNameAt(model, call, 'asyncio', 'asyncio.to_thread');
  if (!name) return null;
  const l = model.lines;
  return {
    title: `Use \`${name.text}(...)\` (it carries the workflow's context into the thread)`,
    safe: false,
    edits: [l.edit(call.callee.startIndex, call.callee.endIndex, name.text), l.edit(args[0].startIndex, args[1].startIndex, ''), ...name.edits],
  };
}
