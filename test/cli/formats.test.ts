// The output formats and CI options of the CLI: golden files per format over fixtures, the SARIF
// checked against the SARIF 2.1.0 schema, escaping of hostile file names, findings printed as files
// complete (a run killed mid-way keeps them), --output-file, standard input, --diff, unreadable files.
// UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, CLEAN, NONDET, repo, run, workspace } from './run';

// The SARIF 2.1.0 schema (Microsoft's copy of the OASIS schema, revision rtm.5), read with Ajv.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const sarifSchema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

function assertValidSarif(text: string): { runs: { results: unknown[]; invocations: { executionSuccessful: boolean; toolExecutionNotifications?: unknown[] }[] }[] } {
  const sarif = JSON.parse(text);
  const ok = validateSarif(sarif);
  assert.ok(ok, (validateSarif.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n'));
  return sarif as ReturnType<typeof assertValidSarif>;
}

/** Fixture folders of the golden files: every severity, safe and unsafe fixes, helper chains across modules, the registry. */
const GOLDEN_PATHS = ['DBOS101', 'DBOS110', 'DBOS201', 'DBOS215', 'DBOS406', 'DBOS903', 'workspace/shop'].map((p) => `test/fixtures/${p}`);
const EXT: Record<string, string> = { text: 'txt', full: 'txt', json: 'json', sarif: 'sarif', github: 'txt', gitlab: 'json', junit: 'xml' };
const goldenDir = path.join(repo, 'test', 'cli', 'golden');

for (const [format, ext] of Object.entries(EXT)) {
  test(`golden: --output-format ${format} over the fixtures`, () => {
    const r = run(['--output-format', format, ...GOLDEN_PATHS], repo, { env: { DBOS_LINT_THREADS: '1' } });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 1, 'warnings and errors fail the run');
    const file = path.join(goldenDir, `fixtures.${format}.${ext}`);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, r.stdout);
    assert.equal(r.stdout, fs.readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 rewrites it)`);
    if (format === 'sarif') assertValidSarif(r.stdout);
    if (format === 'json' || format === 'gitlab') assert.ok(Array.isArray(JSON.parse(r.stdout)));
  });
}

test('golden: streamed formats print the same, in the same order, on three threads', () => {
  for (const format of ['text', 'github']) {
    const r = run(['--output-format', format, ...GOLDEN_PATHS], repo, { env: { DBOS_LINT_THREADS: '3' } });
    assert.equal(r.stdout, fs.readFileSync(path.join(goldenDir, `fixtures.${format}.${EXT[format]}`), 'utf8'), format);
  }
});

test('text shows the first line of a message, full the whole message; json, sarif and junit carry it all', () => {
  // a message written as a first line and an explanation (issue 12's contract), through a fake rule: the
  // engine's messages are asserted elsewhere; here only how each format cuts them
  const ws = workspace({ 'app.py': NONDET });
  const full = run(['--output-format', 'full', 'app.py'], ws).stdout;
  const text = run(['app.py'], ws).stdout;
  const message = (JSON.parse(run(['--output-format', 'json', 'app.py'], ws).stdout) as { message: string }[])[0].message;
  const first = message.split('\n')[0];
  assert.equal(text.split('\n')[0], `app.py:6:12: DBOS201 ${first}`);
  assert.ok(full.startsWith(`app.py:6:12: DBOS201 ${first}\n`), full);
  for (const rest of message.split('\n').slice(1).filter(Boolean)) assert.ok(full.includes(`  = ${rest}\n`), rest);
  assert.match(full, /\n6 \|     return random\.choice\(items\)\n  \|            \^{20} DBOS201\n/);
  assert.match(full, /\n {2}= help: .+ \(dbos-lint --fix --unsafe-fixes, then review\)\n {2}= docs: https:\/\/docs\.dbos\.dev\//);
  const sarif = assertValidSarif(run(['--output-format', 'sarif', 'app.py'], ws).stdout);
  assert.equal((sarif.runs[0].results[0] as { message: { text: string } }).message.text, message);
});

/** A file name that would inject a fake finding line and a terminal colour into unescaped output. */
const HOSTILE = 'evil\n\u001b[31mfake.py:1:1: DBOS999 \u202egnp.py';

test('escaping: a file name with a newline, ESC or a bidi override cannot fake lines or reach the terminal', () => {
  const ws = workspace({ [HOSTILE]: NONDET, '::warning file=x::y.py': NONDET, 'ok.py': CLEAN });
  for (const format of ['text', 'full', 'github']) {
    const r = run(['--output-format', format, '.'], ws);
    assert.equal(r.code, 1, format + r.stderr);
    assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, format);
    assert.doesNotMatch(r.stdout, /^fake\.py|^\u001b|^\u202e/m, format);
    const lines = r.stdout.split('\n').filter(Boolean);
    if (format === 'text') {
      // one line per finding, each starting with the escaped name; no line starts with "::"
      assert.deepEqual(
        lines.filter((l) => l.includes('DBOS201')).map((l) => l.split(':')[0]),
        ['./', 'evil\\n\\x1b[31mfake.py'],
      );
      assert.ok(lines.some((l) => l.startsWith('evil\\n\\x1b[31mfake.py:1:1: DBOS999 \\u202egnp.py:6:12: DBOS201 ')));
      assert.ok(lines.some((l) => l.startsWith('./::warning file=x::y.py:6:12: DBOS201 ')));
    }
    if (format === 'github') {
      // every line is exactly one workflow command, its properties encoded
      assert.equal(lines.length, 2);
      for (const l of lines) assert.match(l, /^::warning title=dbos-lint DBOS201 \(nondeterministic-call-in-workflow\),file=[^:,]+,line=6,endLine=6,col=12,endColumn=32::DBOS201 /);
      assert.ok(lines.some((l) => l.includes('file=%3A%3Awarning file=x%3A%3Ay.py,')));
      assert.ok(lines.some((l) => l.includes('file=evil\\n\\x1b[31mfake.py%3A1%3A1%3A DBOS999 \\u202egnp.py,')));
    }
  }
  const junit = run(['--output-format', 'junit', '.'], ws).stdout;
  assert.doesNotMatch(junit, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  assert.ok(junit.includes('classname="evil\\n\\x1b[31mfake.py:1:1: DBOS999 \\u202egnp.py"'));
  const gitlab = JSON.parse(run(['--output-format', 'gitlab', '.'], ws).stdout) as { location: { path: string } }[];
  assert.deepEqual(gitlab.map((i) => i.location.path).sort(), ['::warning file=x::y.py', HOSTILE].sort());
});

test('sarif: URIs percent-encoded, relative to %SRCROOT% only under the working directory', () => {
  const ws = workspace({ 'src/a b%#?.py': NONDET, [HOSTILE]: NONDET, 'x:y.py': NONDET });
  const outside = workspace({ 'far.py': NONDET });
  const r = run(['--output-format', 'sarif', '.', path.join(outside, 'far.py')], ws);
  const sarif = assertValidSarif(r.stdout);
  type Loc = { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } };
  const locs = (sarif.runs[0].results as { locations: Loc[] }[]).map((x) => x.locations[0].physicalLocation.artifactLocation);
  assert.deepEqual(
    locs.map((l) => [l.uri, l.uriBaseId]).sort(),
    [
      ['evil%0A%1B%5B31mfake.py%3A1%3A1%3A%20DBOS999%20%E2%80%AEgnp.py', '%SRCROOT%'],
      ['src/a%20b%25%23%3F.py', '%SRCROOT%'],
      ['x%3Ay.py', '%SRCROOT%'],
      [pathToFileURL(path.join(outside, 'far.py')).href, undefined],
    ].sort(),
  );
});

test('streamed formats print each file as it completes: a run killed mid-way keeps the findings of the files before', async () => {
  const ws = workspace({ 'a_bad.py': NONDET, 'z_slow.py': NONDET });
  for (const format of ['text', 'full', 'github']) {
    const out = path.join(ws, `report.${format}`);
    for (const toFile of [false, true]) {
      // DBOS201 spins for a minute on z_slow.py (the test hooks, as for the server): the run is killed long before
      const args = [cli, '--output-format', format, ...(toFile ? ['--output-file', out] : []), '.'];
      const child = spawn(process.execPath, args, { cwd: ws, env: { ...process.env, DBOS_LINT_TEST_HOOKS: 'slow:DBOS201:60000:z_slow.py', DBOS_LINT_THREADS: '1' } });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const printed = () => (toFile ? (fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '') : stdout);
      const deadline = Date.now() + 20_000;
      while (!/a_bad\.py.*DBOS201/.test(printed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(child.exitCode, null, `${format}: the run ended before it was killed`);
      child.kill('SIGTERM');
      const [, signal] = (await new Promise((r) => child.once('exit', (...a) => r(a)))) as [number | null, string | null];
      assert.equal(signal, 'SIGTERM');
      assert.match(printed(), /a_bad\.py.*DBOS201/, `${format}${toFile ? ' to a file' : ''}: a_bad.py's finding was printed before the kill`);
      assert.doesNotMatch(printed(), /z_slow/);
    }
  }
});

