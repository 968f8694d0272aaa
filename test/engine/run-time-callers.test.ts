// When a function runs by its callers in other modules (project/callers.ts, model/run-time.ts):
// DBOS105 (b) for a registration nested in a function another module calls after `DBOS.launch()`,
// DBOS401 for a queue declared by a function another module calls from a handler or a workflow.
// The workspace is test/fixtures/workspace/run-time/, copied to a temporary folder (a path under
// test/ would make every file a test file, and the live tests edit it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { WorkspaceIndex } from '../../src/engine/project/index';
import { walk } from '../../src/engine/project/walk';
import { isOutOfTime, TimeBox } from '../../src/engine/budget';
import type { Finding } from '../../src/engine/types';

const fixtures = path.resolve(process.env.DBOS_LINT_ROOT ?? process.cwd(), 'test/fixtures/workspace');
const CODES = new Set(['DBOS105', 'DBOS401']);

function copy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-run-time-'));
  fs.cpSync(path.join(fixtures, 'run-time'), dir, { recursive: true });
  return dir;
}

function run(index: WorkspaceIndex | undefined, file: string, text?: string): Finding[] {
  const src = text ?? fs.readFileSync(file, 'utf8');
  return analyze(src, { path: file, index, config: resolveConfig([{ profile: 'strict' }]), version: [2, 10] }).findings.filter((f) => CODES.has(f.code));
}

/** `line:col CODE severity`, then the message, then each related location as `file:line:col message`. */
function shown(f: Finding, root: string, self: string): string[] {
  return [
    `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code} ${f.severity}`,
    f.message,
    ...f.related.map((r) => `${path.relative(root, r.file ?? self)}:${r.range.start.line + 1}:${r.range.start.character + 1} ${r.message}`),
  ];
}

const lines = (fs: Finding[]): string[] => fs.map((f) => `${f.range.start.line + 1}:${f.code}`);

const NIGHTLY = [
  '6:9 DBOS105 warning',
  'Workflow `nightly` is registered only when function `register_workflows` runs\n' +
    'Defined inside function `register_workflows`, which runs after launch (it is called from `serve` in app/main.py (line 8), which is called after `DBOS.launch()` in the `__main__` block (line 14)), ' +
    'it is registered then (as `register_workflows.<locals>.nightly`, again on every call): recovering or dequeuing it in a fresh process fails with `DBOSWorkflowFunctionNotFoundError` ("... is not a registered workflow function"). Define it at module level.',
  'app/main.py:8:5 `register_workflows` is called here, after launch',
];

test('run time by callers in other modules: DBOS105 and DBOS401 name the caller, its file and the chain, with a related location there', async () => {
  await initParser();
  const root = copy();
  const file = path.join(root, 'app/registration.py');
  const found = run(new WorkspaceIndex({ roots: [root] }), file);
  assert.deepEqual(
    found.map((f) => shown(f, root, file)),
    [
      // serve() runs after the launch of main.py's __main__ block
      NIGHTLY,
      // register_early() is called in that block before the launch (quiet, line 12), register_at_import()
      // at import of a module main.py imports before launching (quiet, line 20), and after the launch in a test (tests are left out)
      [
        '29:12 DBOS401 warning',
        '`Queue(name)` in `make_queue` can run twice with one name, and then it raises\n' +
          '`make_queue` declares the queue its parameter `name` names each time it runs, and it is called from HTTP handler `create_tenant` in app/api.py (line 10). ' +
          'The second declaration of a name raises `Exception: Queue <name> has already been declared`, and workflows recovered before it runs have no queue to go to. Declare each queue once at module level, before `DBOS.launch()`, and pass the queue object.',
        'app/api.py:10:5 `make_queue` is called here',
      ],
      // imported under another name (`setup as setup_queue`) and called from a workflow
      [
        '33:12 DBOS401 warning',
        '`Queue("jobs")` is declared inside function `setup`, so it can run twice and raise\n' +
          '`setup` is called from workflow `ingest` in app/flows.py (line 8): each call declares the queue again. The second time it runs DBOS raises `Exception: Queue jobs has already been declared`, ' +
          'and workflows recovered before it runs have no queue to go to. Declare the queue once at module level, before `DBOS.launch()`.',
        'app/flows.py:8:5 `setup` is called here',
      ],
      // two modules: install_reports (reports.py) has no caller of its own there; worker.py calls it after launching
      [
        '38:9 DBOS105 warning',
        'Workflow `monthly` is registered only when function `register_reports` runs\n' +
          'Defined inside function `register_reports`, which runs after launch (it is called from `install_reports` in app/reports.py (line 5), which is called after `DBOS.launch()` in `run` in app/worker.py (line 11)), ' +
          'it is registered then (as `register_reports.<locals>.monthly`, again on every call): recovering or dequeuing it in a fresh process fails with `DBOSWorkflowFunctionNotFoundError` ("... is not a registered workflow function"). Define it at module level.',
        'app/reports.py:5:5 `register_reports` is called here, after launch',
      ],
      // handed to a thread after the launch
      [
        '46:9 DBOS105 warning',
        'Step `ping` is registered only when function `register_threaded` runs\n' +
          'Defined inside function `register_threaded`, which runs after launch (it is handed to `threading.Thread` after `DBOS.launch()` in `run` in app/worker.py (line 12)), ' +
          'it is registered then (as `register_threaded.<locals>.ping`, again on every call): recovering or dequeuing it in a fresh process fails with `DBOSWorkflowFunctionNotFoundError` ("... is not a registered workflow function"). Define it at module level.',
        'app/worker.py:12:5 `register_threaded` is handed to `threading.Thread` here, after launch',
      ],
    ],
  );
  // without an index, nothing says when these functions run
  assert.deepEqual(lines(run(undefined, file)), []);
});

