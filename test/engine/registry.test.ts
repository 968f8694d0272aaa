// The workspace registry (workflow and queue names registered anywhere under the roots) and the rules
// that read it: DBOS406 (queues), DBOS806 (client workflow names), DBOS905 (enqueue without owner).
// Workspaces live in test/fixtures/workspace/registry*/ and are copied to a temporary folder (a path
// under test/ would make every file a test file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { WorkspaceIndex } from '../../src/engine/project/index';
import type { Finding } from '../../src/engine/types';

const fixtures = path.resolve(process.env.DBOS_LINT_ROOT ?? process.cwd(), 'test/fixtures/workspace');
const CODES = new Set(['DBOS406', 'DBOS806', 'DBOS905']);

function copy(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dbos-lint-registry-${name}-`));
  fs.cpSync(path.join(fixtures, name), dir, { recursive: true });
  return dir;
}

function run(index: WorkspaceIndex, file: string, profile: 'default' | 'strict' = 'strict'): Finding[] {
  const text = fs.readFileSync(file, 'utf8');
  return analyze(text, { path: file, index, config: resolveConfig([{ profile }]), version: [2, 10] }).findings.filter((f) => CODES.has(f.code));
}

function lines(findings: Finding[]): string[] {
  return findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}:${f.code}:${f.severity}`);
}

test('registry: names of every file under the roots, imported or not, renamed with name=, methods under their class', async () => {
  await initParser();
  const root = copy('registry');
  const index = new WorkspaceIndex({ roots: [root] });
  const main = path.join(root, 'app/main.py');
  const found = run(index, main);
  // line 7: "reports" is registered in app/queues.py, which no module imports; line 11: "build_report"
  // is the name= of build_report_v2, whose own name (line 12) is registered nowhere, and the client acts
  // for "reports", the application main.py configures (DBOS905; DBOS806 alone says less); line 14:
  // another application's queue and workflow (application_name) are its own
  assert.deepEqual(lines(found), ['8:27:DBOS406:information', '12:42:DBOS905:warning', '13:42:DBOS806:warning', '17:58:DBOS905:warning', '18:58:DBOS806:warning']);
  assert.equal(
    found[0].message,
    'Queue "emails" is not registered anywhere in this workspace\nThe workspace registers "reports": DBOS accepts the enqueue and the workflow stays ENQUEUED until a queue of that name is registered, possibly forever. Correct the name, or register the queue at startup after `DBOS.launch()`.',
  );
  assert.equal(
    found[1].message,
    'Enqueue of "build_report_v2", a workflow of another application, without `"application_name"`\n' +
      'No workflow of this workspace is registered as "build_report_v2", and these options do not name the application that owns it: this client acts for "reports" (its `application_name=`), an application this workspace configures, and DBOS makes it the owner of what the client enqueues without `"application_name"`, and this application cannot run the workflow, so the application that implements it never picks it up (DBOS raises nothing when enqueueing). Add `"application_name"` naming the application that registers "build_report_v2", or correct the name. If that application is written in another language, also set `"serialization_type": WorkflowSerializationFormat.PORTABLE` so that it can read the arguments.',
  );
  assert.deepEqual(found[1].fixes.map((f) => f.edits.map((e) => e.newText)), [[', "application_name": "<owner>"']]);
  assert.equal(
    found[2].message,
    'These options lack `instance_name`, which workflow "Reporter.publish" needs\nWorkflow "Reporter.publish" is an instance method of a configured class: the executing application runs it without its `self` argument and the workflow fails (DBOS does not check when enqueueing). Add `instance_name` (the class is registered as "Reporter").',
  );
  assert.equal(
    found[3].message,
    'Enqueue of "ingest", a workflow of another application, without `"application_name"`\n' +
      'No workflow of this workspace is registered as "ingest", and these options do not name the application that owns it: DBOS makes the calling application the owner (an unset `"application_name"` is the caller\'s name), and this application cannot run the workflow, so the application that implements it never picks it up (DBOS raises nothing when enqueueing). Add `"application_name"` naming the application that registers "ingest", or correct the name. If that application is written in another language, also set `"serialization_type": WorkflowSerializationFormat.PORTABLE` so that it can read the arguments.',
  );
  assert.deepEqual(found[3].fixes.map((f) => [f.title, f.safe]), [['Add "application_name": "<owner>" (then replace <owner> with the application that registers "ingest")', false]]);
  assert.match(found[4].message, /^Workflow name "app\.workers\.build_report" has a module path; DBOS registers it as "build_report"\nDBOS registers workflow `build_report_v2`/);
  // the default profile: DBOS406 and DBOS806 run, DBOS905 waits for the strict profile
  assert.deepEqual(lines(run(index, main, 'default')), ['8:27:DBOS406:information', '12:42:DBOS806:information', '13:42:DBOS806:warning', '18:58:DBOS806:warning']);
  // a client acting for an application this workspace does not configure: that application's workflows are not registered here
  fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('application_name="reports"', 'application_name="billing"'));
  const other = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual(lines(run(other, main)), ['8:27:DBOS406:information', '12:42:DBOS806:information', '13:42:DBOS806:warning', '17:58:DBOS905:warning', '18:58:DBOS806:warning']);
  fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('application_name="billing"', 'application_name="reports"'));
  // without the index: this file's own names only; DBOS406 sees no registration here, DBOS806 (c) and DBOS905 need the workspace
  const alone = analyze(fs.readFileSync(main, 'utf8'), { path: main, config: resolveConfig([{ profile: 'strict' }]), version: [2, 10] }).findings.filter((f) => CODES.has(f.code));
  assert.deepEqual(lines(alone), []);
});

