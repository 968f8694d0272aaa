#!/usr/bin/env node
// The engine's keystroke loop in one process, for instruction counts: bench/speed.mjs's 2,000-line
// file (the DBOS files of the folders, in path order, cut at 2,000 lines) and its one-letter edits at
// 200 evenly spread places typed one after the other, each analysed the way an editor does it
// (tree.edit, incremental parse from the previous tree, engine reuse), without an index, the time
// budget lifted so that valgrind's slowness stops nothing. Prints the median per edit (wall clock),
// the findings of the last edit and the facts reused and computed.
//   node bench/keystroke-engine.cjs [folders...]   (after `npm run pretest`: reads out/; default:
//   examples/ and test/fixtures/, like `npm run bench`)
// Env: EDITS (default 200, at most 200); BENCH_OUT: another build's out/ folder.
// Instructions per edit: run under `valgrind --tool=callgrind node --predictable` with EDITS=60 and
// EDITS=180 and divide the difference of the totals by 120.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(root, 'out');
const { initParser } = require(path.join(out, 'src/engine/syntax/parser.js'));
const { analyze, mentionsDbos } = require(path.join(out, 'src/engine/index.js'));
const { walk } = require(path.join(out, 'src/engine/project/walk.js'));
const { keystrokeFile, editPlaces, pointAt, lineCount, typeEdits } = require('./keystroke-file.cjs');
const { reuseStats, resetReuseStats } = require(path.join(out, 'src/engine/facts/reuse.js'));
// findings kept per function (rules/function-findings.ts), when the build has them
let findingStats = null;
try {
  findingStats = require(path.join(out, 'src/engine/rules/function-findings.js')).functionFindingsStats;
} catch {
  /* an older build */
}

const folders = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(root, 'examples'), path.join(root, 'test/fixtures')];
const EDITS = Math.min(200, Number(process.env.EDITS || 200));

// the same file and edit places as `npm run bench`
const sources = [];
for (const f of walk(folders).files) {
  const buf = fs.readFileSync(f);
  if (!buf.includes(0)) sources.push({ file: f, text: buf.toString('utf8') });
}
const base = keystrokeFile(sources.filter((x) => mentionsDbos(x.text)));
const places = editPlaces(base, 200);

(async () => {
  await initParser();
  const budgetMs = 1e9;
  const first = analyze(base, { path: 'keystroke.py', keepTree: true, budgetMs });
  resetReuseStats();
  if (findingStats) findingStats.reused = findingStats.checked = 0;
  const edits = Math.min(EDITS, places.length);
  const nextEdit = (text, k) => {
    const p = places[k] + k;
    const start = pointAt(text, p);
    const edit = { startIndex: p, oldEndIndex: p, newEndIndex: p + 1, startPosition: start, oldEndPosition: start, newEndPosition: { row: start.row, column: start.column + 1 } };
    return { text: text.slice(0, p) + 'x' + text.slice(p), edit };
  };
  const { median, last } = typeEdits(base, first, edits, nextEdit, (text, previousTree) => analyze(text, { path: 'keystroke.py', keepTree: true, previousTree, budgetMs }));
  console.log(
    `${edits} edits of a ${lineCount(base) - 1}-line file: median ${median.toFixed(2)} ms, ${last.findings.length} findings at the end; facts reused ${reuseStats.reused}, computed ${reuseStats.computed}` +
      (findingStats ? `; function-rule findings reused ${findingStats.reused}, checked ${findingStats.checked}` : ''),
  );
})();
