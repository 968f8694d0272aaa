// Server hardening over a real LSP session (dist/server.js over stdio): a rule that throws, a file
// over its time budget, stale checks dropped, and a workspace scan that gives way to edits.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codesAndLines, sessionPool } from './session';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The sample app shared by the language-server tests: a DBOS201, a DBOS202 and a DBOS109. */
const APP = fs.readFileSync(path.join(ROOT, 'test', 'server', 'sample-app.py'), 'utf8');

const { session, tempDir, cleanup } = sessionPool('dbos-hard-');
after(cleanup);

test('a rule that throws is reported once in the output, and the other rules still report', async () => {
  const s = await session(null, { DBOS_LINT_TEST_HOOKS: 'throw:DBOS202' });
  const uri = 'file:///virtual/throws.py';
  await s.open(uri, APP);
  const first = await s.until('first diagnostics', () => s.last(uri));
  assert.deepEqual(codesAndLines(first.diagnostics), ['12:DBOS201', '22:DBOS109']);
  // Five more edits, each analysed: the failure is not logged again.
  for (let v = 2; v <= 6; v++) {
    await s.change(uri, v, APP + '\n'.repeat(v));
    await s.until(`version ${v}`, () => s.last(uri)?.version === v);
  }
  assert.deepEqual(codesAndLines(s.last(uri)!.diagnostics), ['12:DBOS201', '22:DBOS109']);
  const failures = s.logs.filter((l) => l.includes('rule DBOS202 failed'));
  assert.equal(failures.length, 1, s.logs.join('\n'));
  assert.match(failures[0], /DBOS202 forced to fail/);
  assert.ok(s.logs.some((l) => /started with test hooks throw:DBOS202/.test(l)));
});

test('a file over its time budget: remaining rules skipped, named in the status with its time, logged once', async () => {
  const s = await session(null, { DBOS_LINT_TEST_HOOKS: 'slow:DBOS201:600' }, { fileTimeBudgetMs: 250 });
  const uri = 'file:///virtual/slow.py';
  await s.open(uri, APP);
  const first = await s.until('first diagnostics', () => s.last(uri));
  // DBOS109 ran before the slow DBOS201, which used up the budget: DBOS202 and later were skipped.
  assert.deepEqual(codesAndLines(first.diagnostics), ['12:DBOS201', '22:DBOS109']);
  const status = await s.conn.sendRequest<{ slowFiles: { uri: string; ms: number; budgetMs: number; stopped: boolean }[] }>('dbosLint/status', {});
  assert.equal(status.slowFiles.length, 1);
  assert.equal(status.slowFiles[0].uri, uri);
  assert.equal(status.slowFiles[0].budgetMs, 250);
  assert.equal(status.slowFiles[0].stopped, true);
  assert.ok(status.slowFiles[0].ms >= 600, String(status.slowFiles[0].ms));
  for (let v = 2; v <= 4; v++) {
    await s.change(uri, v, APP + '\n'.repeat(v));
    await s.until(`version ${v}`, () => s.last(uri)?.version === v);
  }
  const logged = s.logs.filter((l) => l.includes('over the 250 ms budget'));
  assert.equal(logged.length, 1, s.logs.join('\n'));
  assert.match(logged[0], /slow\.py: partly checked: \d+ rules were skipped \(\d+ ms, over the 250 ms budget per file: file-time-budget-ms\)/);
  // A larger budget (settings change): every rule runs again and the status clears.
  s.settings = { fileTimeBudgetMs: 5000 };
  await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  const full = await s.until('all rules', () => s.last(uri)?.diagnostics.some((d) => d.code === 'DBOS202') && s.last(uri));
  assert.deepEqual(codesAndLines(full.diagnostics), ['12:DBOS201', '18:DBOS202', '22:DBOS109']);
  const cleared = await s.conn.sendRequest<{ slowFiles: unknown[] }>('dbosLint/status', {});
  assert.deepEqual(cleared.slowFiles, []);
});

test('a rule stuck in a long walk is stopped by the budget inside the rule: none of its findings, the file partly checked, the thread kept', async () => {
  // DBOS201 runs its check (and reports), then loops through the budget's cooperative check
  const s = await session(null, { DBOS_LINT_TEST_HOOKS: 'stall:DBOS201:stalled.py' }, { fileTimeBudgetMs: 300 });
  const uri = 'file:///virtual/stalled.py';
  await s.open(uri, APP);
  const first = await s.until('first diagnostics', () => s.last(uri));
  // DBOS109 ran before DBOS201 and keeps its finding; DBOS201 was stopped (its finding dropped), DBOS202 skipped
  assert.deepEqual(codesAndLines(first.diagnostics), ['22:DBOS109']);
  const status = await s.conn.sendRequest<{ slowFiles: { uri: string; message: string; stopped: boolean }[] }>('dbosLint/status', {});
  assert.equal(status.slowFiles.length, 1);
  assert.equal(status.slowFiles[0].uri, uri);
  assert.match(status.slowFiles[0].message, /^partly checked: \d+ rules were skipped \(\d+ ms, over the 300 ms budget per file: file-time-budget-ms\)$/);
  assert.equal(s.logs.filter((l) => l.includes('stalled.py: partly checked')).length, 1, s.logs.join('\n'));
  // stopped by the engine itself, not by ending the analysis thread
  assert.equal(s.logs.filter((l) => /ran past|analysis thread stopped/.test(l)).length, 0, s.logs.join('\n'));
  // the same thread checks another document in full
  const other = 'file:///virtual/other.py';
  await s.open(other, APP);
  const o = await s.until('other checked', () => s.last(other));
  assert.deepEqual(codesAndLines(o.diagnostics), ['12:DBOS201', '18:DBOS202', '22:DBOS109']);
});

