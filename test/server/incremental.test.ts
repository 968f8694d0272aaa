// Incremental parsing in the server (src/server/incremental.ts): after any sequence of edits, the
// kept tree and the findings equal those of a fresh parse and analysis of the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { diffEdit, TreeCache } from '../../src/server/incremental';
import { rng } from '../engine/seeded';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const APP = [
  'import random',
  'import time',
  '',
  'import requests',
  'from dbos import DBOS',
  '',
  '# 注文の処理 🚀 (non-ASCII before the findings)',
  '@DBOS.workflow()',
  'def checkout(order_id: str) -> str:',
  '    label = "価格 💶 €"',
  '    token = random.random()',
  '    time.sleep(1)',
  '    return f"{order_id}-{token}-{label}"',
  '',
  '',
  '@DBOS.workflow()',
  'def notify() -> int:',
  '    return requests.get("https://example.com/🙂").status_code',
  '',
].join('\n');

const PIECES = [
  'x',
  ' ',
  '\n',
  '\r\n',
  '(',
  ')',
  ':',
  '🚀',
  '注文',
  'é',
  '\n    y = datetime.now()\n',
  '\n@DBOS.step()\ndef helper():\n    return requests.post("u")\n',
  '    time.sleep(2)\r\n',
  'random.randint(1, 6)',
  '"""doc\nstring 💶\n"""',
  '# comment 🙂\n',
  '\t',
];

function fresh(text: string): { findings: string; sexp: string | null } {
  const r = analyze(text, { path: 'app.py', keepTree: true });
  const sexp = r.tree ? r.tree.rootNode.toString() : null;
  r.tree?.delete();
  return { findings: JSON.stringify(r.findings), sexp };
}

function checkSequence(start: string, seed: number, steps: number): { incremental: number } {
  const random = rng(seed);
  const cache = new TreeCache();
  let text = start;
  cache.analyze('doc', text, { path: 'app.py' });
  for (let i = 0; i < steps; i++) {
    const a = Math.floor(random() * (text.length + 1));
    const len = random() < 0.5 ? 0 : Math.floor(random() * Math.min(40, text.length - a + 1));
    const insert = random() < 0.25 ? '' : PIECES[Math.floor(random() * PIECES.length)];
    text = text.slice(0, a) + insert + text.slice(a + len);
    const r = cache.analyze('doc', text, { path: 'app.py' });
    const want = fresh(text);
    const where = `seed ${seed}, step ${i}, edit at ${a} (-${len} +${JSON.stringify(insert)})`;
    assert.equal(JSON.stringify(r.findings), want.findings, where);
    assert.equal(cache.treeFor('doc', text)?.rootNode.toString() ?? null, want.sexp, where);
  }
  const n = cache.stats.incremental;
  cache.clear();
  assert.equal(cache.size, 0);
  return { incremental: n };
}

test('diffEdit: indices and points in UTF-16 code units, rows by LF', () => {
  assert.equal(diffEdit('abc', 'abc'), null);
  assert.deepEqual(diffEdit('a\nbc', 'a\nbXc'), {
    startIndex: 3,
    oldEndIndex: 3,
    newEndIndex: 4,
    startPosition: { row: 1, column: 1 },
    oldEndPosition: { row: 1, column: 1 },
    newEndPosition: { row: 1, column: 2 },
  });
  // An emoji is two code units; the multi-line insertion moves the end row.
  assert.deepEqual(diffEdit('🚀x', '🚀\n\ny x'), {
    startIndex: 2,
    oldEndIndex: 2,
    newEndIndex: 6,
    startPosition: { row: 0, column: 2 },
    oldEndPosition: { row: 0, column: 2 },
    newEndPosition: { row: 2, column: 2 },
  });
  // Deleting across a CRLF: the CR counts as a column, the LF ends the row.
  assert.deepEqual(diffEdit('ab\r\ncd', 'ad'), {
    startIndex: 1,
    oldEndIndex: 5,
    newEndIndex: 1,
    startPosition: { row: 0, column: 1 },
    oldEndPosition: { row: 1, column: 1 },
    newEndPosition: { row: 0, column: 1 },
  });
  // Two emoji sharing a high surrogate: the edit covers the whole pair, never half of it.
  const e = diffEdit('a😀b', 'a😁b')!;
  assert.equal(e.startIndex, 1);
  assert.equal(e.oldEndIndex, 3);
  assert.equal(e.newEndIndex, 3);
});

test('incremental edits (multi-line, deletions, CRLF, emoji, CJK) give the findings and tree of a fresh parse', async () => {
  await initParser();
  let incremental = 0;
  for (const seed of [1, 2, 3, 4, 5]) incremental += checkSequence(APP, seed, 60).incremental;
  for (const seed of [6, 7]) incremental += checkSequence(APP.replace(/\n/g, '\r\n'), seed, 60).incremental;
  assert.ok(incremental > 300, `only ${incremental} incremental parses`);
});

test('a real app file typed character by character keeps the fresh-parse findings', async () => {
  await initParser();
  const file = path.join(ROOT, 'examples', 'shop', 'shop', 'workflows.py');
  const full = fs.readFileSync(file, 'utf8');
  const cache = new TreeCache();
  // Type the file's second half one character at a time at its place.
  const cut = Math.floor(full.length / 2);
  let text = full.slice(0, cut);
  cache.analyze('doc', text, { path: file });
  for (let i = cut; i < full.length; i++) {
    text = full.slice(0, i + 1);
    const r = cache.analyze('doc', text, { path: file });
    if (i % 37 === 0 || i === full.length - 1) assert.equal(JSON.stringify(r.findings), fresh(text).findings, `after ${i + 1} chars`);
  }
  assert.equal(cache.treeFor('doc', full)?.rootNode.toString(), fresh(full).sexp);
  assert.ok(JSON.parse(fresh(full).findings).length > 0, 'the example has findings');
  cache.forget('doc');
  assert.equal(cache.size, 0);
});

test('a document that stops mentioning dbos drops its tree; one that comes back parses fully', async () => {
  await initParser();
  const cache = new TreeCache();
  cache.analyze('doc', APP, { path: 'app.py' });
  assert.equal(cache.size, 1);
  const r = cache.analyze('doc', 'print(1)\n', { path: 'app.py' });
  assert.equal(r.skipped, 'no-dbos');
  assert.equal(cache.size, 0);
  const back = cache.analyze('doc', APP, { path: 'app.py' });
  assert.equal(JSON.stringify(back.findings), fresh(APP).findings);
  assert.deepEqual(cache.stats, { incremental: 0, full: 2 });
  cache.clear();
});
