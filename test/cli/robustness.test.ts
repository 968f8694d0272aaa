// The CLI on ordinary but awkward repository states (issue 16): a file over the size limit or the
// time budget next to a normal one, project files that cannot be read, symbolic links, file names
// that are not UTF-8, configuration errors. Nothing is lost: the other files' findings are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = process.env.DBOS_LINT_ROOT ?? process.cwd();
const cli = path.join(repo, 'dist', 'cli.js');

function run(args: string[], cwd: string, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-robust-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const NONDET = ['import random', 'from dbos import DBOS', '', '@DBOS.workflow()', 'def pick(items):', '    return random.choice(items)', ''].join('\n');

test('a file over the size limit is reported once and skipped; the next file is still checked', () => {
  const big = NONDET + '\n' + '# filler line of a generated module\n'.repeat(100);
  const ws = workspace({ 'a_big.py': big, 'b_app.py': NONDET });
  const r = run(['--max-file-size-kb', '2', '.'], ws);
  assert.match(r.stdout, /b_app\.py:6:12: DBOS201 /);
  assert.doesNotMatch(r.stdout, /a_big\.py/);
  const lines = r.stderr.split('\n').filter((l) => l.includes('a_big.py'));
  assert.deepEqual(lines, ['dbos-lint: warning: a_big.py: not checked: 4 KiB is over the 2 KiB size limit (max-file-size-kb)']);
  // the DBOS201 of b_app.py fails the run; the skipped file alone does not (it is a warning, not exit 2)
  assert.equal(r.code, 1);
  assert.equal(run(['--max-file-size-kb', '2', 'a_big.py'], ws).code, 0);
  // every format names the skipped file, as a warning
  const msg = 'not checked: 4 KiB is over the 2 KiB size limit (max-file-size-kb)';
  const json = JSON.parse(run(['--max-file-size-kb', '2', '--output-format', 'json', '.'], ws).stdout) as { file: string; code: string; severity: string; message: string }[];
  assert.deepEqual(
    json.filter((f) => f.file === 'a_big.py').map((f) => [f.code, f.severity, f.message]),
    [['file-skipped', 'warning', msg]],
  );
  const sarif = JSON.parse(run(['--max-file-size-kb', '2', '--output-format', 'sarif', '.'], ws).stdout);
  assert.equal(sarif.runs[0].invocations[0].executionSuccessful, true);
  assert.deepEqual(
    sarif.runs[0].invocations[0].toolExecutionNotifications.map((n: { level: string; descriptor: { id: string }; message: { text: string } }) => [n.level, n.descriptor.id, n.message.text]),
    [['warning', 'file-skipped', msg]],
  );
  assert.match(run(['--max-file-size-kb', '2', '--output-format', 'github', '.'], ws).stdout, /^::warning file=a_big\.py,title=dbos-lint file-skipped::not checked: 4 KiB is over/m);
  const gitlab = JSON.parse(run(['--max-file-size-kb', '2', '--output-format', 'gitlab', '.'], ws).stdout) as { check_name: string; severity: string; location: { path: string } }[];
  assert.deepEqual(gitlab.filter((i) => i.location.path === 'a_big.py').map((i) => [i.check_name, i.severity]), [['dbos-lint/file-skipped', 'info']]);
  const junit = run(['--max-file-size-kb', '2', '--output-format', 'junit', '.'], ws).stdout;
  assert.match(junit, /<testcase name="file-skipped" classname="a_big\.py">\n\s*<skipped message="not checked: 4 KiB is over the 2 KiB size limit \(max-file-size-kb\)"\/>/);
  assert.match(junit, /<testsuites name="dbos-lint" tests="2" failures="1" errors="0" skipped="1">/);
  // and from pyproject.toml
  fs.writeFileSync(path.join(ws, 'pyproject.toml'), '[tool.dbos-lint]\nmax-file-size-kb = 2\n');
  assert.match(run(['.'], ws).stderr, /a_big\.py: not checked: 4 KiB is over the 2 KiB size limit/);
});

test('a file over its time budget is reported once, skipped or partly checked; the other files go on', () => {
  const ws = workspace({ 'a_slow.py': NONDET, 'b_app.py': NONDET });
  // a budget a small file meets even in a cold process, and a_slow.py cannot: one of its rules is
  // made to spin 1,500 ms (the fault injection of src/engine/test-hooks.ts), so that the test does
  // not depend on how fast this machine analyses a large file
  const r = run(['--file-time-budget-ms', '1000', '.'], ws, { DBOS_LINT_TEST_HOOKS: 'slow:DBOS201:1500:a_slow.py' });
  assert.match(r.stdout, /b_app\.py:6:12: DBOS201 /);
  const lines = r.stderr.split('\n').filter((l) => l.includes('a_slow.py'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^dbos-lint: warning: a_slow\.py: (not checked: the time ran out (while parsing the file|before the rules ran)|partly checked: \d+ rules? (was|were) skipped) \(\d+ ms, over the 1000 ms budget per file: file-time-budget-ms\)$/);
});

test('a rule stopped by the budget inside its own work gives none of its findings, in every format; the file is partly checked', () => {
  const ws = workspace({ 'a_slow.py': NONDET, 'b_app.py': NONDET });
  // DBOS201 reports on a_slow.py, then loops through the budget's cooperative check until the time runs out
  const env = { DBOS_LINT_TEST_HOOKS: 'stall:DBOS201:a_slow.py' };
  const r = run(['--file-time-budget-ms', '1000', '.'], ws, env);
  assert.match(r.stdout, /b_app\.py:6:12: DBOS201 /);
  assert.doesNotMatch(r.stdout, /a_slow\.py:\d+:\d+: DBOS201/);
  const lines = r.stderr.split('\n').filter((l) => l.includes('a_slow.py'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^dbos-lint: warning: a_slow\.py: partly checked: \d+ rules were skipped \(\d+ ms, over the 1000 ms budget per file: file-time-budget-ms\)$/);
  const json = JSON.parse(run(['--file-time-budget-ms', '1000', '--output-format', 'json', '.'], ws, env).stdout) as { file: string; code: string }[];
  assert.deepEqual(json.filter((e) => e.file === 'a_slow.py').map((e) => e.code), ['file-partly-checked']);
  assert.deepEqual(json.filter((e) => e.file === 'b_app.py').map((e) => e.code), ['DBOS201']);
});

test('project files that cannot be read are no crash: the findings are printed, a warning names the file', () => {
  const ws = workspace({ 'app.py': NONDET });
  fs.mkdirSync(path.join(ws, 'requirements.txt'));
  fs.symlinkSync(path.join(ws, 'missing.txt'), path.join(ws, 'requirements-dev.txt'));
  fs.mkdirSync(path.join(ws, 'uv.lock'));
  const r = run(['.'], ws);
  assert.match(r.stdout, /app\.py:6:12: DBOS201 /);
  assert.doesNotMatch(r.stderr, /internal error/);
  // the DBOS201 warning fails the run (--fail-on warning by default); the unreadable pin files do not
  assert.equal(r.code, 1);
  assert.equal(run(['--fail-on', 'error', '.'], ws).code, 0);
});

test('configuration errors: one line each, exit 2, and the findings still printed with the defaults', () => {
  const ws = workspace({
    'app.py': NONDET,
    'pyproject.toml': '[tool.dbos-lint]\nselect = ["DBOS999"]\ntarget-version = 2.30\n[tool.dbos-lint.severity.DBOS201]\nlevel = "error"\n',
  });
  const r = run(['.'], ws);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /app\.py:6:12: DBOS201 /);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('dbos-lint: ') && l.includes('pyproject.toml'));
  assert.equal(errors.length, 3, r.stderr);
  assert.match(errors[0], /"select": "DBOS999" is not a rule code or prefix/);
  assert.match(errors[1], /"target-version" must be a quoted string: write target-version = "2.30"/);
  assert.match(errors[2], /the severity of DBOS201 must be one of .* not a table/);
  // on the command line too
  const flags = run(['--select', 'DBOS999', '--ignore', '', '.'], ws);
  assert.equal(flags.code, 2);
  assert.match(flags.stderr, /command line: "select": "DBOS999" is not a rule code or prefix/);
  assert.match(flags.stderr, /command line: "ignore": an empty code \(""\) is not a rule code or prefix/);
});

test('symbolic links to .py files: followed inside the folder, reported outside it or dangling', () => {
  const outside = workspace({ 'shared.py': NONDET });
  const ws = workspace({ 'pkg/real.py': NONDET });
  fs.symlinkSync(path.join(ws, 'pkg', 'real.py'), path.join(ws, 'alias.py'));
  fs.symlinkSync(path.join(outside, 'shared.py'), path.join(ws, 'shared.py'));
  fs.symlinkSync(path.join(ws, 'gone.py'), path.join(ws, 'dangling.py'));
  const r = run(['.'], ws);
  // the link inside the folder leads to a file listed anyway: checked once, under the file's own name
  assert.deepEqual(r.stdout.split('\n').filter((l) => /DBOS201/.test(l)).map((l) => l.split(':')[0]), ['pkg/real.py']);
  assert.match(r.stderr, /dbos-lint: shared\.py: not checked: a symbolic link to .*shared\.py, outside /);
  assert.match(r.stderr, /dbos-lint: dangling\.py: not checked: a symbolic link to nothing \(dangling\)/);
  // a link inside the folder to a file not listed otherwise is checked under the link's name
  const ws2 = workspace({ '.venv/pyvenv.cfg': '', '.venv/lib.py': NONDET });
  fs.symlinkSync(path.join(ws2, '.venv', 'lib.py'), path.join(ws2, 'lib_link.py'));
  assert.match(run(['.'], ws2).stdout, /lib_link\.py:6:12: DBOS201/);
});

test('a file name that is not UTF-8 is named in a message, not reported as missing', () => {
  const ws = workspace({ 'app.py': NONDET });
  fs.writeFileSync(Buffer.concat([Buffer.from(ws + '/caf'), Buffer.from([0xe9]), Buffer.from('.py')]), NONDET);
  const r = run(['.'], ws);
  assert.match(r.stdout, /app\.py:6:12: DBOS201/);
  assert.match(r.stderr, /caf\u00e9\.py: not checked: its name is not valid UTF-8 \(rename it\)/);
  assert.doesNotMatch(r.stderr, /no such file/);
});
