// The CLI on a multi-module folder: queue and workflow names registered in other modules (imported or
// not) count, in text output, and the same with one thread and several.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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
  assert.equal(r.code, 0, r.stderr);
  const got = r.stdout.split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(got, [
    'app/main.py:8:27: DBOS406',
    'app/main.py:12:42: DBOS806',
    'app/main.py:13:42: DBOS806',
    'app/main.py:17:58: DBOS905',
    'app/main.py:18:58: DBOS806',
  ]);
  assert.match(r.stdout, /app\/main\.py:17:58: DBOS905 No workflow of this workspace is registered as "ingest"/);
  // one file named on the command line: its workspace is still the whole project (pyproject.toml)
  const one = run(['-q', '--profile', 'strict', '--select', 'DBOS406,DBOS806,DBOS905', 'app/main.py'], ws);
  assert.equal(one.stdout, r.stdout);
});
