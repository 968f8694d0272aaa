// Identifiers made of non-ASCII letters: the text search for a name's uses must not loop forever
// (a name whose characters were all stripped from the search pattern matched the empty string).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';

test('a retry loop whose variable is a non-ASCII name: analysed, and the loop is still reported', async () => {
  await initParser();
  const src = [
    'import time',
    'import requests',
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.step(name="fetch_page")',
    'def fetch(url: str) -> str:',
    '    for \u01f6\u1278\u1dc8\u0d54\u1289\u1ed5_ in range(3):',
    '        try:',
    '            return requests.get(url, timeout=10).text',
    '        except requests.RequestException:',
    '            time.sleep(5)',
    '    for \u00e9t\u00e9 in range(3):',
    '        try:',
    '            return requests.get(url, timeout=10).text',
    '        except requests.RequestException:',
    '            time.sleep(\u00e9t\u00e9)',
    '',
  ].join('\n');
  const r = analyze(src, { path: 'app.py', config: resolveConfig([{ profile: 'strict' }]), version: null });
  assert.deepEqual(r.ruleFailures, []);
  assert.deepEqual(
    r.findings.filter((f) => f.code === 'DBOS303').map((f) => f.range.start.line + 1),
    [8, 13],
  );
});
