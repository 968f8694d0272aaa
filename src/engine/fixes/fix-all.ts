// Applying many fixes at once (CLI --fix, the editor's fix-all): safe fixes only unless asked.
import type { Finding, Fix, TextEdit } from '../types';
import { applyEdits } from '../text';
import { importsMadeUnused } from './unused-imports';

/** The fix to apply for a finding: the preferred one among those allowed, else the first allowed. */
export function chooseFix(f: Finding, unsafe: boolean): Fix | undefined {
  // a fix that edits another file is offered one at a time in an editor, never applied in bulk
  const allowed = f.fixes.filter((x) => (x.safe || unsafe) && !x.crossFile && !x.edits.some((e) => e.file !== undefined));
  return allowed.find((x) => x.preferred) ?? allowed[0];
}

/** Non-overlapping edits of one fix per finding, in order; a fix that overlaps an earlier one waits. */
export function collectEdits(findings: readonly Finding[], unsafe: boolean): { edits: TextEdit[]; applied: number } {
  const taken: TextEdit[] = [];
  let applied = 0;
  for (const f of findings) {
    const fix = chooseFix(f, unsafe);
    if (!fix) continue;
    // identical edits from several fixes (an added import) are applied once
    const fresh = fix.edits.filter((e) => !taken.some((t) => t.startOffset === e.startOffset && t.endOffset === e.endOffset && t.newText === e.newText));
    const overlaps = fresh.some((e) =>
      taken.some((t) => (e.startOffset < t.endOffset && t.startOffset < e.endOffset) || (e.startOffset === t.startOffset && e.endOffset === t.endOffset)),
    );
    if (overlaps) continue;
    taken.push(...fresh);
    applied++;
  }
  return { edits: taken, applied };
}

/**
 * Applies fixes until none is left (at most `rounds` passes, since one fix can make room for
 * another), then removes the imports the fixes left unused. `analyzeText` re-runs the engine on the
 * new text.
 */
export function fixAll(
  text: string,
  analyzeText: (t: string) => readonly Finding[],
  unsafe: boolean,
  rounds = 10,
): { text: string; fixed: number } {
  let cur = text;
  let fixed = 0;
  for (let i = 0; i < rounds; i++) {
    const { edits, applied } = collectEdits(analyzeText(cur), unsafe);
    if (applied === 0) break;
    const next = applyEdits(cur, edits);
    if (next === cur) break;
    cur = next;
    fixed += applied;
  }
  // imports the fixes stopped using (`import time` after every `time.sleep` became `DBOS.sleep`)
  if (fixed > 0) {
    const prune = importsMadeUnused(text, cur);
    if (prune.length > 0) cur = applyEdits(cur, prune);
  }
  return { text: cur, fixed };
}
