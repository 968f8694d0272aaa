// Per-function reuse of facts across edits (src/engine/facts/reuse.ts): after any sequence of edits,
// the summary built with reuse equals a fresh one, and so do the findings (code, range, severity,
// message, related locations, fixes); editing a helper computes again the functions that call it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { parsePython } from '../../src/engine/syntax/parser';
import { ModuleModel } from '../../src/engine/model/module';
import { signature, summarize } from '../../src/engine/facts/summary';
import { clearReuse, reuseStats, resetReuseStats } from '../../src/engine/facts/reuse';
import { rng } from './seeded';
import { breakNow, edit, fixtureFiles } from './random-edits';
import { diffEdit, TreeCache } from '../../src/server/incremental';
import type { Tree } from 'web-tree-sitter';

function summaryOf(text: string, file: string, reuse: boolean) {
  const tree = parsePython(text);
  try {
    const model = new ModuleModel(text, tree, { path: file });
    return summarize(model, file, 'h', undefined, { reuse });
  } finally {
    tree.delete();
  }
}

test('summaries built with reuse equal fresh ones after random edits of every rule fixture', async () => {
  await initParser();
  clearReuse();
  resetReuseStats();
  const files = fixtureFiles();
  assert.ok(files.length > 100, `${files.length} fixture files`);
  let edits = 0;
  files.forEach((file, i) => {
    const next = rng(1000 + i);
    let text = fs.readFileSync(file, 'utf8');
    const key = `/reuse-summary/${path.basename(path.dirname(file))}/${path.basename(file)}`;
    summaryOf(text, key, true);
    for (let k = 0; k < 12; k++) {
      text = edit(text, next);
      const reused = summaryOf(text, key, true);
      const fresh = summaryOf(text, key, false);
      assert.deepStrictEqual(reused, fresh, `${file}, seed ${1000 + i}, edit ${k}:\n${text}`);
      // the signature assembled from the parts kept with reused (and moved) facts
      assert.deepEqual(signature(reused), signature(fresh), `${file}, seed ${1000 + i}, edit ${k}`);
      edits++;
    }
  });
  // small files, where an edit often changes module-level names (every function is then computed
  // again): still a good part of the functions kept their facts
  assert.ok(reuseStats.reused * 4 > reuseStats.computed, `reused ${reuseStats.reused}, computed ${reuseStats.computed} over ${edits} edits`);
});

/**
 * Random edits of `text`, each parsed incrementally from the last tree (as the server does), with a
 * syntax error inserted now and then that the next edits often leave in place elsewhere: a statement
 * with an error is reused only when tree-sitter reports its structure unchanged.
 */
function incrementalEdits(text: string, next: () => number, count: number, each: (text: string, tree: Tree, previous: Tree | null) => void): void {
  let tree = parsePython(text);
  each(text, tree, null);
  for (let k = 0; k < count; k++) {
    const edited = breakNow(edit(text, next), next);
    const e = diffEdit(text, edited);
    if (e) tree.edit(e);
    const fresh = parsePython(edited, tree);
    each(edited, fresh, tree);
    tree.delete();
    tree = fresh;
    text = edited;
  }
  tree.delete();
}

test('summaries built with reuse over incremental parses equal fresh ones, syntax errors included', async () => {
  await initParser();
  clearReuse();
  resetReuseStats();
  let broken = 0;
  fixtureFiles().forEach((file, i) => {
    const next = rng(3000 + i);
    const key = `/reuse-incremental/${path.basename(path.dirname(file))}/${path.basename(file)}`;
    incrementalEdits(fs.readFileSync(file, 'utf8'), next, 10, (text, tree, previousTree) => {
      if (tree.rootNode.hasError) broken++;
      const model = new ModuleModel(text, tree, { path: key, previousTree });
      const reused = summarize(model, key, 'h', undefined, { reuse: true });
      model.previousTree = null;
      const fresh = summaryOf(text, key, false);
      assert.deepStrictEqual(reused, fresh, `${file}, seed ${3000 + i}:\n${text}`);
      assert.deepEqual(signature(reused), signature(fresh), `${file}, seed ${3000 + i}`);
    });
  });
  assert.ok(broken > 300, `${broken} edits left a syntax error`);
  assert.ok(reuseStats.reused * 4 > reuseStats.computed, `reused ${reuseStats.reused}, computed ${reuseStats.computed}`);
});

test('findings of the server path (incremental parse, reuse) equal a fresh analysis, syntax errors included', async () => {
  await initParser();
  clearReuse();
  const files = fixtureFiles().filter((_, i) => i % 2 === 1);
  for (const [i, file] of files.entries()) {
    const next = rng(7000 + i);
    const p = path.join('/reuse-server', path.basename(path.dirname(file)), path.basename(file));
    // a fresh analysis: the same module name and folders under a root never analysed (no reuse state)
    const freshPath = (k: number) => path.join(`/reuse-server-fresh-${i}-${k}`, path.basename(path.dirname(file)), path.basename(file));
    const cache = new TreeCache();
    let text = fs.readFileSync(file, 'utf8');
    cache.analyze(p, text, { path: p });
    for (let k = 0; k < 8; k++) {
      text = breakNow(edit(text, next), next);
      const reused = cache.analyze(p, text, { path: p });
      const fresh = analyze(text, { path: freshPath(k) });
      assert.deepStrictEqual(reused.findings, fresh.findings, `${file}, seed ${7000 + i}, edit ${k}:\n${text}`);
    }
    cache.clear();
  }
});

