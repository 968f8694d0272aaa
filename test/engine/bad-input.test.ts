// Bad and extreme input: the engine answers, does not throw, and still finds what it can.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';

const WF = ['import random', 'from dbos import DBOS', '', '@DBOS.workflow()', 'def w(x):', '    return random.random()', ''];

async function codes(text: string): Promise<string[]> {
  await initParser();
  const r = analyze(text, { path: 'app.py' });
  assert.deepEqual(r.ruleFailures, []);
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.code}`);
}

test('empty, whitespace-only and comment-only files', async () => {
  assert.deepEqual(await codes(''), []);
  assert.deepEqual(await codes('\n\n   \n'), []);
  assert.deepEqual(await codes('# dbos\n'), []);
});

test('BOM, CRLF, mixed line endings and tabs keep positions right', async () => {
  assert.deepEqual(await codes('\ufeff' + WF.join('\n')), ['6:DBOS201']);
  assert.deepEqual(await codes(WF.join('\r\n')), ['6:DBOS201']);
  assert.deepEqual(await codes(WF.slice(0, 3).join('\r\n') + '\r\n' + WF.slice(3).join('\n')), ['6:DBOS201']);
  assert.deepEqual(await codes(WF.join('\n').replace(/ {4}/g, '\t')), ['6:DBOS201']);
});

test('a half-typed file still gets findings for its valid parts', async () => {
  const text = [...WF, '@DBOS.workflow()', 'def broken(:', '    x = (', ''].join('\n');
  await initParser();
  const r = analyze(text, { path: 'app.py' });
  assert.ok(r.syntaxErrors > 0);
  assert.deepEqual(r.ruleFailures, []);
  assert.ok(r.findings.some((f) => f.code === 'DBOS201' && f.range.start.line === 5));
});

test('5,000 levels of nesting', async () => {
  const text = ['import random', 'from dbos import DBOS', '@DBOS.workflow()', 'def w():', '    return ' + '('.repeat(5000) + 'random.random()' + ')'.repeat(5000), ''].join('\n');
  assert.deepEqual(await codes(text), ['5:DBOS201']);
  const lists = ['from dbos import DBOS', 'x = ' + '['.repeat(5000) + ']'.repeat(5000), ''].join('\n');
  assert.deepEqual(await codes(lists), []);
});

test('a 100,000-line file and a 10 MB file', async () => {
  const lines = ['import random', 'from dbos import DBOS'];
  for (let i = 0; i < 12_500; i++) lines.push('@DBOS.workflow()', `def wf${i}(x):`, `    y = x + ${i}`, '    return y', '', '', '', '');
  lines.push('@DBOS.workflow()', 'def last():', '    return random.random()', '');
  assert.ok(lines.length > 100_000);
  // checked whole, with a budget far above its time (3-7 s here): under the default 10 s a loaded CI
  // machine could stop the rules part-way, and this test is about the answer, not the speed (a hang or
  // a blow-up still fails it; the budget itself is tested in budget.test.ts)
  await initParser();
  const whole = analyze(lines.join('\n'), { path: 'app.py', config: resolveConfig([{ fileTimeBudgetMs: 120_000 }]) });
  assert.deepEqual(whole.ruleFailures, []);
  assert.equal(whole.limit, undefined);
  assert.deepEqual(whole.findings.map((f) => `${f.range.start.line + 1}:${f.code}`), [`${lines.length - 1}:DBOS201`]);
  const big = 'from dbos import DBOS\n';
  const ten = big + ('y = "' + 'b'.repeat(64) + '"\n').repeat(150_000) + WF.slice(2).join('\n');
  assert.ok(ten.length > 10_000_000);
  // over the default size limit (2 MiB): not parsed, with a reason; checked once the limit is raised
  const skipped = analyze('import random\n' + ten, { path: 'app.py' });
  assert.equal(skipped.skipped, 'too-large');
  assert.match(skipped.limit!.message, /^not checked: 10\.2 MiB is over the 2\.0 MiB size limit \(max-file-size-kb\)$/);
  const config = resolveConfig([{ maxFileSizeKb: 16384, fileTimeBudgetMs: 600_000 }]);
  assert.deepEqual(analyze('import random\n' + ten, { path: 'app.py', config }).findings.map((f) => f.code), ['DBOS201']);
});
