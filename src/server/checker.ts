// Checking documents, from the main thread: open documents (debounced, newest version only) and
// workspace files on disk, each analysed by the analysis thread (analysis-thread.ts,
// analysis-worker.ts) within its time budget, so that this thread answers every request at once;
// then the files whose findings read a changed file. Results go to results.ts; the workspace scan
// is scan.ts.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { connection, documents } from './connection';
import { AnalysisThread, BACKGROUND, type Priority } from './analysis-thread';
import { reportFailure } from './guard';
import { waitingMessages } from './outbox';
import type { StatsResult } from './protocol';
import type { CheckOutcome, TaskResult } from './worker-protocol';
import { allFindings, disk, limitFor, noteOutcome, open, publish, serverState, ranOver, slow, slowLogged, type OpenResult } from './results';
import { filePath, fileSettingsFor, folderFor, pathToUri, settingsFor } from './workspace';

/** Delay between an edit and its check (initializationOptions.debounceMs; 200 ms by default). */
let DEBOUNCE_MS = 200;

export function setDebounce(ms: unknown): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= 10_000) DEBOUNCE_MS = ms;
}

/** Pending debounced checks of open documents. */
const timers = new Map<string, NodeJS.Timeout>();
/** Open documents whose check is queued in the analysis thread (one at a time each). */
const queuedOpen = new Set<string>();
/** Disk files whose check is queued. */
const queuedDisk = new Set<string>();
/** Open documents (their version) and disk files whose check ran far past its budget: not checked again until they change. */
const overrun = new Map<string, number>();
const overrunDisk = new Set<string>();

/** Code actions waiting for the check of a document version. */
const versionWaiters = new Map<string, (() => void)[]>();

let hooks: string[] = [];

let resolveReady!: () => void;
/** Resolves once settings are loaded after `initialized`. */
export const ready = new Promise<void>((r) => (resolveReady = r));

export function markReady(): void {
  serverState.state = 'ready';
  resolveReady();
}

/** The analysis thread, started with the server (its own copy of the engine and the project indexes). */
export const thread = new AnalysisThread(__filename, {
  ready: (h) => {
    hooks = h;
    if (h.length) connection.console.info(`dbos-lint analysis thread started with test hooks ${h.join(', ')}`);
  },
  failed: (what, e) => reportFailure(what, e),
  // background checks wait while edits wait for their check (typing)
  holdBackground: () => timers.size > 0 || queuedOpen.size > 0,
  // the new thread knows no open buffer: check the open documents again (full parses)
  restarted: () => {
    open.clear();
    for (const doc of documents.all()) checkOpen(doc.uri);
  },
});

/** The fault injection the analysis thread installed (DBOS_LINT_TEST_HOOKS), for the start-up line. */
export function testHooks(): string[] {
  return hooks;
}

// ---------------------------------------------------------------------------------------------
// Results


