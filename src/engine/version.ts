// The target DBOS version: comparisons that gate rules and fixes.

/** Version comparison helper: unknown versions count as satisfying the requirement. */
export function atLeast(version: [number, number] | null, major: number, minor = 0): boolean {
  if (!version) return true;
  return version[0] > major || (version[0] === major && version[1] >= minor);
}

/** Target is DBOS 3.x or newer (unknown counts as not 3.x: no false errors on 2.x projects). */
export function isV3(version: [number, number] | null): boolean {
  return !!version && version[0] >= 3;
}
