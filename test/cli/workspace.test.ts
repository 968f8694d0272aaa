// The CLI's cross-file analysis: the project index over the roots, in text and JSON, identical with
// one thread and many, and --fix leaving other files alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = process.env.DBOS_LINT_ROOT ?? process.cwd();
const cli = path.join(repo, 'dist', 'cli.js');

function run(args: string[], cwd: string, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function copyFixture(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dbos-lint-cliws-${name}-`));
  fs.cpSync(path.join(repo, 'test/fixtures/workspace', name), dir, { recursive: true });
  return dir;
}

test('text: chains through other modules, reported at the workflow call', () => {
  const ws = copyFixture('layouts');
  const r = run(['-q', '.'], ws);
  assert.equal(r.code, 1, r.stderr); // warnings fail the run by default (--fail-on warning)
  assert.equal(
    r.stdout,
    [
      'scripts/job.py:9:5: DBOS202 `net.post` does HTTP I/O in a workflow, outside a step',
      'scripts/job.py:10:12: DBOS201 `helpers.jitter` reads a non-deterministic value (randomness) outside a step',
      'src/svc/jobs/run.py:9:15: DBOS201 `clock.now` reads a non-deterministic value (date) outside a step',
      'src/svc/jobs/run.py:10:5: DBOS304 `store.save` accesses the database in a workflow, outside a transaction or step',
      '',
    ].join('\n'),
  );
});

test('json: related locations for every link, other files relative to the working directory', () => {
  const ws = copyFixture('shop');
  const r = run(['--format', 'json', 'app/checkout.py'], ws);
  assert.equal(r.code, 1, r.stderr); // DBOS206 is an error
  const out = JSON.parse(r.stdout) as { line: number; code: string; related?: unknown[] }[];
  assert.deepEqual(
    out.map((f) => `${f.line}:${f.code}`),
    ['13:DBOS202', '14:DBOS202', '15:DBOS201', '16:DBOS201', '17:DBOS201', '18:DBOS201', '25:DBOS206'],
  );
  assert.deepEqual(out[0].related, [
    { file: path.join('app', 'pricing.py'), line: 4, column: 1, endLine: 4, endColumn: 1, message: '`pricing.quote` is defined here' },
    { file: path.join('app', 'pricing.py'), line: 5, column: 13, endLine: 5, endColumn: 64, message: 'calls `http.fetch`' },
    { file: path.join('app', 'lib', 'http.py'), line: 5, column: 12, endLine: 5, endColumn: 21, message: 'calls `http._get`' },
    { file: path.join('app', 'lib', 'http.py'), line: 9, column: 12, endLine: 9, endColumn: 29, message: '`requests.get` is called here' },
  ]);
  // the same from inside app/: the root is still the folder holding pyproject.toml
  const inner = run(['--format', 'json', 'checkout.py'], path.join(ws, 'app'));
  assert.equal((JSON.parse(inner.stdout) as unknown[]).length, 7);
});

test('sarif: related locations carry the other file', () => {
  const ws = copyFixture('layouts');
  const r = run(['--format', 'sarif', 'src'], ws);
  const sarif = JSON.parse(r.stdout);
  const res = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'DBOS304');
  assert.deepEqual(
    res.relatedLocations.map((l: { physicalLocation: { artifactLocation: { uri: string } } }) => l.physicalLocation.artifactLocation.uri),
    // the helper, its `sqlite3.connect`, and the `conn.execute` it also makes
    ['src/svc/store.py', 'src/svc/store.py', 'src/svc/store.py'],
  );
});

test('--fix --unsafe-fixes wraps calls in the workflow file and never edits the helper modules', () => {
  const ws = copyFixture('shop');
  const before = new Map(['app/util.py', 'app/pricing.py', 'app/helpers.py', 'app/lib/http.py', 'app/service.py'].map((f) => [f, fs.readFileSync(path.join(ws, f), 'utf8')]));
  const r = run(['--fix', '--unsafe-fixes', '--exit-zero', '.'], ws);
  assert.equal(r.code, 0, r.stderr);
  for (const [f, text] of before) assert.equal(fs.readFileSync(path.join(ws, f), 'utf8'), text, f);
  const checkout = fs.readFileSync(path.join(ws, 'app/checkout.py'), 'utf8');
  assert.match(checkout, /price = DBOS\.run_step\(\{"name": "quote"\}, pricing\.quote, order_id\)/);
});

test('one thread and many threads give byte-identical cross-file findings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-cliws-many-'));
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "many"\n');
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.writeFileSync(path.join(dir, 'pkg', '__init__.py'), '');
  for (let i = 0; i < 90; i++) {
    // every 7th helper reads the clock; the others call the next module's helper (90 wraps to 0)
    const body = i % 7 === 6 ? 'time.time()' : `h${(i + 1) % 90}.f${(i + 1) % 90}(n)`;
    fs.writeFileSync(path.join(dir, 'pkg', `h${i}.py`), `import time\nfrom . import h${(i + 1) % 90}\n\n\ndef f${i}(n):\n    return ${body}\n`);
    fs.writeFileSync(
      path.join(dir, 'pkg', `w${i}.py`),
      `from dbos import DBOS\n\nfrom .h${i} import f${i}\n\n\n@DBOS.workflow()\ndef wf${i}():\n    return f${i}(${i % 7})\n`,
    );
  }
  const one = run(['--format', 'json', '--exit-zero', '.'], dir, { DBOS_LINT_THREADS: '1' });
  // as many threads as a 4-core machine would use, whatever this machine has
  const many = run(['--format', 'json', '--exit-zero', '.'], dir, { DBOS_LINT_THREADS: '4' });
  assert.equal(one.stderr, '');
  assert.equal(many.stdout, one.stdout);
  const out = JSON.parse(one.stdout) as { file: string; message: string }[];
  // wf_i is reported when the clock is at most 5 helpers away (the default max-call-depth)
  const helpers = (i: number) => {
    let n = 1;
    for (let j = i; j % 7 !== 6; j = (j + 1) % 90) n++;
    return n;
  };
  const expected = Array.from({ length: 90 }, (_, i) => i).filter((i) => helpers(i) <= 5);
  assert.equal(out.length, expected.length);
  assert.ok(out.length > 30 && out.length < 90);
  assert.ok(out.every((f) => /\nwf\d+ → h\d+\.f\d+/.test(f.message)));
});

test('many threads pool the registry: a name registered in another thread\'s share counts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-cliws-registry-'));
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "jobs"\n');
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
  for (let i = 0; i < 65; i++) {
    // the workflows job0, job2, ... are registered; every name is enqueued by a client in another file
    if (i % 2 === 0) fs.writeFileSync(path.join(dir, 'app', `wf${i}.py`), `from dbos import DBOS\n\n\n@DBOS.workflow(name="job${i}")\ndef run${i}(x):\n    return x\n`);
    else fs.writeFileSync(path.join(dir, 'app', `plain${i}.py`), `def run${i}(x):\n    return x\n`);
    fs.writeFileSync(
      path.join(dir, 'app', `enq${i}.py`),
      'import os\n\nfrom dbos import DBOSClient\n\n\n' +
        `def submit${i}(x):\n    client = DBOSClient(system_database_url=os.environ["DB"])\n    try:\n        client.enqueue({"queue_name": "q", "workflow_name": "job${i}"}, x)\n    finally:\n        client.destroy()\n`,
    );
  }
  try {
    const one = run(['--format', 'json', '--exit-zero', '--select', 'DBOS806', '.'], dir, { DBOS_LINT_THREADS: '1' });
    const many = run(['--format', 'json', '--exit-zero', '--select', 'DBOS806', '.'], dir, { DBOS_LINT_THREADS: '2' });
    // three threads whatever the cores (a number of threads that is set takes shares of any size)
    const three = run(['--format', 'json', '--exit-zero', '--select', 'DBOS806', '.'], dir, { DBOS_LINT_THREADS: '3' });
    assert.equal(one.stderr, '');
    assert.equal(many.stderr, '');
    assert.equal(three.stderr, '');
    assert.equal(many.stdout, one.stdout);
    assert.equal(three.stdout, one.stdout);
    const out = JSON.parse(one.stdout) as { file: string; line: number; code: string }[];
    const odd = Array.from({ length: 65 }, (_, i) => i).filter((i) => i % 2 === 1);
    assert.deepEqual(
      out.map((f) => `${f.file}:${f.line}:${f.code}`).sort(),
      odd.map((i) => `${path.join('app', `enq${i}.py`)}:9:DBOS806`).sort(),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
