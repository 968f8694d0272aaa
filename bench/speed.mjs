// Prints the checker's speed next to a bare tree-sitter parse of the same files.
//   npm run bench -- [folder]        (default: examples/ and test/fixtures/)
// Figures, not a test: run it on a quiet machine and compare the two columns of the same run.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { initParser, parsePython } = require(path.join(root, 'out/src/engine/parser.js'));
const { analyze, mentionsDbos } = require(path.join(root, 'out/src/engine/index.js'));
const { walk } = require(path.join(root, 'out/src/cli/walk.js'));

const folders = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(root, 'examples'), path.join(root, 'test/fixtures')];
const { files } = walk(folders);
const sources = [];
for (const f of files) {
  const buf = fs.readFileSync(f);
  if (buf.includes(0)) continue;
  sources.push({ file: f, text: buf.toString('utf8') });
}
const lines = (list) => list.reduce((n, s) => n + s.text.split('\n').length, 0);
const dbosFiles = sources.filter((s) => mentionsDbos(s.text));

await initParser();
function time(fn, reps) {
  fn(); // warm-up
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
const parseAll = (list) => () => {
  for (const s of list) parsePython(s.text).delete();
};
const checkAll = (list) => () => {
  for (const s of list) analyze(s.text, { path: s.file });
};
const reps = Number(process.env.BENCH_REPS ?? 5);
const total = lines(sources);
const dl = lines(dbosFiles);
const rows = [
  ['bare tree-sitter parse, all files', total, time(parseAll(sources), reps)],
  ['dbos-lint engine, all files', total, time(checkAll(sources), reps)],
  ['bare tree-sitter parse, files that mention dbos', dl, time(parseAll(dbosFiles), reps)],
  ['dbos-lint engine, files that mention dbos', dl, time(checkAll(dbosFiles), reps)],
];
console.log(`${sources.length} files, ${total} lines (${dbosFiles.length} files / ${dl} lines mention dbos); median of ${reps} runs\n`);
for (const [name, n, ms] of rows) {
  console.log(`${name.padEnd(50)} ${ms.toFixed(1).padStart(9)} ms ${Math.round((n / ms) * 1000).toLocaleString('en-US').padStart(12)} lines/s`);
}
console.log(`\nchecker / parse, all files:              ${(rows[1][2] / rows[0][2]).toFixed(2)}x (target <= 1.5x)`);
console.log(`checker / parse, files that mention dbos: ${(rows[3][2] / rows[2][2]).toFixed(2)}x`);

// End to end, in fresh processes (process start, wasm load, walk, read; cold JIT like a real run):
// the CLI against a process that only walks, reads and parses the same files.
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
  const bare = run([path.join(root, 'bench/parse-only.js'), ...folders]);
  const one = run([cli, '--quiet', '--exit-zero', ...folders], { DBOS_LINT_THREADS: '1' });
  const all = run([cli, '--quiet', '--exit-zero', ...folders]);
  const ls = (ms) => Math.round((total / ms) * 1000).toLocaleString('en-US').padStart(12);
  console.log('\nEnd to end, fresh processes (median):');
  console.log(`${'walk + read + bare tree-sitter parse'.padEnd(50)} ${bare.toFixed(0).padStart(9)} ms ${ls(bare)} lines/s`);
  console.log(`${'dbos-lint CLI, one thread'.padEnd(50)} ${one.toFixed(0).padStart(9)} ms ${ls(one)} lines/s  (${(one / bare).toFixed(2)}x)`);
  console.log(`${'dbos-lint CLI, all cores'.padEnd(50)} ${all.toFixed(0).padStart(9)} ms ${ls(all)} lines/s  (${(all / bare).toFixed(2)}x, target <= 1.5x)`);
}
