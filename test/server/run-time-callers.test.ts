// Live updates of findings that depend on a caller in another file (project/callers.ts): a function
// whose nested workflow is registered after launch because another module calls it after
// `DBOS.launch()` (DBOS105). Editing the caller (open in the editor, or on disk) re-checks the
// function's file, open or not; so does a new file that comes to call it.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codesAndLines, sessionPool } from './session';

const { session, tempDir, cleanup } = sessionPool('dbos-run-time-');
after(cleanup);

const REGISTRATION = 'from dbos import DBOS\n\n\ndef register_workflows():\n    @DBOS.workflow()\n    def nightly() -> None:\n        pass\n\n    return nightly\n';
const MAIN_LATE = 'from dbos import DBOS\n\nfrom app.registration import register_workflows\n\nif __name__ == "__main__":\n    DBOS.launch()\n    register_workflows()\n';
const MAIN_EARLY = 'from dbos import DBOS\n\nfrom app.registration import register_workflows\n\nif __name__ == "__main__":\n    register_workflows()\n    DBOS.launch()\n';

test('a caller in another file edited or added: the function\'s file is checked again, open or on disk', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'app', 'registration.py'), REGISTRATION);
  fs.writeFileSync(path.join(dir, 'app', 'main.py'), MAIN_EARLY);
  const uri = (f: string) => pathToFileURL(path.join(dir, 'app', f)).href;
  const s = await session(dir);
  const codes = (f: string) => codesAndLines(s.last(uri(f))?.diagnostics ?? []).filter((c) => c.endsWith('DBOS105'));
  await s.open(uri('registration.py'), REGISTRATION);
  await s.until('registration.py checked', () => s.last(uri('registration.py')));
  assert.deepEqual(codes('registration.py'), []);

  // main.py opened and edited: register_workflows() now runs after the launch
  await s.open(uri('main.py'), MAIN_EARLY);
  await s.until('main.py checked', () => s.last(uri('main.py')));
  await s.change(uri('main.py'), 2, MAIN_LATE);
  const late = await s.until('DBOS105 in registration.py', () => codes('registration.py').includes('6:DBOS105') && s.last(uri('registration.py')));
  const d = late.diagnostics.find((x) => x.code === 'DBOS105')!;
  assert.match(d.message, /it is called after `DBOS\.launch\(\)` in the `__main__` block of app\/main\.py \(line 7\)/);
  // back before the launch: the finding goes
  await s.change(uri('main.py'), 3, MAIN_EARLY);
  await s.until('registration.py clean again', () => codes('registration.py').length === 0 && s.publishes.filter((p) => p.uri === uri('registration.py')).length >= 3);

  // main.py closed (disk: early); a new file on disk calls it after launching: seen through the watched files
  await s.conn.sendNotification('textDocument/didClose', { textDocument: { uri: uri('main.py') } });
  fs.writeFileSync(path.join(dir, 'app', 'worker.py'), 'from dbos import DBOS\n\nfrom app import registration\n\n\ndef run() -> None:\n    DBOS.launch()\n    registration.register_workflows()\n');
  await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('worker.py'), type: 1 }] });
  const fromWorker = await s.until('DBOS105 from worker.py', () => codes('registration.py').includes('6:DBOS105') && s.last(uri('registration.py')));
  assert.match(fromWorker.diagnostics.find((x) => x.code === 'DBOS105')!.message, /in `run` in app\/worker\.py \(line 8\)/);
  // deleted: gone again
  fs.rmSync(path.join(dir, 'app', 'worker.py'));
  await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('worker.py'), type: 3 }] });
  await s.until('registration.py clean after the delete', () => codes('registration.py').length === 0);
});