test('--output-file: the report goes to the file, nothing to stdout', () => {
  const ws = workspace({ 'app.py': NONDET });
  const r = run(['--output-format', 'sarif', '-o', 'out/report.sarif', 'app.py'], ws);
  assert.equal(r.code, 2, 'a missing folder for the report is an error');
  fs.mkdirSync(path.join(ws, 'out'));
  const ok = run(['--output-format', 'sarif', '--output-file', 'out/report.sarif', 'app.py'], ws);
  assert.equal(ok.code, 1);
  assert.equal(ok.stdout, '');
  assertValidSarif(fs.readFileSync(path.join(ws, 'out/report.sarif'), 'utf8'));
  const text = run(['--output-file', 'report.txt', 'app.py'], ws);
  assert.equal(text.stdout, '');
  assert.match(fs.readFileSync(path.join(ws, 'report.txt'), 'utf8'), /^app\.py:6:12: DBOS201 .*\n\nFound 1 problem|^app\.py:6:12: DBOS201 .*\nFound 1 problem/);
});

test('standard input: "-" with --stdin-filename, checked as that file of its project', () => {
  const helper = ['import random', '', 'def jitter():', '    return random.random()', ''].join('\n');
  const flow = ['from dbos import DBOS', 'from app.helpers import jitter', '', '@DBOS.workflow()', 'def flow():', '    return jitter()', ''].join('\n');
  const ws = workspace({ 'pyproject.toml': '[project]\nname = "x"\n', 'app/__init__.py': '', 'app/helpers.py': helper, 'app/flow.py': CLEAN });
  // the buffer, not the file on disk, is checked, and its helper chain crosses into app/helpers.py
  const r = run(['--output-format', 'json', '--stdin-filename', 'app/flow.py', '-'], ws, { input: flow });
  assert.equal(r.code, 1, r.stderr);
  const [f] = JSON.parse(r.stdout) as { file: string; line: number; code: string; related: { file: string }[] }[];
  assert.deepEqual([f.file, f.line, f.code], ['app/flow.py', 6, 'DBOS201']);
  assert.ok(f.related.some((x) => x.file === path.join('app', 'helpers.py')));
  // without a name: "-"
  assert.match(run(['-'], ws, { input: NONDET }).stdout, /^-:6:12: DBOS201 /);
  // --stdin-filename alone reads standard input too
  assert.match(run(['--stdin-filename', 'app/x.py'], ws, { input: NONDET }).stdout, /^app\/x\.py:6:12: DBOS201 /);
  // pyproject.toml of the named file applies
  fs.writeFileSync(path.join(ws, 'pyproject.toml'), '[tool.dbos-lint]\nignore = ["DBOS201"]\n');
  assert.equal(run(['--stdin-filename', 'app/x.py', '-'], ws, { input: NONDET }).code, 0);
});