test('malformed requests from other editors get an answer, not a failure', async () => {
  const s = await session(null);
  const uri = 'file:///virtual/odd.py';
  await s.open(uri, APP);
  await s.until('open', () => s.last(uri));
  const range = { start: { line: 11, character: 12 }, end: { line: 11, character: 27 } };
  // Diagnostics without a range (as some clients send them) and a missing context.
  const a = await s.conn.sendRequest<{ title: string }[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [{ code: 'DBOS201' }, {}] } });
  assert.ok(a.some((x) => x.title.startsWith('Wrap in a step')));
  const b = await s.conn.sendRequest<{ title: string }[]>('textDocument/codeAction', { textDocument: { uri }, range });
  assert.ok(b.some((x) => x.title === 'Ignore DBOS201 on this line'));
  const h = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///virtual/not-open.py' }, position: { line: 0, character: 0 } });
  assert.equal(h, null);
});

test('new edits cancel stale checks: a burst of changes publishes once, for the newest version', async () => {
  const s = await session(null);
  const uri = 'file:///virtual/burst.py';
  await s.open(uri, APP);
  await s.until('open', () => s.last(uri));
  const before = s.publishes.length;
  // the 20 changes written at once, like fast typing
  await Promise.all(Array.from({ length: 20 }, (_, i) => s.change(uri, i + 2, `${APP}# edit ${i + 2}\n`)));
  await s.until('version 21', () => s.last(uri)?.version === 21);
  await new Promise((r) => setTimeout(r, 400));
  const mine = s.publishes.slice(before).filter((p) => p.uri === uri);
  // The first edit after a pause is checked after 20 ms (the leading edge): on a loaded machine the
  // rest of the burst can arrive later than that, and version 2 is published first. Nothing else is.
  const versions = mine.map((p) => p.version);
  assert.ok(JSON.stringify(versions) === '[21]' || JSON.stringify(versions) === '[2,21]', `published versions ${JSON.stringify(versions)}`);
  assert.deepEqual(codesAndLines(mine[mine.length - 1].diagnostics), ['12:DBOS201', '18:DBOS202', '22:DBOS109']);
  // One full parse at open, then incremental reparses only (one per check); the last analysis is
  // version 21's. On a loaded machine the leading-edge check of version 2 can be cancelled by the
  // rest of the burst after its reparse and before it publishes: then one reparse more than publishes.
  const stats = await s.conn.sendRequest<{ trees: number; parses: { incremental: number; full: number }; last: { version: number; ms: number } }>('dbosLint/stats', { uri });
  assert.equal(stats.parses.full, 1);
  assert.ok(stats.parses.incremental === versions.length || (versions.length === 1 && stats.parses.incremental === 2), `parses ${JSON.stringify(stats.parses)} for published ${JSON.stringify(versions)}`);
  assert.equal(stats.trees, 1);
  assert.equal(stats.last.version, 21);
  assert.ok(stats.last.ms > 0);
});

test('the workspace scan gives way to an edited open document', async () => {
  const dir = tempDir();
  const body = APP + Array.from({ length: 150 }, (_, i) => `\n\n@DBOS.step()\ndef step_${i}(x: int) -> int:\n    return x + ${i}\n`).join('');
  for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(dir, `mod_${i}.py`), body);
  const s = await session(dir);
  const uri = pathToFileURL(path.join(dir, 'editing.py')).href;
  // Wait until the scan is under way, then open and edit a document.
  await s.until('scan started', () => s.publishes.length > 5);
  await s.open(uri, APP);
  await s.change(uri, 2, APP.replace('random.random()', 'random.randint(1, 6)'));
  const mine = await s.until('edited document checked', () => s.last(uri)?.version === 2 && s.last(uri));
  await s.until('scan done', () => s.progressEnds.length > 0, 120_000);
  const scanned = s.publishes.filter((p) => p.uri.includes('/mod_')).length;
  assert.ok(mine.at < s.progressEnds[0], 'the open document was checked before the scan ended');
  assert.equal(scanned, 400);
  assert.ok(mine.diagnostics.some((d) => d.code === 'DBOS201' && d.message.includes('randint')));
});
