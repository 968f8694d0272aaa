#!/usr/bin/env node
// The server's keystroke path in one process, for instruction counts: bench/server.mjs's workspace
// (real files copied round-robin into a temp folder up to `lines`, and editing/big.py, 2,000 lines
// of the corpus's DBOS files) under a workspace index, then one-character edits of line 1001 of
// big.py (insert, then delete a space), each analysed with the index and registered like the
// server's `checkOpen` (analyze with the previous tree, then `setText`). The time budget is lifted,
// so that valgrind's slowness stops nothing. Prints the median per edit (wall clock) and the findings.
//   node bench/keystroke-index.cjs <corpus-folder> [lines]   (after `npm run pretest`: reads out/)
// Env: EDITS (default 60); SCAN=1 analyses every file of the workspace first (the server's scan;
// without it the index reads what the edited file needs); BENCH_OUT: another build's out/ folder.
// Instructions per edit: run under `valgrind --tool=callgrind node --predictable` with EDITS=10 and
// EDITS=40 and divide the difference of the totals by 30.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(__dirname, '..', 'out');
const { initParser } = require(path.join(out, 'src/engine/syntax/parser.js'));
const { analyze } = require(path.join(out, 'src/engine/index.js'));
const { WorkspaceIndex } = require(path.join(out, 'src/engine/project/index.js'));
const { typeEdits } = require('./keystroke-file.cjs');

const corpus = process.argv[2];
if (!corpus) {
  console.error('usage: node bench/keystroke-index.cjs <corpus-folder> [lines]');
  process.exit(2);
}
const targetLines = Number(process.argv[3] || 100_000);
const EDITS = Number(process.env.EDITS || 60);

// the same files, in the same order, as bench/server.mjs
function pyFiles(dir) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!/^(\.|node_modules|__pycache__|venv|\.venv)/.test(e.name)) walk(p);
      } else if (e.name.endsWith('.py')) found.push(p);
    }
  };
  walk(dir);
  return found;
}

const files = pyFiles(path.resolve(corpus))
  .map((f) => ({ f, text: fs.readFileSync(f, 'utf8') }))
  .filter((x) => !x.text.includes('\u0000'));
if (!files.length) throw new Error(`no Python files under ${corpus}`);
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-bench-ks-'));
let lines = 0;
for (let copied = 0; lines < targetLines; copied++) {
  const { text } = files[copied % files.length];
  const dir = path.join(ws, `pkg${Math.floor(copied / 50)}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `m${copied}.py`), text);
  lines += text.split('\n').length;
}
const dbos = files.filter((x) => /\bdbos\b/i.test(x.text));
let big = '';
for (let i = 0; big.split('\n').length < 2000; i++) big += dbos[i % dbos.length].text.replace(/\n*$/, '\n\n');
big = big.split('\n').slice(0, 2000).join('\n') + '\n';
const file = path.join(ws, 'editing', 'big.py');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, big);

(async () => {
  try {
    await initParser();
    const budgetMs = 1e9;
    const index = new WorkspaceIndex({ roots: [ws], budgetMs });
    if (process.env.SCAN) for (const f of pyFiles(ws)) analyze(fs.readFileSync(f, 'utf8'), { path: f, index, budgetMs });
    const line = 1000;
    const col = big.split('\n')[line].length;
    const at = big.split('\n').slice(0, line).join('\n').length + 1 + col;
    const first = analyze(big, { path: file, index, keepTree: true, budgetMs });
    index.setText(file, big);
    const here = { row: line, column: col };
    const after = { row: line, column: col + 1 };
    // insert a space, then delete it
    const nextEdit = (text, v) =>
      v % 2 === 0
        ? { text: text.slice(0, at) + ' ' + text.slice(at), edit: { startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: here, oldEndPosition: here, newEndPosition: after } }
        : { text: text.slice(0, at) + text.slice(at + 1), edit: { startIndex: at, oldEndIndex: at + 1, newEndIndex: at, startPosition: here, oldEndPosition: after, newEndPosition: here } };
    const { median, last } = typeEdits(big, first, EDITS, nextEdit, (text, previousTree) => {
      const r = analyze(text, { path: file, index, keepTree: true, previousTree, budgetMs });
      index.setText(file, text);
      return r;
    });
    console.log(`${EDITS} edits of line ${line + 1} of a 2,000-line file under a ${lines}-line workspace index: median ${median.toFixed(2)} ms, ${last.findings.length} findings`);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
})();
