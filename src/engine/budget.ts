// What one file may cost: its size (checked before the parse) and its time (one budget counted from
// when the caller started on the file, read included, checked during the parse through tree-sitter's
// progress callback, and inside the model, the facts, the project index and the rules through
// `checkTime`, a cooperative check in their long loops). A file over either is reported once, as a
// `FileLimitNotice` in the analysis result, and skipped (nothing checked) or partly checked.

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

// ---------------------------------------------------------------------------------------------
// The cooperative deadline. `TimeBox.run` runs work under a deadline; the long loops of the engine
// (tree walks, visitors, name lookups, chain searches, loops over nodes or calls) call `checkTime()`,
// which every CHECK_EVERY calls reads the clock and throws `OutOfTime` when the running box's time is
// out or the work of any running box was cancelled. The box that started the work catches it
// (`owns`): the engine's rule loop drops what the stopped rule had reported and counts it as skipped.
// Outside any box `checkTime` does nothing (the server's code actions, the benches).
//
// Work done for the analysed file on another file (the project index summarising an imported module)
// runs in a nested box (`TimeBox.nested`): that module's own budget, charged to that module. The
// outer box's clock is paused meanwhile (its deadline moves on by the time the inner one took), so a
// slow neighbour neither eats the file's budget nor is cut short by it, and one over its own budget is
// a module without helpers (like one over the size limit), reported when that module is checked.

/** Calls of `checkTime` between two readings of the clock: a reading costs about what one step of a walk does. */
const CHECK_EVERY = 64;

interface Frame {
  /** `performance.now()` past which the work stops (moved on while a nested box runs). */
  at: number;
  budgetMs: number;
  cancelled?: () => boolean;
  outer: Frame | null;
  /** Time spent in nested boxes (not charged to this one), ms. */
  pausedMs: number;
}

let top: Frame | null = null;
let countdown = CHECK_EVERY;

/**
 * Thrown by `checkTime` inside `TimeBox.run`: the box's time is out (`cancelled` false) or its work
 * was cancelled. Internal to the engine: never reaches a host.
 */
export class OutOfTime extends Error {
  constructor(
    readonly frame: object,
    readonly cancelled: boolean,
  ) {
    super(cancelled ? 'analysis cancelled' : 'file time budget exhausted');
    this.name = 'OutOfTime';
  }
}

/** The cooperative check: cheap (a countdown) except every CHECK_EVERY calls, when it reads the clock. */
export function checkTime(): void {
  if (top === null || --countdown > 0) return;
  checkTimeNow();
}

/**
 * `checkTime` reading the clock at once (after a step that may have been long, e.g. a bounded parse).
 * A cancel of any running box stops the work (the outermost cancelled box owns it); time, only the
 * innermost box's (the outer ones are paused).
 */
export function checkTimeNow(): void {
  countdown = CHECK_EVERY;
  if (top === null) return;
  let cancelled: Frame | null = null;
  for (let f: Frame | null = top; f; f = f.outer) if (f.cancelled?.()) cancelled = f;
  if (cancelled) throw new OutOfTime(cancelled, true);
  if (performance.now() > top.at) throw new OutOfTime(top, false);
}

/** Work bounded by a deadline (and optionally a cancel flag), run with `run`; its `OutOfTime` is recognised by `owns`. */
export class TimeBox {
  private readonly frame: Frame;

  constructor(deadline: number, budgetMs: number, cancelled?: () => boolean) {
    this.frame = { at: deadline, budgetMs, cancelled, outer: null, pausedMs: 0 };
  }

  /**
   * A box for work done on behalf of the running one on another file (see above): the running box's
   * budget, from now. Null when no box runs (then the work is unbounded, as its caller is).
   */
  static nested(): TimeBox | null {
    return top ? new TimeBox(performance.now() + top.budgetMs, top.budgetMs) : null;
  }

  /** When this box's time runs out (later by the time nested boxes took). */
  get deadline(): number {
    return this.frame.at;
  }

  /** Time spent in nested boxes, not charged to this one (ms). */
  get pausedMs(): number {
    return this.frame.pausedMs;
  }

  /** Whether this box's time is out (outside `run` too). */
  expired(): boolean {
    return performance.now() > this.frame.at;
  }

  run<T>(work: () => T): T {
    const frame = this.frame;
    const outer = top;
    const began = performance.now();
    frame.outer = outer;
    top = frame;
    // the first check of a box reads the clock soon
    countdown = Math.min(countdown, 8);
    try {
      return work();
    } finally {
      top = outer;
      frame.outer = null;
      if (outer) {
        const took = performance.now() - began;
        outer.at += took;
        outer.pausedMs += took;
      }
    }
  }

  /** Whether `e` stopped this box's own work (not an outer box's, which the caller must let through). */
  owns(e: unknown): e is OutOfTime {
    return e instanceof OutOfTime && e.frame === this.frame;
  }
}

/** Whether `e` is any box's `OutOfTime`: code that catches every error (a fallback for unreadable input) must let it through. */
export function isOutOfTime(e: unknown): e is OutOfTime {
  return e instanceof OutOfTime;
}
