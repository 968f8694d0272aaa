// Prints, in one run on the same files: the checker's speed next to a bare tree-sitter parse and
// next to Ruff's WebAssembly build; the re-analysis time of a 2,000-line file after a one-character
// edit (with and without incremental parsing); and the CLI end to end in fresh processes.
//   npm run bench -- [folders...]        (default: examples/ and test/fixtures/)
//   BENCH_REPS=9 npm run bench -- /path/to/corpus
//   BENCH_KEYSTROKE_FILE=app.py npm run bench     (the keystroke figure on a file of your own)
// Figures, not a test: the machine's load shows in them, so compare the columns of one run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { initParser, parsePython } = require(path.join(root, 'out/src/engine/syntax/parser.js'));
const { analyze, mentionsDbos } = require(path.join(root, 'out/src/engine/index.js'));
const { walk } = require(path.join(root, 'out/src/engine/project/walk.js'));
const { reuseStats, resetReuseStats } = require(path.join(root, 'out/src/engine/facts/reuse.js'));
const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');
const { keystrokeFile, editPlaces, pointAt } = require('./keystroke-file.cjs');

const folders = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(root, 'examples'), path.join(root, 'test/fixtures')];
const { files } = walk(folders);
const sources = [];
for (const f of files) {
  const buf = fs.readFileSync(f);
  if (buf.includes(0)) continue;
  sources.push({ file: f, text: buf.toString('utf8') });
}
const lineCount = (text) => text.split('\n').length;
const lines = (list) => list.reduce((n, s) => n + lineCount(s.text), 0);
const dbosFiles = sources.filter((s) => mentionsDbos(s.text));
const reps = Number(process.env.BENCH_REPS ?? 5);

await initParser();

const parseAll = (list) => () => {
  for (const s of list) parsePython(s.text).delete();
};
// The least a check of the whole tree costs on top of the parse: one walk over every node, done
// inside the wasm (what the model's single pass does before any of its own work).
const parseWalkAll = (list) => () => {
  for (const s of list) {
    const tree = parsePython(s.text);
    tree.rootNode.descendantsOfType('call');
    tree.delete();
  }
};
const checkAll = (list) => () => {
  for (const s of list) analyze(s.text, { path: s.file });
};
// Ruff's default rule set (`ruff check` with no configuration: E4, E7, E9, F). The wasm package's
// own defaultSettings() is the playground's much larger selection, shown as a second row.
const ruffDefault = new Workspace({ lint: { select: ['E4', 'E7', 'E9', 'F'] } }, PositionEncoding.Utf16);
const ruffPlayground = new Workspace(Workspace.defaultSettings(), PositionEncoding.Utf16);
const ruffAll = (ws, list) => () => {
  for (const s of list) ws.check(s.text);
};

const total = lines(sources);
const dl = lines(dbosFiles);
const fmt = (n, t) =>
  `${t.median.toFixed(1).padStart(9)} ms ${Math.round((n / t.median) * 1000).toLocaleString('en-US').padStart(11)} lines/s   (${t.min.toFixed(0)}-${t.max.toFixed(0)} ms)`;
const row = (name, n, t) => console.log(`${name.padEnd(46)} ${fmt(n, t)}`);

console.log(`${sources.length} files, ${total.toLocaleString('en-US')} lines; ${dbosFiles.length} files / ${dl.toLocaleString('en-US')} lines mention dbos`);
console.log(`In process, warm, median of ${reps} runs (min-max), Ruff ${Workspace.version()}, node ${process.version}\n`);

