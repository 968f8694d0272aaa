// What one file may cost: its size (checked before the parse) and its time (one budget counted from
// when the caller started on the file, read included, checked during the parse through tree-sitter's
// progress callback, after the model, and before each rule). A file over either is reported once, as
// a `FileLimitNotice` in the analysis result, and skipped (nothing checked) or partly checked.

/** The time budget of a file when neither the host nor the configuration sets one: a batch run (CLI). */
export const DEFAULT_FILE_TIME_BUDGET_MS = 10_000;
/** The time budget of a file in the editor when neither the setting nor the project sets one. */
export const EDITOR_FILE_TIME_BUDGET_MS = 1_000;

/** Why a file was not checked in full, for the user (every host shows `message` once per file). */
export interface FileLimitNotice {
  /** `too-large`: over the size limit, not parsed. `over-budget`: its time ran out. */
  reason: 'too-large' | 'over-budget';
  /** `none`: no rule ran (the file was not parsed, or its time ran out before the rules); `partial`: some rules ran. */
  checked: 'none' | 'partial';
  /** Where the time ran out (`over-budget`). */
  phase?: 'parse' | 'model' | 'rules';
  /** One sentence without the file name, e.g. `not checked: 47.0 MB is over the 2 MiB size limit (max-file-size-kb)`. */
  message: string;
  /** The file's size in bytes (`too-large`). */
  bytes?: number;
  /** The limit it went over: bytes for `too-large`, ms for `over-budget`. */
  limit: number;
  /** Time spent on the file when it stopped (`over-budget`), ms. */
  ms?: number;
}

export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} bytes`;
}

export function tooLarge(bytes: number, limit: number): FileLimitNotice {
  return {
    reason: 'too-large',
    checked: 'none',
    bytes,
    limit,
    message: `not checked: ${sizeText(bytes)} is over the ${sizeText(limit)} size limit (max-file-size-kb)`,
  };
}

export function overBudget(phase: 'parse' | 'model' | 'rules', ms: number, budgetMs: number, skippedRules = 0): FileLimitNotice {
  const what =
    phase === 'rules'
      ? `partly checked: ${skippedRules} rule${skippedRules === 1 ? ' was' : 's were'} skipped`
      : `not checked: the time ran out ${phase === 'parse' ? 'while parsing the file' : 'before the rules ran'}`;
  return {
    reason: 'over-budget',
    checked: phase === 'rules' ? 'partial' : 'none',
    phase,
    ms: Math.round(ms),
    limit: budgetMs,
    message: `${what} (${Math.round(ms)} ms, over the ${budgetMs} ms budget per file: file-time-budget-ms)`,
  };
}
