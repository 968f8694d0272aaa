// The target DBOS version: read from a requirement or a setting, and the comparisons that gate rules and fixes.

/** Version comparison helper: unknown versions count as satisfying the requirement. */
export function atLeast(version: [number, number] | null, major: number, minor = 0): boolean {
  if (!version) return true;
  return version[0] > major || (version[0] === major && version[1] >= minor);
}

/** Target is DBOS 3.x or newer (unknown counts as not 3.x: no false errors on 2.x projects). */
export function isV3(version: [number, number] | null): boolean {
  return !!version && version[0] >= 3;
}

/**
 * The version a requirement pins or starts from: `==2.30.0`, `^2.1`, `~=3.0`, `>=2.9,<3` ->
 * [major, minor]. A floor with no upper bound (`>=2.9`, `>0.9`) is what `pip install` resolves to
 * the newest release, which no file here names: it reads as unknown (null), which the checks treat
 * as new enough for every API of 2.x and not yet 3.x, unless the floor itself is 3.0 or newer (every
 * install is then 3.x).
 */
export function versionFromRequirement(req: string): [number, number] | null {
  const m = /(==|>=|~=|\^|~|===|>)?\s*v?(\d+)(?:\.(\d+))?/.exec(req);
  if (!m || (!m[1] && /[<!]/.test(req.slice(0, m.index)))) return null;
  if (m[1] === undefined && req.trim().length > 0 && !/^\d/.test(req.trim())) return null;
  const version: [number, number] = [Number(m[2]), Number(m[3] ?? 0)];
  // the other clauses of the specifier, environment markers (`; python_version<"3.12"`) left out
  const others = req.split(';')[0].replace(m[0], '');
  const floorOnly = (m[1] === '>=' || m[1] === '>') && !/<|==|~=/.test(others);
  return floorOnly && version[0] < 3 ? null : version;
}

/** Parses a target-version setting ("2.30", "3") into [major, minor]; null for "auto" or empty. */
export function parseVersion(v: string | undefined): [number, number] | null {
  if (!v || v === 'auto') return null;
  const m = /^(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : null;
}
