#!/usr/bin/env node
// Extension activation time in a real VS Code (the code-server harness of test/e2e): runs the e2e
// activation test N times (a fresh VS Code each time) and prints the extension's own figures, in
// VS Code's terms: code loading (the bundle's module code) + the activate() call = activation; the
// time VS Code spends between the two (creating the extension context) is printed apart; and the
// time until the language server answers its first request (it starts after activate() returns).
// Usage: npm run bench:activation [-- runs]   (needs `npm run e2e:setup` once)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.argv[2] || 3);
const build = spawnSync('npm', ['run', 'gen'], { cwd: root, stdio: 'ignore' });
if (build.status !== 0) throw new Error('npm run gen failed');
for (const [cmd, args] of [['node', ['scripts/build.mjs', '--production']], ['npx', ['tsc', '-p', 'test/e2e/tsconfig.json']]]) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}
// VS Code's "code loading" also counts reading and compiling the file, which happens before any of
// its code runs (so loadMs cannot see it): time require() of the same bundle in plain Node, with a
// stub for the 'vscode' module, in fresh processes.
const requireMs = [];
for (let i = 0; i < 5; i++) {
  const probe = `
    const Module = require('module');
    const orig = Module._resolveFilename;
    Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? 'vscode' : orig.call(this, req, ...rest); };
    require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: {} };
    const t = performance.now();
    require(${JSON.stringify(path.join(root, 'dist', 'extension.js'))});
    console.log(performance.now() - t);`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  requireMs.push(Number(r.stdout.trim()));
}

const keys = ['loadMs', 'activateMs', 'activationMs', 'hostGapMs', 'serverReadyMs'];
const all = Object.fromEntries(keys.map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  const file = path.join(os.tmpdir(), `dbos-lint-timings-${process.pid}-${i}.json`);
  const r = spawnSync('node', ['test/e2e/run.js'], { cwd: root, env: { ...process.env, E2E_SESSIONS: 'main', E2E_GREP: 'measures activation', E2E_TIMINGS_FILE: file }, encoding: 'utf8' });
  if (!fs.existsSync(file)) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error('the activation test did not write its timings');
  }
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file);
  for (const k of keys) all[k].push(t[k]);
  console.log(`run ${i + 1}: ${keys.map((k) => `${k} ${t[k].toFixed(1)}`).join(', ')}`);
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const m = (k) => median(all[k]).toFixed(1);
console.log(`medians of ${runs} runs (minified bundle; each column's own median):`);
console.log(`  extension activation: ${m('activationMs')} ms (code loading ${m('loadMs')} + activate() ${m('activateMs')}; target < 50 ms)`);
console.log(`  VS Code between loading and activate(): ${m('hostGapMs')} ms (not ours)`);
console.log(`  require() of dist/extension.js in plain Node (read + compile + module code), median of 5: ${median(requireMs).toFixed(1)} ms`);
console.log(`  language server answering (from bundle load): ${m('serverReadyMs')} ms`);
// Leave a development build behind, as the other scripts expect.
spawnSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