test('registry: names registered from variables anywhere keep DBOS406 and DBOS905 quiet', async () => {
  await initParser();
  const root = copy('registry-dynamic');
  const index = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual(lines(run(index, path.join(root, 'app/main.py'))), []);
  const regs = index.registrations('queues', path.join(root, 'app/main.py'));
  assert.deepEqual([...regs.queues.keys()], ['reports']);
  assert.deepEqual(regs.dynamicQueueFiles, [path.join(root, 'app/setup.py')]);
  assert.deepEqual(regs.dynamicWorkflowFiles, [path.join(root, 'app/setup.py')]);
});

test('live: a registration edited, a registration file deleted: setText/forget report the change, dependents() lists the users', async () => {
  await initParser();
  const root = copy('registry');
  const index = new WorkspaceIndex({ roots: [root] });
  const main = path.join(root, 'app/main.py');
  const queues = path.join(root, 'app/queues.py');
  const workers = path.join(root, 'app/workers.py');
  assert.ok(!lines(run(index, main)).some((l) => l.startsWith('7:')));
  // the queue renamed in the editor: "reports" is now registered nowhere
  const renamed = fs.readFileSync(queues, 'utf8').replace('"reports"', '"report-jobs"');
  assert.equal(index.setText(queues, renamed), true);
  assert.deepEqual(index.dependents(queues), [main]);
  assert.deepEqual(lines(run(index, main)).filter((l) => l.includes('DBOS406')), [
    '7:27:DBOS406:information',
    '8:27:DBOS406:information',
    '11:72:DBOS406:information', // the client's options name the queue too
    '12:75:DBOS406:information',
    '13:76:DBOS406:information',
    '17:82:DBOS406:information',
    '18:100:DBOS406:information',
  ]);
  // a comment edit changes no registration: nothing to re-check
  assert.equal(index.setText(queues, renamed + '# done\n'), false);
  assert.deepEqual(index.dependents(queues), []);
  // the buffer closed: back to the file on disk
  assert.equal(index.forget(queues), true);
  assert.deepEqual(index.dependents(queues), [main]);
  assert.ok(!lines(run(index, main)).some((l) => l.startsWith('7:')));
  // the workers module deleted: its workflows are registered nowhere any more
  fs.rmSync(workers);
  assert.equal(index.forget(workers), true);
  assert.deepEqual(index.dependents(workers), [main]);
  // DBOS806 has no workflow left to compare with; every name is registered nowhere now: those of
  // DBOS.enqueue_workflow_with_options and those of the client acting for "reports" (this workspace's application)
  assert.deepEqual(lines(run(index, main)).filter((l) => l.includes('DBOS806') || l.includes('DBOS905')), [
    '11:42:DBOS905:warning',
    '12:42:DBOS905:warning',
    '13:42:DBOS905:warning',
    '17:58:DBOS905:warning',
    '18:58:DBOS905:warning',
  ]);
  fs.writeFileSync(workers, 'from dbos import DBOS\n\n\n@DBOS.workflow()\ndef ingest(day):\n    pass\n');
  assert.equal(index.forget(workers), true);
  // "ingest" is registered now (no DBOS905 on line 17); the client's names are registered nowhere, and the
  // client acts for this workspace's application: DBOS905 (with the default profile, DBOS806 (c) says so)
  assert.deepEqual(lines(run(index, main)).filter((l) => !l.includes('DBOS406')), ['11:42:DBOS905:warning', '12:42:DBOS905:warning', '13:42:DBOS905:warning', '18:58:DBOS905:warning']);
  assert.deepEqual(lines(run(index, main, 'default')).filter((l) => !l.includes('DBOS406')), ['11:42:DBOS806:information', '12:42:DBOS806:information', '13:42:DBOS806:information']);
});

