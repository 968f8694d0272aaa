// Where the CLI's time goes: runs dist/cli.js on one thread under V8's CPU profiler (a fresh
// process, cold JIT, like a real run) and prints its samples by phase (parse, model, facts for the
// project index, rules, garbage collection, the rest), then the engine modules and functions that
// take the most time themselves. Run `npm run build` first.
//   node bench/cli-profile.mjs <folders...>
// Figures, not a test: the shares move less with the machine's load than the times do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist/cli.js');
const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error('usage: node bench/cli-profile.mjs <folders...>');
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-prof-'));
try {
  const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, cli, '--quiet', '--exit-zero', ...folders], {
    env: { ...process.env, DBOS_LINT_THREADS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`dist/cli.js exited ${r.status}`);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  report(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

function report(p) {
  // esbuild marks each source file of the bundle with a `// src/...` comment line
  const marks = [];
  fs.readFileSync(cli, 'utf8')
    .split('\n')
    .forEach((l, i) => {
      const m = /^\/\/ ((?:src|node_modules)\/\S+)/.exec(l);
      if (m) marks.push([i, m[1].replace(/^src\/engine\//, '').replace(/^node_modules\/([^/]+)\/.*/, '$1')]);
    });
  const moduleAt = (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid][0] <= line) {
        found = marks[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const where = (cf) =>
    cf.url.endsWith('/cli.js')
      ? moduleAt(cf.lineNumber)
      : cf.url.startsWith('wasm://')
        ? 'wasm: tree-sitter and the Python grammar'
        : cf.url
          ? 'Node.js built-ins (module loading, fs, path, crypto)'
          : cf.functionName;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ms = new Map();
  for (let i = 0; i < p.samples.length; i++) ms.set(p.samples[i], (ms.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  // a sample's phase: the innermost of these functions on its stack
  const PHASES = [
    ['parse', new Set(['parseWithin'])],
    ['facts: summaries for the project index', new Set(['summarize'])],
    ['model (binder)', new Set(['ModuleModel'])],
    ['rules', new Set(['runRules'])],
    ['reading files', new Set(['readSource', 'defaultReadFile'])],
  ];
  const phases = new Map();
  const modules = new Map();
  const functions = new Map();
  let total = 0;
  const add = (m, k, t) => m.set(k, (m.get(k) ?? 0) + t);
  for (const n of p.nodes) {
    const t = ms.get(n.id) ?? 0;
    if (!t) continue;
    total += t;
    const fn = n.callFrame.functionName;
    let phase = fn === '(garbage collector)' ? 'garbage collection' : fn === '(idle)' || fn === '(program)' ? 'idle, program' : null;
    for (let id = n.id; id !== undefined && !phase; id = parent.get(id)) {
      const name = byId.get(id).callFrame.functionName;
      for (const [label, names] of PHASES) if (names.has(name)) phase = label;
    }
    add(phases, phase ?? 'the rest: start-up, walk, index, output', t);
    const w = where(n.callFrame);
    add(modules, w, t);
    if (n.callFrame.url.endsWith('/cli.js')) add(functions, `${fn || '(anonymous)'} (${w})`, t);
  }
  const rows = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, t]) => `  ${t.toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  console.log(`dist/cli.js on one thread, ${total.toFixed(0)} ms of samples (main thread)\n\nBy phase:\n${rows(phases, 10)}`);
  console.log(`\nBy module (self time):\n${rows(modules, 20)}`);
  console.log(`\nBy function of the bundle (self time):\n${rows(functions, 25)}`);
}
