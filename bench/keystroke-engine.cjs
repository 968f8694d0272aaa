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

// the same file and edit places as bench/speed.mjs
const sources = [];
for (const f of walk(folders).files) {
  const buf = fs.readFileSync(f);
  if (!buf.includes(0)) sources.push({ file: f, text: buf.toString('utf8') });
}
const lineCount = (text) => text.split('\n').length;
const parts = [];
let n = 0;
for (const s of sources.filter((x) => mentionsDbos(x.text)).sort((a, b) => (a.file < b.file ? -1 : 1))) {
  const t = s.text.replace(/\r\n?/g, '\n').replace(/\n*$/, '\n');
  parts.push(t);
  n += lineCount(t) - 1;
  if (n >= 2000) break;
}
const base = parts.join('').split('\n').slice(0, 2000).join('\n') + '\n';
const places = [];
for (let k = 0; k < 200; k++) {
  let p = Math.floor(((k + 0.5) * base.length) / 200);
  while (p < base.length && !(/[a-z]/.test(base[p]) && /[A-Za-z_]/.test(base[p - 1] ?? ''))) p++;
  if (p < base.length) places.push(p);
}
function pointAt(text, index) {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

(async () => {
  await initParser();
  const budgetMs = 1e9;
  let text = base;
  let shift = 0;
  let prev = analyze(text, { path: 'keystroke.py', keepTree: true, budgetMs });
  resetReuseStats();
  if (findingStats) findingStats.reused = findingStats.checked = 0;
  const times = [];
  for (const p0 of places.slice(0, EDITS)) {
    const p = p0 + shift++;
    const next = text.slice(0, p) + 'x' + text.slice(p);
    const start = pointAt(text, p);
    const t0 = process.hrtime.bigint();
    prev.tree.edit({ startIndex: p, oldEndIndex: p, newEndIndex: p + 1, startPosition: start, oldEndPosition: start, newEndPosition: { row: start.row, column: start.column + 1 } });
    const r = analyze(next, { path: 'keystroke.py', keepTree: true, previousTree: prev.tree, budgetMs });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    prev.tree.delete();
    prev = r;
    text = next;
  }
  prev.tree.delete();
  times.sort((a, b) => a - b);
  console.log(
    `${times.length} edits of a ${lineCount(base) - 1}-line file: median ${times[times.length >> 1].toFixed(2)} ms, ${prev.findings.length} findings at the end; facts reused ${reuseStats.reused}, computed ${reuseStats.computed}` +
      (findingStats ? `; function-rule findings reused ${findingStats.reused}, checked ${findingStats.checked}` : ''),
  );
})();