test('registry: only files that may register the kind asked for are parsed, once per content; broken and binary files register nothing', async () => {
  await initParser();
  const root = copy('registry');
  fs.writeFileSync(path.join(root, 'app/notes.py'), 'print("no registrations here")\n');
  fs.writeFileSync(path.join(root, 'app/broken.py'), 'from dbos import DBOS\n@DBOS.workflow(\ndef x(:\n  DBOS.register_queue(\n');
  fs.writeFileSync(path.join(root, 'app/blob.py'), Buffer.from([0, 1, 2, 0xff]));
  const index = new WorkspaceIndex({ roots: [root] });
  const main = path.join(root, 'app/main.py');
  run(index, main);
  const regs = index.registrations('workflows', main);
  assert.deepEqual([...regs.queues.keys()], ['reports']);
  assert.deepEqual([...regs.workflows.keys()].sort(), ['Reporter.publish', 'build_report']);
  assert.deepEqual(
    regs.workflows.get('build_report')!.map((w) => [path.relative(root, w.file), w.fnName, w.method]),
    [['app/workers.py', 'build_report_v2', null]],
  );
  // main.py is read from its analysis, notes.py (no dbos), __init__.py and the binary file are never parsed
  assert.equal(index.registryParses(), 3);
  // a second analysis parses nothing again
  run(index, main);
  assert.equal(index.registrations('workflows', main), regs);
  assert.equal(index.registryParses(), 3);
  // queue names only parse the files that can register queues (queues.py, broken.py); workflow names add
  // workers.py and main.py (not analysed by this index: no model to read it from)
  const fresh = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual([...fresh.registrations('queues', main).queues.keys()], ['reports']);
  assert.equal(fresh.registryParses(), 2);
  assert.deepEqual([...fresh.registrations('workflows', main).workflows.keys()].sort(), ['Reporter.publish', 'build_report']);
  assert.equal(fresh.registryParses(), 4);
});

test('registry: a listing of the files under the roots given by the caller is used instead of a walk', async () => {
  await initParser();
  const root = copy('registry');
  const main = path.join(root, 'app/main.py');
  // queues.py left out of the listing: "reports" is registered nowhere the registry looks
  const listed = new WorkspaceIndex({ roots: [root], files: [main, path.join(root, 'app/workers.py'), '/elsewhere/not-under-a-root.py'] });
  assert.deepEqual([...listed.registrations('queues', main).queues.keys()], []);
  const walked = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual([...walked.registrations('queues', main).queues.keys()], ['reports']);
});

test('an open document: registrations read from its analysis model before setText, no parse of the registry, same answers as setText alone', async () => {
  await initParser();
  const roots = [copy('registry'), copy('registry')];
  const [viaModel, alone] = roots.map((root) => new WorkspaceIndex({ roots: [root] }));
  const edits = (root: string) => {
    const queues = path.join(root, 'app/queues.py');
    const renamed = fs.readFileSync(queues, 'utf8').replace('"reports"', '"report-jobs"');
    return { main: path.join(root, 'app/main.py'), queues, texts: [renamed, renamed + '# done\n', renamed.replace('"report-jobs"', '"reports"')] };
  };
  const a = edits(roots[0]);
  const b = edits(roots[1]);
  run(viaModel, a.main);
  run(alone, b.main);
  const parses = viaModel.registryParses();
  for (let i = 0; i < a.texts.length; i++) {
    // the editor's path: the document analysed with the index (its model kept), then its text registered
    const r = analyze(a.texts[i], { path: a.queues, index: viaModel, keepTree: true });
    viaModel.noteRegistrations(a.queues, r.model!);
    r.tree!.delete();
    const changed = viaModel.setText(a.queues, a.texts[i]);
    analyze(b.texts[i], { path: b.queues, index: alone });
    assert.equal(changed, alone.setText(b.queues, b.texts[i]), `edit ${i}`);
    assert.deepEqual(
      viaModel.dependents(a.queues).map((f) => path.relative(roots[0], f)),
      alone.dependents(b.queues).map((f) => path.relative(roots[1], f)),
    );
    assert.deepEqual(lines(run(viaModel, a.main)), lines(run(alone, b.main)));
  }
  assert.equal(viaModel.registryParses(), parses, 'the registry parsed the edited file again');
  assert.ok(alone.registryParses() > parses);
});
