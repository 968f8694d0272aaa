// When the analysed file's functions run by their callers in other modules: the workspace index's
// answer (project/callers.ts) in the form model/run-time.ts asks for it (`Elsewhere`), and the
// related location of the call a reason names, in this file or another.
import type { RuleContext } from './rule';
import type { RelatedInfo } from '../types';
import { howRun, type Elsewhere, type RunReason } from '../model/run-time';

/** The callers of a module-level function in other modules, asked to the index; none without one (single-file analysis). */
export function elsewhere(ctx: RuleContext): Elsewhere | undefined {
  const { index, file } = ctx;
  return index && file ? (fn) => index.runTimeElsewhere(file, fn.qualname) : undefined;
}

/**
 * The related locations of the call a reason starts at (`at` in this file, `site` in another), its
 * message made from how the call runs the function (`howRun`: "called", "handed to `asyncio.to_thread`");
 * none when the reason has no call (what the function itself is).
 */
export function callLocation(ctx: RuleContext, reason: RunReason | null | undefined, message: (how: string) => string): RelatedInfo[] {
  if (reason?.at) return [{ message: message(howRun(ctx.model, reason.at)), range: ctx.model.lines.range(reason.at.start, reason.at.end) }];
  if (reason?.site) return [{ message: message(reason.site.how), range: reason.site.range, file: reason.site.file }];
  return [];
}
