// The CLI as a user runs it: the bundled dist/cli.js in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLEAN, NONDET, repo, run, workspace } from './run';
import { RULES } from '../../src/catalog/rules';

test('text format: path:line:col: CODE message, and a summary', () => {
  const ws = workspace({ 'app.py': NONDET });
  const r = run(['app.py'], ws);
  assert.equal(r.code, 1, r.stderr);
  const first = r.stdout.split('\n')[0];
  assert.match(first, /^app\.py:6:12: DBOS201 `random\.choice\(\)` returns a different value \(randomness\) when this workflow is replayed$/);
  assert.match(r.stdout, /Found 1 problem \(1 warning\)\./);
});

test('json format: 1-based positions and every field', () => {
  const ws = workspace({ 'pkg/app.py': NONDET });
  const r = run(['--format', 'json', '.'], ws);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out, [
    {
      file: path.join('pkg', 'app.py'),
      line: 6,
      column: 12,
      endLine: 6,
      endColumn: 32,
      code: 'DBOS201',
      severity: 'warning',
      message: out[0].message,
      fixable: true,
    },
  ]);
});

test('sarif format: 2.1.0 with each rule reported and its helpUri', () => {
  const ws = workspace({ 'app.py': NONDET });
  const r = run(['--output-format', 'sarif', 'app.py'], ws);
  assert.equal(r.code, 1, r.stderr);
  const sarif = JSON.parse(r.stdout);
  assert.equal(sarif.version, '2.1.0');
  const driver = sarif.runs[0].tool.driver;
  assert.equal(driver.name, 'dbos-lint');
  assert.deepEqual(driver.rules.map((r: { id: string }) => r.id), ['DBOS201']);
  for (const rule of driver.rules) assert.match(rule.helpUri, /^https:\/\/docs\.dbos\.dev\//, rule.id);
  const res = sarif.runs[0].results;
  assert.equal(res.length, 1);
  assert.equal(res[0].ruleId, 'DBOS201');
  assert.equal(driver.rules[res[0].ruleIndex].id, 'DBOS201');
  assert.equal(res[0].level, 'warning');
  assert.deepEqual(res[0].locations[0].physicalLocation.region, { startLine: 6, startColumn: 12, endLine: 6, endColumn: 32 });
});

test('exit codes: 0 clean, 1 with a finding at --fail-on or above (default: warning), 2 on usage errors', () => {
  const ws = workspace({ 'clean.py': CLEAN, 'bad.py': NONDET });
  assert.equal(run(['clean.py'], ws).code, 0);
  // a non-deterministic workflow (a warning) fails CI by default
  const warn = run(['bad.py', '--select', 'DBOS201'], ws);
  assert.equal(warn.code, 1, warn.stderr);
  assert.equal(run(['bad.py', '--fail-on', 'warning'], ws).code, 1);
  assert.equal(run(['bad.py', '--fail-on', 'error'], ws).code, 0);
  assert.equal(run(['bad.py', '--fail-on', 'information'], ws).code, 1);
  assert.equal(run(['bad.py', '--exit-zero'], ws).code, 0);
  fs.writeFileSync(path.join(ws, 'pyproject.toml'), '[tool.dbos-lint]\nseverity = { DBOS201 = "error" }\n');
  const err = run(['bad.py', '--fail-on', 'error'], ws);
  assert.equal(err.code, 1, err.stdout + err.stderr);
  assert.equal(run(['bad.py', '--exit-zero'], ws).code, 0);
  // information-level findings fail only under --fail-on information; hints never
  fs.writeFileSync(path.join(ws, 'pyproject.toml'), '[tool.dbos-lint]\nseverity = { DBOS201 = "information" }\n');
  assert.equal(run(['bad.py'], ws).code, 0);
  assert.equal(run(['bad.py', '--fail-on', 'information'], ws).code, 1);
  fs.writeFileSync(path.join(ws, 'pyproject.toml'), '[tool.dbos-lint]\nseverity = { DBOS201 = "hint" }\n');
  assert.equal(run(['bad.py', '--fail-on', 'information'], ws).code, 0);
  for (const bad of [['--format', 'xml', 'bad.py'], ['--fail-on', 'hint', 'bad.py'], ['--select', 'NOPE1'], ['--bogus'], ['--unsafe-fixes', 'bad.py'], ['--diff', '--output-format', 'json', 'bad.py'], ['-', 'bad.py'], ['--stdin-filename', 'x.py', 'bad.py'], ['--format', 'json', '--output-format', 'text']]) {
    const r = run(bad, ws);
    assert.equal(r.code, 2, bad.join(' '));
    assert.match(r.stderr, /^dbos-lint: .+\nRun dbos-lint --help for usage\.\n$|^dbos-lint: command line: /, bad.join(' '));
  }
  const missing = run(['nowhere.py'], ws);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nowhere\.py: no such file or directory/);
});

test('invalid configuration: a clear message and exit 2, the analysis still runs', () => {
  const ws = workspace({ 'bad.py': NONDET, 'pyproject.toml': '[tool.dbos-lint]\nselcet = ["DBOS2"]\n' });
  const r = run(['bad.py'], ws);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /pyproject\.toml \[tool\.dbos-lint\]: unknown option "selcet"/);
  assert.match(r.stdout, /DBOS201/);
});

