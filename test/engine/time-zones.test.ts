// DBOS602's time zone check: the names DBOS accepts are those of `zoneinfo.ZoneInfo`, read from the
// committed list of the IANA database (src/engine/data/time-zones.json, scripts/time-zones.mjs), so
// the verdict does not depend on the runtime's ICU, and no `Intl.DateTimeFormat` is built (the first
// one of a process loads ICU's time zone data: 9 MB of the language server's memory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initParser } from '../../src/engine/index';
import { timezoneKnown } from '../../src/engine/rules/cron';
import timeZones from '../../src/engine/data/time-zones.json';

test('the time zone list: every zone and link of a tzdata release, sorted, once each', () => {
  assert.match(timeZones.version, /^\d{4}[a-z]$/);
  assert.ok(timeZones.names.length > 590, `${timeZones.names.length} names`);
  assert.deepEqual(timeZones.names, [...new Set(timeZones.names)].sort());
  for (const n of ['America/New_York', 'Asia/Kolkata', 'Asia/Calcutta', 'US/Eastern', 'Etc/UTC', 'UTC', 'GMT', 'Europe/Kyiv', 'America/Ciudad_Juarez']) {
    assert.ok(timeZones.names.includes(n), n);
  }
});

test('timezoneKnown: what ZoneInfo accepts (links, system files, any case) and what it rejects (ICU-only names, offsets, typos)', () => {
  for (const tz of ['Europe/Paris', 'Asia/Kolkata', 'Asia/Calcutta', 'US/Eastern', 'Etc/UTC', 'UTC', 'Etc/GMT-14', 'Factory', 'posixrules', 'localtime', 'posix/Europe/Paris', 'right/UTC', 'europe/paris', 'ETC/UTC']) {
    assert.equal(timezoneKnown(tz), true, tz);
  }
  for (const tz of ['Fake/Zone', 'Mars/Olympus', 'PST', 'IST', 'SystemV/EST5', '+05:30', 'Europe/Pariss', 'posix/Mars/Olympus', 'posix/', 'Europe/', ' UTC', 'US/Pacific-New']) {
    assert.equal(timezoneKnown(tz), false, tz);
  }
});

test('DBOS602 checks cron_timezone without building an Intl.DateTimeFormat', async () => {
  await initParser();
  const original = Intl.DateTimeFormat;
  let built = 0;
  // a stand-in that counts: any use of the runtime's time zone data by the check is seen
  (Intl as { DateTimeFormat: unknown }).DateTimeFormat = function (...args: unknown[]) {
    built++;
    return new (original as unknown as new (...a: unknown[]) => Intl.DateTimeFormat)(...args);
  };
  try {
    const text = [
      'from dbos import DBOS',
      '',
      '@DBOS.workflow()',
      'def tick(scheduled_at, context) -> None:',
      '    pass',
      '',
      'def start():',
      '    DBOS.apply_schedules([',
      '        {"schedule_name": "a", "workflow_fn": tick, "schedule": "0 9 * * *", "cron_timezone": "Asia/Kolkata"},',
      '        {"schedule_name": "b", "workflow_fn": tick, "schedule": "0 9 * * *", "cron_timezone": "Fake/Zone"},',
      '    ])',
      '',
    ].join('\n');
    const found = analyze(text, { path: 'schedules.py' }).findings.filter((f) => f.code === 'DBOS602');
    assert.deepEqual(
      found.map((f) => [f.range.start.line + 1, f.message.split('\n')[0]]),
      [[10, '"Fake/Zone" is not an IANA time zone name']],
    );
    assert.equal(built, 0);
  } finally {
    (Intl as { DateTimeFormat: unknown }).DateTimeFormat = original;
  }
});
