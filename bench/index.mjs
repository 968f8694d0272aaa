// The workspace index on a generated ~100,000-line workspace: full check with the index (every file
// analysed, helper modules summarised as chains reach them), the same check without the index, memory,
// and the time to bring findings up to date after a one-character edit of a deep helper (setText +
// re-analysis of its dependents).
//   npm run bench:index            (or: node bench/index.mjs [target-lines], after npm run pretest)
// Figures, not a test: run it on a quiet machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { initParser, parsePython } = require(path.join(root, 'out/src/engine/syntax/parser.js'));
const { analyze, mentionsDbos } = require(path.join(root, 'out/src/engine/index.js'));
const { WorkspaceIndex } = require(path.join(root, 'out/src/engine/project/index.js'));

const target = Number(process.argv[2] ?? 100_000);

// ------------------------------------------------------------------ a generated workspace
// Packages of helper modules (plain functions calling each other across modules, some reading the
// clock, randomness, or doing HTTP and database calls) and workflow modules calling into them.
function generate(dir) {
  const files = new Map();
  const PKGS = 10;
  const UTILS = 33;
  const FLOWS = 10;
  const FNS = 20;
  const effects = ['time.time()', 'random.random()', 'requests.get(url).json()', 'sqlite3.connect(url)', 'len(url)', 'url.upper()'];
  for (let p = 0; p < PKGS; p++) {
    files.set(`pkg${p}/__init__.py`, '');
    for (let u = 0; u < UTILS; u++) {
      const lines = ['import random', 'import sqlite3', 'import time', '', 'import requests', ''];
      const next = `pkg${p}.util${(u + 1) % UTILS}`;
      const other = `pkg${(p + 1) % PKGS}.util${u}`;
      lines.push(`from ${next} import f0 as next_f0`, `import ${other} as other`, '', '');
      for (let f = 0; f < FNS; f++) {
        lines.push(`def f${f}(url, n=0):`, `    """Helper ${f} of util ${u} in package ${p}."""`, '    total = 0', '    for i in range(3):', '        total += i * n');
        if (f === FNS - 1 || f % 4 === 3) lines.push(`    value = ${effects[(p + u + f) % effects.length]}`);
        else if (f % 5 === 4) lines.push('    value = next_f0(url, n)');
        else if (f % 7 === 6) lines.push('    value = other.f1(url, n)');
        else lines.push(`    value = f${f + 1}(url, n)`);
        lines.push('    if total > 100:', '        return None', '    return value', '', '');
      }
      lines.push('class Client:', '    def fetch(self, url):', '        return self._raw(url)', '', '    def _raw(self, url):', '        return f3(url)', '', '', 'client = Client()', '');
      files.set(`pkg${p}/util${u}.py`, lines.join('\n'));
    }
    for (let w = 0; w < FLOWS; w++) {
      const lines = ['from dbos import DBOS', '', `from pkg${p} import util${w}`, `from pkg${p}.util${w + 10} import client`, `import pkg${p}.util${w + 20} as u`, '', ''];
      for (let k = 0; k < 15; k++) {
        lines.push('@DBOS.workflow()', `def flow_${w}_${k}(order_id: str) -> int:`, '    DBOS.logger.info(order_id)');
        lines.push(k % 3 === 0 ? `    a = util${w}.f${k}(order_id)` : k % 3 === 1 ? '    a = client.fetch(order_id)' : `    a = u.f${k}(order_id, 1)`);
        lines.push(`    b = step_${w}_${k}(order_id)`, '    return (a or 0) + b', '', '', '@DBOS.step()', `def step_${w}_${k}(order_id: str) -> int:`, `    return len(util${w}.f${k}(order_id) or "")`, '', '');
      }
      files.set(`pkg${p}/flows${w}.py`, lines.join('\n'));
    }
  }
  files.set('pyproject.toml', '[project]\nname = "bench"\n');
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return [...files.keys()].filter((f) => f.endsWith('.py')).map((f) => path.join(dir, f));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-bench-index-'));
let files = generate(dir);
const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
let lines = 0;
for (const t of texts.values()) lines += t.split('\n').length;
const dbosFiles = files.filter((f) => mentionsDbos(texts.get(f)));
if (lines < target * 0.8) console.log(`(generated ${lines} lines; target ${target})`);

await initParser();
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mb = (b) => (b / 1048576).toFixed(1) + ' MB';

function checkAll(index) {
  let findings = 0;
  for (const f of files) findings += analyze(texts.get(f), { path: f, index }).findings.length;
  return findings;
}

// warm-up (JIT, wasm), then the measured runs
checkAll(new WorkspaceIndex({ roots: [dir] }));
global.gc?.();
const runs = [];
let index;
let withIndex = 0;
for (let i = 0; i < 3; i++) {
  index = new WorkspaceIndex({ roots: [dir] });
  const t0 = process.hrtime.bigint();
  withIndex = checkAll(index);
  runs.push(ms(t0));
}
const build = runs.sort((a, b) => a - b)[1];
const mem = process.memoryUsage();
const noIndexRuns = [];
let without = 0;
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  without = checkAll(undefined);
  noIndexRuns.push(ms(t0));
}
const plain = noIndexRuns.sort((a, b) => a - b)[1];
const st = index.stats();
const parseRuns = [];
for (let i = 0; i < 3; i++) {
  const t = process.hrtime.bigint();
  for (const f of files) parsePython(texts.get(f)).delete();
  parseRuns.push(ms(t));
}
const bare = parseRuns.sort((a, b) => a - b)[1];