test('select and ignore', () => {
  const ws = workspace({ 'bad.py': NONDET });
  assert.match(run(['bad.py', '--select', 'DBOS2'], ws).stdout, /DBOS201/);
  assert.doesNotMatch(run(['bad.py', '--ignore', 'DBOS201'], ws).stdout, /DBOS201/);
  assert.doesNotMatch(run(['bad.py', '--select', 'DBOS1'], ws).stdout, /DBOS201/);
});

test('binary and non-UTF-8 files: one line on stderr, the run goes on', () => {
  const ws = workspace({
    'a_binary.py': Buffer.from([0x66, 0x00, 0x01, 0x02]),
    'b_latin1.py': Buffer.from([0x23, 0x20, 0xe9, 0x0a]),
    'c_bad.py': NONDET,
  });
  const r = run(['.'], ws);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /a_binary\.py: skipped: binary file/);
  assert.match(r.stderr, /b_latin1\.py: skipped: not valid UTF-8/);
  assert.match(r.stdout, /c_bad\.py:6:12: DBOS201/);
});

test('folders: .gitignore, virtualenvs and node_modules are skipped', () => {
  const ws = workspace({
    '.gitignore': 'generated/\n',
    'generated/x.py': NONDET,
    '.venv/lib/y.py': NONDET,
    'env/pyvenv.cfg': 'home = /usr\n',
    'env/z.py': NONDET,
    'node_modules/w.py': NONDET,
    'src/app.py': NONDET,
  });
  const r = run(['--format', 'json', '.'], ws);
  assert.deepEqual(JSON.parse(r.stdout).map((f: { file: string }) => f.file), [path.join('src', 'app.py')]);
});

test('--fix applies only safe fixes; --unsafe-fixes restructures', () => {
  const ws = workspace({ 'bad.py': NONDET });
  const safe = run(['--fix', 'bad.py'], ws);
  assert.equal(fs.readFileSync(path.join(ws, 'bad.py'), 'utf8'), NONDET, 'wrapping in a step is not a safe fix');
  assert.match(safe.stdout, /1 more fixable with --fix --unsafe-fixes/);
  const unsafe = run(['--fix', '--unsafe-fixes', 'bad.py'], ws);
  assert.equal(unsafe.code, 0, unsafe.stderr);
  assert.equal(
    fs.readFileSync(path.join(ws, 'bad.py'), 'utf8'),
    NONDET.replace('return random.choice(items)', 'return DBOS.run_step({"name": "random.choice"}, random.choice, items)'),
  );
  assert.match(unsafe.stdout, /Fixed 1 problem\./);
  assert.match(unsafe.stdout, /All checks passed\./);
});

test('--statistics counts findings per rule', () => {
  const ws = workspace({ 'a.py': NONDET, 'b.py': NONDET });
  const r = run(['--statistics', '.'], ws);
  assert.match(r.stdout, /\n2\tDBOS201\t\[ \] nondeterministic-call-in-workflow\n/);
});

test('rules command lists the catalog with an implemented flag', () => {
  const r = run(['rules', '--format', 'json'], repo);
  assert.equal(r.code, 0);
  const rules = JSON.parse(r.stdout);
  assert.equal(rules.length, RULES.length);
  assert.equal(rules[0].code, 'DBOS101');
  const r201 = rules.find((x: { code: string }) => x.code === 'DBOS201');
  assert.deepEqual(
    { implemented: r201.implemented, category: r201.category, impact: r201.impact, defaultSeverity: r201.defaultSeverity },
    { implemented: true, category: 'Workflow', impact: 'CRITICAL', defaultSeverity: 'warning' },
  );
  const text = run(['rules'], repo).stdout;
  assert.match(text, /Lifecycle \(CRITICAL\)/);
});

test('the issue check: step starting a workflow, random in a workflow, launch at import -> SARIF with all three, exit 1', () => {
  const ws = workspace({
    'app.py': [
      'import random',
      'from dbos import DBOS',
      '',
      '@DBOS.workflow()',
      'def child() -> None:',
      '    pass',
      '',
      '@DBOS.step()',
      'def kick() -> None:',
      '    DBOS.start_workflow(child)',
      '',
      '@DBOS.workflow()',
      'def flow() -> float:',
      '    kick()',
      '    return random.random()',
      '',
      'DBOS(config={"name": "app"})',
      'DBOS.launch()',
      '',
    ].join('\n'),
  });
  const r = run(['--format', 'sarif', 'app.py'], ws);
  assert.equal(r.code, 1, r.stderr);
  const ids = JSON.parse(r.stdout).runs[0].results.map((x: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }) => `${x.ruleId}:${x.locations[0].physicalLocation.region.startLine}`);
  for (const want of ['DBOS206:10', 'DBOS201:15', 'DBOS101:18']) assert.ok(ids.includes(want), `${want} missing from ${ids.join(' ')}`);
});
