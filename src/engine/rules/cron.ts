// A small cron validator following what DBOS accepts (its vendored croniter with seconds first):
// 5 fields, 6 (seconds first) or 7 (seconds first, year last), or an @alias. Lenient on the
// extensions (L, W, #, H, R): only definite mistakes are reported.

import timeZones from '../data/time-zones.json';

const ALIASES = new Set(['@midnight', '@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const UNIX: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];
const YEAR: Field = { name: 'year', min: 1970, max: 2099 };

const SIMPLE = /^(\*|\d+|[a-z]{3})(?:-(\d+|[a-z]{3}))?(?:\/(\d+))?$/;
const EXTENDED = /^[0-9a-z#()\-/*?]+$/;

/** Null when the expression is valid (or not certainly invalid), else the reason. */
export function cronProblem(expr: string): string | null {
  const e = expr.trim().toLowerCase();
  if (ALIASES.has(e)) return null;
  const parts = e.split(/\s+/).filter(Boolean);
  let fields: Field[];
  if (parts.length === 5) fields = UNIX;
  else if (parts.length === 6) fields = [SECOND, ...UNIX];
  else if (parts.length === 7) fields = [SECOND, ...UNIX, YEAR];
  else return `it has ${parts.length} field${parts.length === 1 ? '' : 's'}; DBOS expects 5 (minute hour day month weekday), or 6 with seconds first`;
  for (let i = 0; i < parts.length; i++) {
    const f = fields[i];
    for (const item of parts[i].split(',')) {
      if (item === '') return `the ${f.name} field has an empty list item`;
      const m = SIMPLE.exec(item);
      if (m) {
        for (const v of [m[1], m[2]]) {
          if (v === undefined || v === '*') continue;
          if (/^\d+$/.test(v)) {
            const n = Number(v);
            if (n < f.min || n > f.max) return `${n} is out of range for the ${f.name} field (${f.min}-${f.max})`;
          } else if (!f.names?.includes(v) && !/^[lwhr]/.test(v)) {
            return `"${v}" is not a valid ${f.name} value`;
          }
        }
        if (m[1] === '*' && m[2] !== undefined) return `"${item}" is not a valid ${f.name} value`;
        if (m[3] !== undefined && Number(m[3]) === 0) return `a step of 0 in the ${f.name} field`;
        continue;
      }
      if (EXTENDED.test(item) && /[lwhr#?]/.test(item)) continue;
      return `"${item}" is not a valid ${f.name} value`;
    }
  }
  return null;
}

/**
 * The names `zoneinfo.ZoneInfo` accepts, lower-cased: the IANA database's zones and links
 * (`data/time-zones.json`, generated from tzdata by `scripts/time-zones.mjs`), and what a system's
 * zoneinfo folder adds (Debian, Ubuntu and macOS): `posixrules`, `localtime`, and the `posix/` and
 * `right/` copies of every zone. Compared without case: on macOS and Windows (case-insensitive file
 * systems, where the `tzdata` package's files are read) `ZoneInfo("europe/paris")` works.
 */
let known: ReadonlySet<string> | undefined;

function knownZones(): ReadonlySet<string> {
  known ??= new Set(['posixrules', 'localtime', ...timeZones.names.map((n) => n.toLowerCase())]);
  return known;
}

/**
 * Whether `tz` is a time zone name DBOS accepts (it calls `ZoneInfo(tz)` and raises
 * `Invalid timezone` on any error). A list, not `Intl.DateTimeFormat`: the runtime's ICU accepts
 * names `ZoneInfo` does not (`PST`, `IST`, `SystemV/EST5`), and the first `Intl.DateTimeFormat` of
 * a process loads ICU's time zone data (9 MB of the language server's memory, 20-80 ms).
 */
export function timezoneKnown(tz: string): boolean {
  const key = tz.toLowerCase();
  const zones = knownZones();
  return zones.has(key) || (/^(posix|right)\//.test(key) && zones.has(key.slice(key.indexOf('/') + 1)));
}
