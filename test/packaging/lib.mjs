// Shared by the packaging tests: the repository, running commands, timing them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

/** Runs a command; throws with its output when `check` and it fails. */
export function sh(cmd, args, { cwd = ROOT, env = {}, input, check = true, replaceEnv = false } = {}) {
  const r = spawnSync(cmd, args, { cwd, input, encoding: 'utf8', env: replaceEnv ? env : { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const out = { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
  if (check && (r.status !== 0 || r.error)) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${out.stdout}\n${out.stderr}`);
  }
  return out;
}

/** Runs `fn`, prints how long it took under `label`, returns its result. */
export function timed(label, fn) {
  const t = performance.now();
  const r = fn();
  console.log(`[timing] ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return r;
}

export function tmpdir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dbos-lint-${name}-`));
}

/** The Python of Debian's python3-build / python3-hatchling / python3-venv (test/packaging/setup.sh). */
export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** The environment for a `node --test` run inside a test: without the runner's own NODE_TEST_CONTEXT. */
export function nestedTestEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}