const sets = [
  ['files that mention dbos (what the checker parses)', dbosFiles, dl],
  ['all files (the CLI skips the others unparsed)', sources, total],
];
// Interleaved rounds (parse, engine, Ruff, Ruff, then again) so load changes on the machine hit
// every column alike; two warm-up rounds first (V8 tiers wasm and JS up over the first calls).
const summary = [];
for (const [title, list, n] of sets) {
  const fns = [parseAll(list), checkAll(list), ruffAll(ruffDefault, list), ruffAll(ruffPlayground, list), parseWalkAll(list)];
  const times = fns.map(() => []);
  for (let round = -2; round < reps; round++) {
    fns.forEach((fn, i) => {
      const t0 = process.hrtime.bigint();
      fn();
      if (round >= 0) times[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  const [parse, engine, ruff, ruffP, walked] = times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: t[Math.floor(t.length / 2)], min: t[0], max: t[t.length - 1] };
  });
  console.log(`${title}:`);
  row('  bare tree-sitter parse', n, parse);
  row('  parse + one walk over every node', n, walked);
  row('  dbos-lint engine (parse + model + rules)', n, engine);
  row('  Ruff wasm, default rules (E4 E7 E9 F)', n, ruff);
  row('  Ruff wasm, its defaultSettings() (~400 rules)', n, ruffP);
  summary.push([title.split(' (')[0], engine, parse, ruff, walked]);
  console.log('');
}
// Ratios of medians, and of the fastest runs (less sensitive to other processes on a busy machine).
for (const [title, engine, parse, ruff, walked] of summary) {
  const r = (a, b) => `${(a.median / b.median).toFixed(2)}x (fastest runs ${(a.min / b.min).toFixed(2)}x)`;
  console.log(`${title.padEnd(24)} engine / bare parse ${r(engine, parse)}, target <= 1.3x`);
  console.log(`${''.padEnd(24)} one walk / bare parse ${r(walked, parse)} (the floor of any whole-tree check)`);
  console.log(`${''.padEnd(24)} Ruff default / engine ${r(ruff, engine)}, target >= 1.5x`);
}

// ---------------------------------------------------------------- keystroke
// A 2,000-line file (DBOS files of the bench folders, concatenated in path order and cut at
// 2,000 lines; or BENCH_KEYSTROKE_FILE), then one-character edits (a letter typed inside a word) at evenly spread places,
// applied one after the other like typing. Each edit is re-analysed in full (fresh parse) and the
// way an editor does it (tree.edit, incremental parse with previousTree, engine reuse).
function keystrokes(mode, base, places) {
  let text = base;
  let shift = 0;
  let prev = analyze(text, { path: 'keystroke.py', keepTree: true });
  const t = [];
  for (const p0 of places) {
    const p = p0 + shift++;
    const next = text.slice(0, p) + 'x' + text.slice(p);
    const start = pointAt(text, p);
    const t0 = process.hrtime.bigint();
    let r;
    if (mode === 'full') {
      r = analyze(next, { path: 'keystroke.py', keepTree: true });
    } else {
      prev.tree.edit({ startIndex: p, oldEndIndex: p, newEndIndex: p + 1, startPosition: start, oldEndPosition: start, newEndPosition: { row: start.row, column: start.column + 1 } });
      if (mode === 'parse') r = { tree: parsePython(next, prev.tree) };
      else r = analyze(next, { path: 'keystroke.py', keepTree: true, previousTree: prev.tree });
    }
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    prev.tree.delete();
    prev = r;
    text = next;
  }
  prev.tree.delete();
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)], max: t[t.length - 1], n: t.length };
}
const ks = process.env.BENCH_KEYSTROKE_FILE ? fs.readFileSync(process.env.BENCH_KEYSTROKE_FILE, 'utf8') : keystrokeFile(dbosFiles);
if (mentionsDbos(ks)) {
  const places = editPlaces(ks, 200);
  keystrokes('incremental', ks, places.slice(0, 20)); // warm-up
  const full = keystrokes('full', ks, places);
  resetReuseStats();
  const inc = keystrokes('incremental', ks, places);
  const { reused, computed } = reuseStats;
  const parseOnly = keystrokes('parse', ks, places);
  console.log(`\nKeystroke: ${lineCount(ks) - 1}-line file, ${full.n} one-character edits at different places, typed one after the other:`);
  const k = (name, r) => console.log(`${name.padEnd(46)} median ${r.median.toFixed(2).padStart(6)} ms   p90 ${r.p90.toFixed(2).padStart(6)} ms   max ${r.max.toFixed(1).padStart(6)} ms`);
  k('  full re-analysis (fresh parse)', full);
  k('  incremental parse + engine', inc);
  k('  of which the incremental parse alone', parseOnly);
  // the facts of functions for the index (single-file: for the chains through this file's helpers)
  console.log(`  facts of functions reused across the incremental edits: ${reused.toLocaleString('en-US')}, computed ${computed.toLocaleString('en-US')} (facts/reuse.ts)`);
  console.log(`  target: incremental median < 5 ms`);
}

// ---------------------------------------------------------------- end to end
// In fresh processes (process start, wasm load, walk, read; cold JIT like a real run): the CLI
// against a process that only walks, reads and parses the same files.
const cli = path.join(root, 'dist/cli.js');
function run(args, env = {}) {
  const runs = [];
  for (let i = 0; i < Math.max(3, Math.min(reps, 5)); i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env } });
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}
if (fs.existsSync(cli)) {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const bare = run([path.join(root, 'bench/parse-only.js'), ...folders]);
  // issue 13's floor: the same, plus one tree-cursor visit of every node
  const visited = run([path.join(root, 'bench/parse-only.js'), '--walk', ...folders]);
  const one = run([cli, '--quiet', '--exit-zero', ...folders], { DBOS_LINT_THREADS: '1' });
  // every core, even where the CLI's default stays on one thread (2 cores or fewer, or a small folder)
  const all = cores > 1 ? run([cli, '--quiet', '--exit-zero', ...folders], { DBOS_LINT_THREADS: String(Math.min(cores, 8)) }) : null;
  const ls = (ms) => Math.round((total / ms) * 1000).toLocaleString('en-US').padStart(11);
  console.log('\nEnd to end, fresh processes, all files (median):');
  const x = (ms) => `(${(ms / bare).toFixed(2)}x; ${(ms / visited).toFixed(2)}x the parse + cursor visit)`;
  console.log(`${'  walk + read + bare tree-sitter parse'.padEnd(46)} ${bare.toFixed(0).padStart(9)} ms ${ls(bare)} lines/s`);
  console.log(`${'  the same + a cursor visit of every node'.padEnd(46)} ${visited.toFixed(0).padStart(9)} ms ${ls(visited)} lines/s   (${(visited / bare).toFixed(2)}x)`);
  console.log(`${'  dbos-lint CLI, one thread'.padEnd(46)} ${one.toFixed(0).padStart(9)} ms ${ls(one)} lines/s   ${x(one)}`);
  if (all !== null) console.log(`${`  dbos-lint CLI, ${Math.min(cores, 8)} threads`.padEnd(46)} ${all.toFixed(0).padStart(9)} ms ${ls(all)} lines/s   ${x(all)}`);
  console.log('  target (issue 13): CLI <= 1.5x the walk + read + parse + cursor visit process');
}