test('standard input with --fix: the fixed text on stdout, the report on stderr; with --diff: the diff', () => {
  const ws = workspace({});
  const bare = NONDET.replace('@DBOS.workflow()', '@DBOS.workflow');
  const fixed = run(['--fix', '--stdin-filename', 'app.py', '-'], ws, { input: bare });
  assert.equal(fixed.stdout, NONDET, 'the safe fix adds the parentheses; wrapping in a step is not safe');
  assert.match(fixed.stderr, /^app\.py:6:12: DBOS201 .*\nFixed 1 problem\.\nFound 1 problem \(1 warning\)\./);
  assert.equal(fixed.code, 1, 'the DBOS201 left fails the run');
  const diff = run(['--diff', '--stdin-filename', 'app.py', '-'], ws, { input: bare });
  assert.equal(diff.stdout, ['--- app.py', '+++ app.py', '@@ -1,6 +1,6 @@', ' import random', ' from dbos import DBOS', ' ', '-@DBOS.workflow()'.replace('()', ''), '+@DBOS.workflow()', ' def pick(items):', '     return random.choice(items)', ''].join('\n'));
  assert.equal(diff.code, 1);
  assert.equal(run(['--diff', '-'], ws, { input: NONDET }).code, 0, 'nothing safe to fix');
});

