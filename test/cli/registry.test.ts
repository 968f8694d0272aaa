// The CLI on a multi-module folder: queue and workflow names registered in other modules (imported or
// not) count, in text output, and the same with one thread and several.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rootsListing } from '../../src/cli/check';

const repo = process.env.DBOS_LINT_ROOT ?? process.cwd();
const cli = path.join(repo, 'dist', 'cli.js');

function run(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('cli: names registered across the modules of a folder', () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-cli-registry-'));
  fs.cpSync(path.join(repo, 'test/fixtures/workspace/registry'), ws, { recursive: true });
  const r = run(['-q', '--profile', 'strict', '--select', 'DBOS406,DBOS806,DBOS905', '.'], ws);
  assert.equal(r.code, 1, r.stderr); // warnings fail the run by default (--fail-on warning)
  const got = r.stdout.split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(got, [
    'app/main.py:8:27: DBOS406',
    'app/main.py:12:42: DBOS905', // the client acts for "reports", the application main.py configures
    'app/main.py:13:42: DBOS806',
    'app/main.py:17:58: DBOS905',
    'app/main.py:18:58: DBOS806',
  ]);
  assert.match(r.stdout, /app\/main\.py:17:58: DBOS905 Enqueue of "ingest", a workflow of another application/);
  // one file named on the command line: its workspace is still the whole project (pyproject.toml)
  const one = run(['-q', '--profile', 'strict', '--select', 'DBOS406,DBOS806,DBOS905', 'app/main.py'], ws);
  assert.equal(one.stdout, r.stdout);
});

test('cli: the walk of the command line serves the registry when it covers every root', () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-cli-listing-'));
  fs.cpSync(path.join(repo, 'test/fixtures/workspace/registry'), ws, { recursive: true });
  const files = ['app/main.py', 'app/queues.py'].map((f) => path.join(ws, f));
  // the folder itself, or a folder above the root: its listing is complete
  assert.deepEqual(rootsListing([ws], [ws], files, true), files);
  assert.deepEqual(rootsListing([path.dirname(ws)], [ws], files, true), files);
  // one file named (the root is the project above it), or .gitignore files not honoured: the registry walks
  assert.equal(rootsListing([files[0]], [ws], [files[0]], true), undefined);
  assert.equal(rootsListing([ws], [ws], files, false), undefined);
  // a subfolder given: the root above it is not covered
  assert.equal(rootsListing([path.join(ws, 'app')], [ws], files, true), undefined);
  // the same findings with the listing and with a walk of its own
  const args = ['-q', '--profile', 'strict', '--select', 'DBOS406,DBOS806,DBOS905'];
  const listed = run([...args, '.'], ws);
  const walked = run([...args, '--no-gitignore', '.'], ws);
  assert.equal(listed.code, 1, listed.stderr);
  assert.equal(listed.stdout, walked.stdout);
  assert.match(listed.stdout, /app\/main\.py:8:27: DBOS406/);
});