test('a statement with a syntax error that an edit elsewhere leaves alone keeps its facts', async () => {
  await initParser();
  clearReuse();
  const file = '/reuse-broken/app.py';
  const text = `${APP}\n\ndef broken(:\n    return requests.get("u")\n`;
  const tree = parsePython(text);
  const first = new ModuleModel(text, tree, { path: file });
  summarize(first, file, 'h', undefined, { reuse: true });
  const edited = text.replace('return 1', 'return 12');
  tree.edit(diffEdit(text, edited)!);
  const next = parsePython(edited, tree);
  assert.ok(next.rootNode.hasError);
  resetReuseStats();
  const model = new ModuleModel(edited, next, { path: file, previousTree: tree });
  const reused = summarize(model, file, 'h', undefined, { reuse: true });
  assert.deepEqual(reuseStats.lastComputed, ['unrelated', 'report']);
  assert.deepStrictEqual(reused, summaryOf(edited, file, false));
  // parsed afresh (no previous tree): the broken statement counts as changed
  resetReuseStats();
  const again = parsePython(`${edited} `);
  summarize(new ModuleModel(`${edited} `, again, { path: file }), file, 'h', undefined, { reuse: true });
  assert.ok(reuseStats.lastComputed.length > 0, reuseStats.lastComputed.join(','));
  for (const t of [tree, next, again]) t.delete();
});

test('findings with reuse equal those of a fresh analysis after random edits (range, message, related, fixes)', async () => {
  await initParser();
  clearReuse();
  resetReuseStats();
  const files = fixtureFiles().filter((_, i) => i % 2 === 0);
  for (const [i, file] of files.entries()) {
    const next = rng(5000 + i);
    let text = fs.readFileSync(file, 'utf8');
    const p = path.join('/reuse-analysis', path.basename(path.dirname(file)), path.basename(file));
    analyze(text, { path: p });
    for (let k = 0; k < 8; k++) {
      text = edit(text, next);
      const reused = analyze(text, { path: p });
      clearReuse();
      const fresh = analyze(text, { path: p });
      assert.deepStrictEqual(reused.findings, fresh.findings, `${file}, seed ${5000 + i}, edit ${k}:\n${text}`);
    }
  }
  assert.ok(reuseStats.reused > 0);
});

const APP = [
  'import requests',
  'import time',
  'from dbos import DBOS',
  '',
  '',
  'def helper(url):',
  '    return url.upper()',
  '',
  '',
  'def unrelated():',
  '    return 1',
  '',
  '',
  'class Service:',
  '    def run(self):',
  '        return helper("a")',
  '',
  '',
  '@DBOS.workflow()',
  'def checkout():',
  '    return helper("https://example.com")',
  '',
  '',
  '@DBOS.workflow()',
  'def report():',
  '    return unrelated()',
  '',
].join('\n');

test('editing a helper computes again the helper and its callers, and reuses the rest', async () => {
  await initParser();
  clearReuse();
  const file = '/reuse-callers/app.py';
  const first = summaryOf(APP, file, true);
  assert.equal(first.functions.size, 5);
  resetReuseStats();
  const edited = APP.replace('    return url.upper()', '    return requests.get(url)');
  const after = summaryOf(edited, file, true);
  assert.deepEqual(reuseStats.lastComputed, ['helper', 'Service.run', 'checkout']);
  assert.equal(reuseStats.reused, 2);
  assert.deepStrictEqual(after, summaryOf(edited, file, false));
  // the workflow now reaches requests.get through the helper
  const r = analyze(edited, { path: file });
  assert.deepEqual(
    r.findings.filter((f) => f.code === 'DBOS202').map((f) => f.range.start.line),
    [20],
  );
  // a blank line added between functions moves every later function: all reused, offsets moved
  resetReuseStats();
  const moved = edited.replace('\n\ndef unrelated', '\n\n\ndef unrelated');
  assert.deepStrictEqual(summaryOf(moved, file, true), summaryOf(moved, file, false));
  resetReuseStats();
  summaryOf(moved + ' ', file, true);
  assert.deepEqual(reuseStats.lastComputed, []);
});

