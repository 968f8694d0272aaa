// The server's keystroke path (src/server/incremental.ts with the workspace index) reuses the facts
// of functions an edit did not touch (src/engine/facts/reuse.ts): after each edit the index's
// summary of the document and its findings equal a fresh index's, and a file that imports a helper
// of the document is named among its dependents when an edit of the helper changes what it sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { WorkspaceIndex } from '../../src/engine/project/index';
import { clearReuse, resetReuseStats, reuseStats } from '../../src/engine/facts/reuse';
import { TreeCache } from '../../src/server/incremental';
import { Analysis } from '../../src/server/analysis-worker';
import { pathToFileURL } from 'node:url';

const HELPERS = [
  'import time',
  '',
  'from dbos import DBOS',
  '',
  '',
  '@DBOS.step()',
  'def fetch():',
  '    return time.time()',
  '',
  '',
  'def stamp(label):',
  '    return label.upper()',
  '',
  '',
  'def other():',
  '    return 1',
  '',
  '',
  'def third():',
  '    return other()',
  '',
].join('\n');

const FLOW = [
  'from dbos import DBOS',
  '',
  'from app.helpers import stamp',
  '',
  '',
  '@DBOS.workflow()',
  'def checkout():',
  '    return stamp("order")',
  '',
].join('\n');

test('edits of an open document: reused facts equal a fresh index, and dependents see a helper that changed', async () => {
  await initParser();
  clearReuse();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-reuse-'));
  try {
    fs.mkdirSync(path.join(root, 'app'));
    fs.writeFileSync(path.join(root, 'app', '__init__.py'), '');
    const helpers = path.join(root, 'app', 'helpers.py');
    const flow = path.join(root, 'app', 'flow.py');
    fs.writeFileSync(helpers, HELPERS);
    fs.writeFileSync(flow, FLOW);
    const index = new WorkspaceIndex({ roots: [root] });
    const trees = new TreeCache();
    // as the analysis thread does for an open document (analysis-worker.ts checkOpen): the analysis
    // gives the index the file's summary from its model, then the buffer is registered
    const check = (text: string) => {
      const r = trees.analyze('helpers', text, { path: helpers, index });
      index.setText(helpers, text);
      return r;
    };
    // the workflow file reads the helper module through the index
    const quiet = analyze(FLOW, { path: flow, index });
    assert.deepEqual(quiet.findings.map((f) => f.code), []);
    check(HELPERS);
    let text = HELPERS;
    const edits: [string, string][] = [
      ['    return 1', '    return 12'], // another function: stamp keeps its facts
      ['def other():', 'def others():'], // a name: the module's context changed
      ['def others():', 'def other():'],
      ['    return label.upper()', '    return time.time()'], // the helper now reads the clock
    ];
    resetReuseStats();
    for (const [from, to] of edits) {
      text = text.replace(from, to);
      const r = check(text);
      const fresh = new WorkspaceIndex({ roots: [root] });
      fresh.setText(helpers, text);
      assert.deepStrictEqual(index.summaryOf(helpers), fresh.summaryOf(helpers), `after ${to}`);
      assert.deepStrictEqual(r.findings, analyze(text, { path: helpers, index: fresh }).findings);
    }
    assert.ok(reuseStats.reused > 0, `reused ${reuseStats.reused}`);
    // the last edit changed what the workflow's file sees of `stamp`: it is to be checked again
    assert.ok(index.dependents(helpers).includes(flow), index.dependents(helpers).join(', '));
    const after = analyze(FLOW, { path: flow, index });
    assert.deepEqual(after.findings.map((f) => `${f.range.start.line}:${f.code}`), ['7:DBOS201']);
    trees.clear();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an open document whose queue is renamed (same length, no fact of its functions changed) names the files that use the queue', async () => {
  await initParser();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-regs-'));
  try {
    fs.cpSync(path.resolve(__dirname, '..', '..', '..', 'test/fixtures/workspace/registry'), root, { recursive: true });
    const analysis = new Analysis();
    analysis.configure([{ uri: pathToFileURL(root).href, path: root, layer: { profile: 'strict' } }], null);
    const queues = path.join(root, 'app', 'queues.py');
    const main = path.join(root, 'app', 'main.py');
    const text = fs.readFileSync(queues, 'utf8');
    assert.ok(text.includes('"reports"'));
    analysis.checkOpen(pathToFileURL(main).href, fs.readFileSync(main, 'utf8'), 1, () => false);
    analysis.checkOpen(pathToFileURL(queues).href, text, 1, () => false);
    const renamed = analysis.checkOpen(pathToFileURL(queues).href, text.replace('"reports"', '"rEports"'), 2, () => false);
    assert.deepEqual(renamed.dependents, [main]);
    // a comment changes no name: nobody to re-check
    const comment = analysis.checkOpen(pathToFileURL(queues).href, text.replace('"reports"', '"rEports"') + '# done\n', 3, () => false);
    assert.deepEqual(comment.dependents, []);
    analysis.trees.clear();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