/** The result of the current version of an open document, waiting for its check up to `waitMs`. */
export async function resultFor(doc: TextDocument, waitMs: number): Promise<OpenResult | null> {
  const have = () => {
    const r = open.get(doc.uri);
    return r && r.version === doc.version && documents.get(doc.uri)?.version === doc.version ? r : null;
  };
  if (have() || !documents.get(doc.uri)) return have();
  // not checked yet (a code action right after an edit): check now rather than after the debounce
  if (timers.has(doc.uri)) {
    clearTimeout(timers.get(doc.uri)!);
    timers.delete(doc.uri);
    checkOpen(doc.uri);
  }
  await new Promise<void>((resolve) => {
    const list = versionWaiters.get(doc.uri) ?? [];
    versionWaiters.set(doc.uri, list);
    const timer = setTimeout(resolve, waitMs);
    list.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return have();
}

function wake(uri: string): void {
  const list = versionWaiters.get(uri);
  versionWaiters.delete(uri);
  for (const w of list ?? []) w();
}

// ---------------------------------------------------------------------------------------------
// Open documents

/** Queues the check of an open document's current text (one queued check per document). */
export function checkOpen(uri: string): void {
  const doc = documents.get(uri);
  if (!doc) return;
  if (!settingsFor(uri).enable) {
    open.set(uri, { version: doc.version, findings: [], ignoreFixes: [], ignoreFileFixes: {}, fileSettings: null, ms: 0 });
    slow.delete(uri);
    publish(uri, [], doc.version);
    wake(uri);
    return;
  }
  if (queuedOpen.has(uri)) return;
  queuedOpen.add(uri);
  void thread
    .submit(
      1,
      (id) => {
        queuedOpen.delete(uri);
        const d = documents.get(uri);
        // a version already checked, or one whose check ran far past its budget, is not checked again
        if (!d || open.get(uri)?.version === d.version || overrun.get(uri) === d.version) return null;
        return { kind: 'check', id, uri, mode: 'open', text: d.getText(), version: d.version };
      },
      limitFor(uri),
    )
    .then((r) => openChecked(uri, r));
}

function openChecked(uri: string, r: TaskResult | null): void {
  if (!r || r.kind !== 'checked') return wake(uri);
  const o = r.outcome;
  // abandoned for a newer edit: that edit's check follows
  if (o.cancelled) return;
  const doc = documents.get(uri);
  if (!doc) return wake(uri);
  if (o.overrun) {
    overrun.set(uri, doc.version);
    ranOver(uri);
    publish(uri, [], doc.version);
    return wake(uri);
  }
  noteOutcome(o);
  open.set(uri, {
    version: o.version!,
    findings: o.findings,
    ignoreFixes: o.ignoreFixes ?? [],
    ignoreFileFixes: o.ignoreFileFixes ?? {},
    // null: the file was not analysed (no DBOS in it)
    fileSettings: o.skipped ? null : fileSettingsFor(uri),
    ms: o.ms,
  });
  if (doc.version === o.version) publish(uri, o.findings, o.version);
  else if (!timers.has(uri)) checkOpen(uri); // edited meanwhile, with no check pending
  wake(uri);
  recheckDependents(o.dependents);
}

/** An edit after a pause is checked after this short delay (it batches the changes of one command). */
const LEADING_MS = 20;
/** When each open document's last check was scheduled to run. */
const lastScheduled = new Map<string, number>();

/**
 * Schedules a check of an open document; a newer edit cancels the pending one (and abandons a
 * check of an older version in progress). An edit after a pause (nothing pending, no check in the
 * last debounce period) is checked almost at once; edits in a row (typing) wait for a pause.
 */
export function schedule(doc: TextDocument, delay: number = DEBOUNCE_MS): void {
  const uri = doc.uri;
  thread.cancelRunning((t) => t.kind === 'check' && t.mode === 'open' && t.uri === uri);
  const t = timers.get(uri);
  if (t) clearTimeout(t);
  const now = performance.now();
  if (!t && now - (lastScheduled.get(uri) ?? -Infinity) > DEBOUNCE_MS) delay = Math.min(delay, LEADING_MS);
  lastScheduled.set(uri, now + delay);
  timers.set(
    uri,
    setTimeout(() => {
      timers.delete(uri);
      ready
        .then(() => checkOpen(uri))
        .catch((e: unknown) => reportFailure(`checking ${uri}`, e))
        .finally(() => thread.pump());
    }, delay),
  );
}

export function closeDocument(uri: string): void {
  const t = timers.get(uri);
  if (t) clearTimeout(t);
  timers.delete(uri);
  lastScheduled.delete(uri);
  open.delete(uri);
  overrun.delete(uri);
  slowLogged.delete(uri);
  wake(uri);
  thread.cancelRunning((task) => task.kind === 'check' && task.mode === 'open' && task.uri === uri);
  // the analysis thread frees the tree and reads the file from disk again (unless it was reopened meanwhile)
  void thread
    .submit(2, (id) => (documents.get(uri) ? null : { kind: 'close', id, uri }))
    .then((r) => {
      if (r?.kind === 'closed') recheckDependents(r.dependents);
    });
  if (wantsWorkspace(uri)) {
    disk.delete(uri);
    checkDisk(uri, 2, () => {
      if (!disk.has(uri) && !documents.get(uri)) publish(uri, []);
    });
  } else {
    slow.delete(uri);
    publish(uri, []);
  }
}

// ---------------------------------------------------------------------------------------------
// Files on disk, and the files whose findings read a changed file

export function wantsWorkspace(uri: string): boolean {
  const s = settingsFor(uri);
  return s.enable && s.workspaceDiagnostics && filePath(uri) !== null && !!folderFor(uri);
}

/** Queues a check of a workspace file from disk (not open in the editor); `then` runs after it. */
export function checkDisk(uri: string, priority: Priority = BACKGROUND, then?: () => void): void {
  if (queuedDisk.has(uri)) {
    then?.();
    return;
  }
  queuedDisk.add(uri);
  void thread
    .submit(
      priority,
      (id) => {
        queuedDisk.delete(uri);
        return documents.get(uri) || overrunDisk.has(uri) ? null : { kind: 'check', id, uri, mode: 'disk' };
      },
      limitFor(uri),
    )
    .then((r) => {
      if (r?.kind === 'checked' && r.outcome.overrun) {
        overrunDisk.add(uri);
        ranOver(uri);
        disk.delete(uri);
        publish(uri, []);
        return then?.();
      }
      // abandoned for an open document: again, once that is done (`then` after that check)
      if (r?.kind === 'checked' && r.outcome.cancelled && !documents.get(uri)) return checkDisk(uri, priority, then);
      if (r?.kind === 'checked') diskChecked(r.outcome);
      then?.();
    });
}

function diskChecked(o: CheckOutcome): void {
  if (documents.get(o.uri) || o.cancelled) return;
  if (o.gone) return dropDisk(o.uri);
  noteOutcome(o);
  if (o.skipped && !disk.has(o.uri)) return;
  disk.set(o.uri, o.findings);
  publish(o.uri, o.findings);
}

/** The files to check again after a change: open ones at once, the others in the background. */
function recheckDependents(files: string[]): void {
  if (!files.length) return;
  const openDocs = openByPath();
  for (const file of files) {
    const doc = openDocs.get(file);
    if (doc) {
      open.delete(doc.uri);
      checkOpen(doc.uri);
    } else {
      const depUri = pathToUri(file);
      if (wantsWorkspace(depUri)) checkDisk(depUri);
    }
  }
}

function openByPath(): Map<string, TextDocument> {
  const m = new Map<string, TextDocument>();
  for (const d of documents.all()) {
    const p = filePath(d.uri);
    if (p !== null) m.set(p, d);
  }
  return m;
}

/** A Python file changed on disk (not open): the index reads it again; its dependents follow. */
export function diskFileChanged(uri: string, deleted: boolean): void {
  const p = filePath(uri);
  const openHere = !!documents.get(uri) || (p !== null && openByPath().has(p));
  if (!openHere) {
    void thread.submit(2, (id) => (documents.get(uri) ? null : { kind: 'diskChanged', id, uri })).then((r) => {
      if (r?.kind === 'closed') recheckDependents(r.dependents);
    });
  }
  overrunDisk.delete(uri);
  if (deleted) dropDisk(uri);
  else if (wantsWorkspace(uri)) checkDisk(uri, 2);
}

export function dropDisk(uri: string): void {
  overrunDisk.delete(uri);
  if (disk.delete(uri) && !documents.get(uri)) publish(uri, []);
  slow.delete(uri);
  slowLogged.delete(uri);
}


export async function stats(uri?: string): Promise<StatsResult> {
  const r = uri ? open.get(uri) : undefined;
  const w = await thread.submit(0, (id) => ({ kind: 'stats', id }));
  const ws_ = w?.kind === 'stats' ? w.stats : null;
  return {
    memory: process.memoryUsage(),
    analysisHeap: ws_?.heap ?? null,
    collections: ws_?.collections ?? null,
    trees: ws_?.trees ?? 0,
    parses: ws_?.parses ?? { incremental: 0, full: 0 },
    files: allFindings().size,
    last: r ? { ms: r.ms, version: r.version } : null,
    index: ws_?.index ?? { summaries: 0, parses: 0, functions: 0 },
    outbox: waitingMessages(),
  };
}