test('an edit of a module-level value or import computes again only the functions that mention it', async () => {
  await initParser();
  clearReuse();
  const file = '/reuse-context/app.py';
  const base = APP.replace('import time', 'import time\n\nURL = "https://example.com"').replace('return helper("https://example.com")', 'return helper(URL)');
  summaryOf(base, file, true);
  // the value of URL: only its reader
  resetReuseStats();
  const valueEdited = base.replace('URL = "https://example.com"', 'URL = requests.get("u")');
  assert.deepStrictEqual(summaryOf(valueEdited, file, true), summaryOf(valueEdited, file, false));
  assert.deepEqual(reuseStats.lastComputed, ['checkout']);
  // an import: the functions naming it, and (through `h = helper`) those naming a value that does
  resetReuseStats();
  const withAlias = `${valueEdited}\n\nfetch_alias = helper\n\n\ndef via_alias():\n    return fetch_alias(1)\n`;
  summaryOf(withAlias, file, true);
  resetReuseStats();
  const importEdited = withAlias.replace('import requests', 'import requests as requests_lib\nhelper = requests_lib.get');
  assert.deepStrictEqual(summaryOf(importEdited, file, true), summaryOf(importEdited, file, false));
  assert.deepEqual(reuseStats.lastComputed, ['Service.run', 'checkout', 'via_alias']);
  // a registration elsewhere changes a function's kinds: that function and its callers
  resetReuseStats();
  const registered = `${importEdited}\n\nDBOS.step()(unrelated)\n`;
  assert.deepStrictEqual(summaryOf(registered, file, true), summaryOf(registered, file, false));
  assert.ok(reuseStats.lastComputed.includes('unrelated') && reuseStats.lastComputed.includes('report'), reuseStats.lastComputed.join(','));
  assert.ok(!reuseStats.lastComputed.includes('checkout'), reuseStats.lastComputed.join(','));
  // a star import: every function
  resetReuseStats();
  const star = `from helpers import *\n${registered}`;
  assert.deepStrictEqual(summaryOf(star, file, true), summaryOf(star, file, false));
  assert.equal(reuseStats.reused, 0);
});

/** A class of 20 methods that read each other through `self` (attributes, calls, forwarded values). */
const SERVICE = [
  'import random',
  'import requests',
  'from dbos import DBOS',
  '',
  '',
  'def helper(url):',
  '    return url.upper()',
  '',
  '',
  '@DBOS.dbos_class()',
  'class Service:',
  '    LIMIT = 3',
  '',
  '    def __init__(self):',
  '        self.client = requests.Session()',
  '        self.clock = helper',
  '',
  ...Array.from({ length: 16 }, (_, i) => [`    def m${i}(self, url):`, `        return helper(url) + str(${i})`, '']).flat(),
  '    @DBOS.workflow()',
  '    def flow(self):',
  '        return self.fetch(self.m3("u"))',
  '',
  '    @DBOS.step()',
  '    def fetch(self, url):',
  '        return self.client.get(url)',
  '',
  '',
  '@DBOS.workflow()',
  'def checkout():',
  '    return Service().flow()',
  '',
].join('\n');

/** Summarises `text` with reuse (which must equal a fresh summary): the functions computed again. */
function computedAgain(text: string, file: string): string[] {
  resetReuseStats();
  assert.deepStrictEqual(summaryOf(text, file, true), summaryOf(text, file, false));
  return reuseStats.lastComputed;
}

test('an edit inside one method of a 20-method class computes again that method alone', async () => {
  await initParser();
  clearReuse();
  const file = '/reuse-methods/service.py';
  const first = summaryOf(SERVICE, file, true);
  assert.equal(first.functions.size, 21);
  // a body edit of one method: that method only (`checkout` names the class, not the method)
  const edited = SERVICE.replace('return helper(url) + str(7)', 'return helper(url) + str(7 + random.random())');
  assert.deepEqual(computedAgain(edited, file), ['Service.m7']);
  // a method other methods call through `self`: its callers too, and theirs
  const called = edited.replace('return helper(url) + str(3)', 'return requests.get(url)');
  assert.deepEqual(computedAgain(called, file), ['Service.m3', 'Service.flow', 'checkout']);
  // an attribute assigned in `__init__`: the methods that read it, and their callers
  const attr = called.replace('self.client = requests.Session()', 'self.client = helper');
  assert.deepEqual(computedAgain(attr, file), ['Service.__init__', 'Service.flow', 'Service.fetch', 'checkout']);
  // the class outside its methods: every method
  const header = attr.replace('LIMIT = 3', 'LIMIT = 4');
  assert.deepEqual(computedAgain(header, file), [...first.functions.keys()].filter((q) => q !== 'helper'));
});

test('summaries built with reuse over incremental parses of a class equal fresh ones after random edits', async () => {
  await initParser();
  clearReuse();
  resetReuseStats();
  const file = '/reuse-methods/random.py';
  for (let seed = 0; seed < 6; seed++) {
    const next = rng(7000 + seed);
    clearReuse();
    incrementalEdits(SERVICE, next, 40, (text, tree, previous) => {
      const model = new ModuleModel(text, tree, { path: file, previousTree: previous });
      const reused = summarize(model, file, 'h', undefined, { reuse: true });
      model.previousTree = null;
      const fresh = summaryOf(text, file, false);
      assert.deepStrictEqual(reused, fresh, `seed ${7000 + seed}:\n${text}`);
      assert.deepEqual(signature(reused), signature(fresh), `seed ${7000 + seed}`);
    });
  }
  assert.ok(reuseStats.reused > reuseStats.computed, `reused ${reuseStats.reused}, computed ${reuseStats.computed}`);
});