// index alone: summarise every module (what a full background scan would hold)
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const eager = new WorkspaceIndex({ roots: [dir] });
let t0 = process.hrtime.bigint();
for (const f of files) eager.summaryOf(f);
const summariseAll = ms(t0);
global.gc?.();
const heldByIndex = process.memoryUsage().heapUsed - heapBefore;

// one-character edits of a helper that many workflows reach (pkg0/util0.py, whose f0 the f4 of
// util29 calls, and which util10's Client reaches): a space typed before `=` on its first effect's line moves
// the call's columns, so its summary changes and every dependent is checked again
const helper = path.join(dir, 'pkg0/util0.py');
const original = texts.get(helper);
const typed = original.replace(/    value = (?=(time\.time|random\.random|requests\.get|sqlite3\.connect)\()/, '    value  = ');
if (typed === original) throw new Error('bench: the edited line was not found');
const deps = index.dependents(helper);
const updates = [];
for (let i = 0; i < 6; i++) {
  const edited = i % 2 === 0 ? typed : original;
  t0 = process.hrtime.bigint();
  const changed = index.setText(helper, edited);
  const setTextMs = ms(t0);
  let n = 0;
  for (const d of changed ? index.dependents(helper) : []) {
    if (!texts.has(d) || d === helper) continue;
    analyze(texts.get(d), { path: d, index });
    n++;
  }
  updates.push({ t: ms(t0), n, changed, setTextMs });
}
const upd = updates.map((u) => u.t).sort((a, b) => a - b)[3];
// a one-character edit that other files cannot see (a docstring)
const quietText = original.replace('Helper 0 of util 0', 'Helper 0 of util 0.');
t0 = process.hrtime.bigint();
const quiet = index.setText(helper, quietText);
const quietMs = ms(t0);

console.log(`${files.length} files, ${fmt(lines)} lines (${dbosFiles.length} files with workflows), generated in ${dir}`);
console.log('');
console.log(`check every file with the index      ${build.toFixed(0).padStart(7)} ms   ${fmt(lines / (build / 1000))} lines/s   ${withIndex} findings`);
console.log(`check every file without the index   ${plain.toFixed(0).padStart(7)} ms   ${fmt(lines / (plain / 1000))} lines/s   ${without} findings`);
console.log(`  (without it, only the ${dbosFiles.length} files that mention DBOS are parsed; the helpers are skipped unread)`);
console.log(`bare tree-sitter parse of every file  ${bare.toFixed(0).padStart(7)} ms   ${fmt(lines / (bare / 1000))} lines/s   (indexed check / parse: ${(build / bare).toFixed(2)}x)`);
console.log(`modules summarised lazily            ${String(st.summaries).padStart(7)}      (${st.parses} parsed for the index alone, ${fmt(st.functions)} functions)`);
console.log(`summarise every module (eager)       ${summariseAll.toFixed(0).padStart(7)} ms   ${fmt(lines / (summariseAll / 1000))} lines/s`);
console.log(`memory after the indexed check       heapUsed ${mb(mem.heapUsed)}, rss ${mb(mem.rss)}   (${global.gc ? `summaries of every module: ${mb(heldByIndex)} of heap` : 'run with --expose-gc for the heap held by the index'})`);
console.log('');
console.log(`one-character edit of a helper (pkg0/util0.py, ${deps.length} dependents):`);
console.log(`  setText + re-check of dependents   ${upd.toFixed(1).padStart(7)} ms   (median of 6; ${updates.filter((u) => u.changed).length} of 6 changed the summary; ${Math.max(...updates.map((u) => u.n))} files re-checked)`);
console.log(`    of which setText (parse + summary) ${updates.map((u) => u.setTextMs).sort((a, b) => a - b)[3].toFixed(1).padStart(5)} ms`);
console.log(`  an edit others cannot see          ${quietMs.toFixed(1).padStart(7)} ms   (setText returned ${quiet}: nothing to re-check)`);
fs.rmSync(dir, { recursive: true, force: true });
