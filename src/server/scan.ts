// The workspace scan: every Python file of the folders that want workspace diagnostics, checked in
// the background (checker.ts checkDisk) with progress shown, and the findings of files no longer
// there dropped; and checking everything again when settings change.
import { HeapReducer } from './heap';
import { caps, connection, documents } from './connection';
import { BACKGROUND } from './analysis-thread';
import { reportFailure } from './guard';
import { checkDisk, checkOpen, dropDisk, thread, wantsWorkspace } from './checker';
import { countAll, disk, open, sendStatus, serverState } from './results';
import { filePath, pathToUri, ws } from './workspace';

let scanGeneration = 0;

/**
 * The main thread's memory after a workspace scan (the analysis thread has its own:
 * analysis-worker.ts): one compacting collection once the scan is over and the thread idle, whatever
 * the heap grew by. (With a slack of 4 MB over its size when this module loaded, about half the
 * scans of 100,000 lines left no collection: 19.7 MB of heap kept for 10.8 MB used, 6 MB of RSS.)
 */
const scanHeap = new HeapReducer(undefined, 0);

async function scanWorkspace(): Promise<void> {
  const gen = ++scanGeneration;
  const started = performance.now();
  const roots = ws.folders.filter((f) => f.settings.enable && f.settings.workspaceDiagnostics && filePath(f.uri) !== null);
  // Files no longer wanted (setting turned off) lose their diagnostics.
  for (const uri of [...disk.keys()]) if (!wantsWorkspace(uri)) dropDisk(uri);
  if (!roots.length) return;
  serverState.state = 'scanning';
  sendStatus();
  const progress = caps.workDoneProgress ? await connection.window.createWorkDoneProgress() : null;
  const listed = await thread.submit(BACKGROUND, (id) => ({ kind: 'list', id, roots: roots.map((r) => r.path) }));
  const files = listed?.kind === 'listed' ? listed.files : [];
  if (listed?.kind === 'listed') for (const n of listed.notes) connection.console.warn(n);
  progress?.begin('DBOS Lint', 0, `checking ${files.length} files`, false);
  const seen = new Set<string>();
  let done = 0;
  let lastReport = performance.now();
  await Promise.all(
    files.map(
      (file) =>
        new Promise<void>((resolve) => {
          const uri = pathToUri(file);
          seen.add(uri);
          if (gen !== scanGeneration || !wantsWorkspace(uri)) return resolve();
          checkDisk(uri, BACKGROUND, () => {
            done++;
            if (progress && performance.now() - lastReport > 250) {
              progress.report(Math.round((done / files.length) * 100), `${done}/${files.length} files`);
              lastReport = performance.now();
            }
            resolve();
          });
        }),
    ),
  );
  if (gen === scanGeneration) {
    for (const uri of [...disk.keys()]) if (!seen.has(uri)) dropDisk(uri);
    serverState.filesChecked = files.length;
    serverState.state = 'ready';
  }
  progress?.done();
  sendStatus();
  // this thread's garbage of the scan (its messages, the findings of every file): given back once idle
  scanHeap.idle();
  // Once per scan that finished (one cut short by a newer scan says nothing).
  if (gen === scanGeneration) connection.console.info(`workspace check: ${files.length} Python files, ${countAll()} findings (${Math.round(performance.now() - started)} ms)`);
}

export function startScan(): Promise<void> {
  return scanWorkspace().catch((e: unknown) => reportFailure('the workspace scan', e));
}

/** Checks the open documents again (settings changed) and starts a new workspace scan. */
export function recheckEverything(): Promise<void> {
  open.clear();
  for (const doc of documents.all()) checkOpen(doc.uri);
  return startScan();
}

// ---------------------------------------------------------------------------------------------