test('--diff: what --fix would change, nothing written, exit 1 when there is something to fix', () => {
  const bare = NONDET.replace('@DBOS.workflow()', '@DBOS.workflow');
  const ws = workspace({ 'a.py': bare, 'b.py': NONDET, 'c.py': CLEAN });
  const r = run(['--diff', '.'], ws);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, ['--- a.py', '+++ a.py', '@@ -1,6 +1,6 @@', ' import random', ' from dbos import DBOS', ' ', '-@DBOS.workflow', '+@DBOS.workflow()', ' def pick(items):', '     return random.choice(items)', ''].join('\n'));
  assert.equal(r.stderr, 'Would fix 1 problem in 1 file.\n');
  assert.equal(fs.readFileSync(path.join(ws, 'a.py'), 'utf8'), bare);
  const unsafe = run(['--diff', '--unsafe-fixes', 'b.py'], ws);
  assert.match(unsafe.stdout, /\n-    return random\.choice\(items\)\n\+    return DBOS\.run_step\(\{"name": "random\.choice"\}, random\.choice, items\)\n/);
  assert.equal(fs.readFileSync(path.join(ws, 'b.py'), 'utf8'), NONDET);
  const none = run(['--diff', 'c.py'], ws);
  assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', 'Nothing to fix.\n']);
});

test('--fix keeps a UTF-8 byte order mark', () => {
  const ws = workspace({ 'a.py': '\ufeff' + NONDET.replace('@DBOS.workflow()', '@DBOS.workflow') });
  run(['--fix', 'a.py'], ws);
  assert.equal(fs.readFileSync(path.join(ws, 'a.py'), 'utf8'), '\ufeff' + NONDET);
});

test('an unreadable file: a message naming it, in every format; the other files are checked; exit 2', () => {
  const ws = workspace({ 'a_locked.py': NONDET, 'b_ok.py': NONDET });
  fs.chmodSync(path.join(ws, 'a_locked.py'), 0o000);
  fs.chmodSync(ws, 0o755);
  // root reads any file: run as nobody then
  const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const text = run(['.'], ws, as);
  assert.equal(text.code, 2, text.stderr);
  assert.equal(text.stderr, 'dbos-lint: a_locked.py: cannot read the file: permission denied (EACCES)\n');
  assert.match(text.stdout, /^b_ok\.py:6:12: DBOS201 /);
  assert.match(text.stdout, /\n1 file not fully checked \(see the errors above\)\.\n$/);
  const json = JSON.parse(run(['--output-format', 'json', '.'], ws, as).stdout) as { file: string; code: string; message: string }[];
  assert.deepEqual(json.map((f) => [f.file, f.code]), [['b_ok.py', 'DBOS201'], ['a_locked.py', 'read-error']]);
  const sarif = assertValidSarif(run(['--output-format', 'sarif', '.'], ws, as).stdout);
  assert.equal(sarif.runs[0].invocations[0].executionSuccessful, false);
  assert.deepEqual(sarif.runs[0].invocations[0].toolExecutionNotifications, [
    { level: 'error', message: { text: 'cannot read the file: permission denied (EACCES)' }, descriptor: { id: 'read-error' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a_locked.py', uriBaseId: '%SRCROOT%' } } }] },
  ]);
  assert.match(run(['--output-format', 'github', '.'], ws, as).stdout, /\n::error file=a_locked\.py,title=dbos-lint read-error::cannot read the file: permission denied \(EACCES\)\n$/);
  assert.match(run(['--output-format', 'junit', '.'], ws, as).stdout, /<error type="read-error" message="cannot read the file: permission denied \(EACCES\)">a_locked\.py: cannot read/);
  const gitlab = JSON.parse(run(['--output-format', 'gitlab', '.'], ws, as).stdout) as { check_name: string; severity: string; location: { path: string } }[];
  assert.deepEqual(gitlab.map((i) => [i.check_name, i.severity, i.location.path]), [['DBOS201', 'major', 'b_ok.py'], ['dbos-lint/read-error', 'blocker', 'a_locked.py']]);
  assert.equal(run(['--exit-zero', '.'], ws, as).code, 2, '--exit-zero does not hide a file left unchecked');
});

test('junit: findings below --fail-on are skipped test cases, the others failures', () => {
  const ws = workspace({ 'app.py': NONDET });
  const failing = run(['--output-format', 'junit', 'app.py'], ws).stdout;
  assert.match(failing, /<testsuites name="dbos-lint" tests="1" failures="1" errors="0" skipped="0">/);
  assert.match(failing, /<failure type="DBOS201" message="[^"]+">app\.py:6:12: warning: DBOS201 /);
  const skipped = run(['--output-format', 'junit', '--fail-on', 'error', 'app.py'], ws).stdout;
  assert.match(skipped, /<testsuites name="dbos-lint" tests="1" failures="0" errors="0" skipped="1">/);
  assert.match(skipped, /<skipped message="warning \(below --fail-on error\): /);
  const clean = run(['--output-format', 'junit', 'app.py', '--select', 'DBOS1'], ws).stdout;
  assert.match(clean, /<testcase name="No problems found" classname="dbos-lint"\/>/);
});