test('run time by callers in other modules: the same answers whatever the order files are analysed in, in a batch index too', async () => {
  await initParser();
  const root = copy();
  const file = path.join(root, 'app/registration.py');
  const expected = lines(run(new WorkspaceIndex({ roots: [root] }), file));
  assert.deepEqual(expected, ['6:DBOS105', '29:DBOS401', '33:DBOS401', '38:DBOS105', '46:DBOS105']);
  const files = walk([root]).files.map((f) => path.resolve(f));
  for (const order of [files, [...files].reverse()]) {
    const index = new WorkspaceIndex({ roots: [root], batch: true, files, deferRegistry: true });
    const mine = order.map((f) => ({ f, found: run(index, f) })).find((x) => x.f === file)!;
    assert.deepEqual(lines(mine.found), expected);
    index.dispose();
  }
});

test('live: an edit of a caller in another file re-checks the function\'s file; a file that comes to call it too; a file that names none of them does not', async () => {
  await initParser();
  const root = copy();
  const file = path.join(root, 'app/registration.py');
  const main = path.join(root, 'app/main.py');
  const index = new WorkspaceIndex({ roots: [root] });
  index.beginAnalysis(file);
  assert.ok(lines(run(index, file)).includes('6:DBOS105'));
  // serve() moved before the launch: the caller's change re-checks registration.py, and the finding goes
  const early = fs.readFileSync(main, 'utf8').replace('    DBOS.launch()\n    serve()\n', '    serve()\n    DBOS.launch()\n');
  // analysed first, as the server does (its first summary drops the answers that read it: the readers stay known)
  index.beginAnalysis(main);
  run(index, main, early);
  assert.equal(index.setText(main, early), true);
  // (setup_at_import.py too: DBOS104 of main.py read it on its behalf)
  assert.ok(index.dependents(main).includes(file));
  index.beginAnalysis(file);
  assert.ok(!lines(run(index, file)).includes('6:DBOS105'));
  // back to the disk's text: the finding comes back
  assert.equal(index.forget(main), true);
  assert.ok(index.dependents(main).includes(file));
  index.beginAnalysis(file);
  assert.deepEqual(run(index, file).filter((f) => f.range.start.line === 5).map((f) => shown(f, root, file)), [NIGHTLY]);
  // a new module that calls register_early from a handler: it came, so registration.py is checked again
  const hooks = path.join(root, 'app/hooks.py');
  const text = 'from fastapi import FastAPI\n\nfrom app.registration import register_early\n\napp = FastAPI()\n\n\n@app.get("/reload")\ndef reload() -> None:\n    register_early()\n';
  fs.writeFileSync(hooks, text);
  assert.equal(index.setText(hooks, text), true);
  assert.deepEqual(index.dependents(hooks), [file]);
  index.beginAnalysis(file);
  const late = run(index, file).find((f) => f.range.start.line === 13)!;
  assert.deepEqual(shown(late, root, file).slice(2), ['app/hooks.py:10:5 `register_early` is called here, after launch']);
  assert.match(late.message, /it is called from HTTP handler `reload` in app\/hooks\.py \(line 10\)\)/);
  // an edit of a caller's file re-checks the function's file (even a comment: the answers are computed again)
  const atImport = path.join(root, 'app/setup_at_import.py');
  assert.equal(index.setText(atImport, fs.readFileSync(atImport, 'utf8').replace('register_at_import', 'register_at_import  # at import')), true);
  const other = path.join(root, 'app/unrelated.py');
  // a file that names none of the functions asked about changes nothing
  assert.equal(index.setText(other, 'def nothing() -> None:\n    pass\n'), false);
  assert.deepEqual(index.dependents(other), []);
});

test('the pass over the workspace\'s texts is the asking file\'s time: stopped, it keeps no answer, and the next question gets the whole one', async () => {
  await initParser();
  const root = copy();
  const file = path.join(root, 'app/registration.py');
  const index = new WorkspaceIndex({ roots: [root] });
  const realNow = performance.now.bind(performance);
  let offset = 0;
  performance.now = () => realNow() + offset;
  let thrown: unknown = null;
  try {
    const box = new TimeBox(performance.now() + 1000, 1000);
    box.run(() => {
      // every text read takes a minute
      const read = (index as unknown as { textOf(abs: string): string | null }).textOf.bind(index);
      (index as unknown as { textOf(abs: string): string | null }).textOf = (abs) => ((offset += 60_000), read(abs));
      try {
        index.runTimeElsewhere(file, 'register_workflows');
      } catch (e) {
        thrown = e;
      } finally {
        delete (index as unknown as { textOf?: unknown }).textOf;
      }
    });
  } finally {
    performance.now = realNow;
  }
  assert.ok(isOutOfTime(thrown), String(thrown));
  const time = index.runTimeElsewhere(file, 'register_workflows');
  assert.equal(time?.late?.why, 'called from `serve` in app/main.py (line 8), which is called after `DBOS.launch()` in the `__main__` block (line 14)');
  assert.deepEqual(time?.late?.site && [path.relative(root, time.late.site.file), time.late.site.range.start.line + 1], ['app/main.py', 8]);
});
