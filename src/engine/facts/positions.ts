// Positions in a summarised module, from its line starts (the text itself is not kept).
import type { Position, Range } from '../types';

export interface HasLineStarts {
  lineStarts: ArrayLike<number>;
}

/** Line and column of an offset in a summarised module. */
export function positionIn(summary: HasLineStarts, offset: number): Position {
  const starts = summary.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

export function rangeIn(summary: HasLineStarts, start: number, end: number): Range {
  return { start: positionIn(summary, start), end: positionIn(summary, end) };
}
