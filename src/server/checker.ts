// Checking documents, from the main thread: open documents (debounced, newest version only) and
// workspace files on disk (a background scan), each analysed by the analysis thread
// (analysis-thread.ts, analysis-worker.ts) within its time budget, so that this thread answers
// every request at once; the results, the diagnostics published, and the aggregates the sidebar
// and the status item show. Engine results in, LSP diagnostics out.
import { HeapReducer } from './heap';
import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/index';
import type { FileSettings } from '../engine/settings';
import type { Fix, Severity } from '../engine/types';
import { ruleMeta } from '../catalog/rules';
import { EDITOR_FILE_TIME_BUDGET_MS } from '../engine/budget';
import { caps, connection, documents } from './connection';
import { AnalysisThread, BACKGROUND, type Priority } from './analysis-thread';
import { handlerFailures, reportFailure } from './guard';
import { publishDiagnostics, sendLatest, waitingMessages } from './outbox';
import { Notifications, type StatsResult, type StatusResult } from './protocol';
import type { CheckOutcome, TaskResult } from './worker-protocol';
import { filePath, fileSettingsFor, fileSettingsNear, folderFor, pathToUri, settingsFor, uriToPath, ws } from './workspace';

/** Delay between an edit and its check (initializationOptions.debounceMs; 200 ms by default). */
let DEBOUNCE_MS = 200;

export function setDebounce(ms: unknown): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= 10_000) DEBOUNCE_MS = ms;
}

export interface OpenResult {
  version: number;
  findings: Finding[];
  /** The "ignore on this line" fix of each finding (same order), null where none. */
  ignoreFixes: (Fix | null)[];
  /** The "ignore in this file" fix of each code found, null where none. */
  ignoreFileFixes: Record<string, Fix | null>;
  fileSettings: FileSettings | null;
  ms: number;
}

interface SlowFile {
  ms: number;
  budgetMs: number;
  /** Rules were skipped because the budget ran out (or the whole file). */
  stopped: boolean;
  /** What happened, for the user (FileLimitNotice.message). */
  message: string;
}

const open = new Map<string, OpenResult>();
/** Findings of workspace files read from disk (workspace diagnostics). */
const disk = new Map<string, Finding[]>();
const slow = new Map<string, SlowFile>();
/** Files already named in the output channel for exceeding the budget (once each, while known). */
const slowLogged = new Set<string>();
/** Rules already reported as failing (once each, not once per keystroke). */
const failedRules = new Set<string>();
/** Pending debounced checks of open documents. */
const timers = new Map<string, NodeJS.Timeout>();
/** Open documents whose check is queued in the analysis thread (one at a time each). */
const queuedOpen = new Set<string>();
/** Disk files whose check is queued. */
const queuedDisk = new Set<string>();
/** Open documents (their version) and disk files whose check ran far past its budget: not checked again until they change. */
const overrun = new Map<string, number>();
const overrunDisk = new Set<string>();

/**
 * How long a check may run before the analysis thread is ended: three times the file's budget and two
 * seconds, 5 s at least (the engine stops between rules once the budget is spent; this is for one
 * rule that does not, and must not catch a loaded machine's slow but finite one).
 */
function limitFor(uri: string): number {
  let budget = EDITOR_FILE_TIME_BUDGET_MS;
  try {
    budget = fileSettingsFor(uri).config.fileTimeBudgetMs ?? EDITOR_FILE_TIME_BUDGET_MS;
  } catch {
    /* the default */
  }
  return Math.max(5000, 3 * budget + 2000);
}

/** A check ended with its thread: named in the status and, once, in the output. */
function ranOver(uri: string): void {
  const limit = limitFor(uri);
  let budgetMs = EDITOR_FILE_TIME_BUDGET_MS;
  try {
    budgetMs = fileSettingsFor(uri).config.fileTimeBudgetMs ?? EDITOR_FILE_TIME_BUDGET_MS;
  } catch {
    /* the default */
  }
  const message = `not checked: one of its rules ran past ${limit} ms (the budget is ${budgetMs} ms: file-time-budget-ms) and was stopped; it is checked again when it changes`;
  slow.set(uri, { ms: limit, budgetMs, stopped: true, message });
  if (!slowLogged.has(uri)) {
    slowLogged.add(uri);
    connection.console.warn(`${uriToPath(uri)}: ${message}`);
  }
}

/** Code actions waiting for the check of a document version. */
const versionWaiters = new Map<string, (() => void)[]>();

let state: StatusResult['state'] = 'starting';
let scanGeneration = 0;
let filesChecked = 0;
let hooks: string[] = [];

let resolveReady!: () => void;
/** Resolves once settings are loaded after `initialized`. */
export const ready = new Promise<void>((r) => (resolveReady = r));

export function markReady(): void {
  state = 'ready';
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

/** Rule failures and files over their budget: logged once each; the status lists the slow files. */
function noteOutcome(o: CheckOutcome): void {
  for (const f of o.ruleFailures) {
    if (failedRules.has(f.code)) continue;
    failedRules.add(f.code);
    connection.console.error(`rule ${f.code} failed on ${o.uri} (reported once; its findings are missing, the other rules ran): ${f.message}`);
  }
  if (o.droppedFixes?.length) {
    connection.console.warn(`${uriToPath(o.uri)}: ${o.droppedFixes.length} fix(es) left out because they would write outside the workspace folder: ${o.droppedFixes.join('; ')}`);
  }
  if (o.limit) {
    slow.set(o.uri, { ms: Math.round(o.ms), budgetMs: o.budgetMs, stopped: true, message: o.limit.message });
    if (!slowLogged.has(o.uri)) {
      slowLogged.add(o.uri);
      connection.console.warn(`${uriToPath(o.uri)}: ${o.limit.message}`);
    }
  } else if (!o.skipped) slow.delete(o.uri);
}

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(uri: string, f: Finding): Diagnostic {
  const meta = ruleMeta(f.code);
  const d: Diagnostic = {
    range: f.range,
    severity: LSP_SEVERITY[f.severity],
    code: f.code,
    source: 'dbos',
    message: f.message,
  };
  if (meta) d.codeDescription = { href: meta.docsUrl };
  if (f.related.length && caps.relatedInfo) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: r.file ? pathToUri(r.file) : uri, range: r.range }, message: r.message }));
  }
  if (f.tags.length) d.tags = f.tags.map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
  return d;
}

function publish(uri: string, findings: Finding[], version?: number): void {
  publishDiagnostics({ uri, version, diagnostics: findings.map((f) => toDiagnostic(uri, f)) });
  changed();
}

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
  state = 'scanning';
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
    filesChecked = files.length;
    state = 'ready';
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
// Aggregates for the sidebar and the status item

export function allFindings(): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const [uri, fs_] of disk) if (!documents.get(uri)) out.set(uri, fs_);
  for (const doc of documents.all()) {
    const r = open.get(doc.uri);
    if (r) out.set(doc.uri, r.findings);
  }
  return out;
}

function countAll(): number {
  let n = 0;
  for (const f of allFindings().values()) n += f.length;
  return n;
}

let changeTimer: NodeJS.Timeout | undefined;
function changed(): void {
  if (changeTimer) return;
  changeTimer = setTimeout(() => {
    changeTimer = undefined;
    sendLatest(Notifications.findingsChanged, {});
    sendStatus();
  }, 150);
}

export async function stats(uri?: string): Promise<StatsResult> {
  const r = uri ? open.get(uri) : undefined;
  const w = await thread.submit(0, (id) => ({ kind: 'stats', id }));
  const ws_ = w?.kind === 'stats' ? w.stats : null;
  return {
    memory: process.memoryUsage(),
    analysisHeap: ws_?.heap ?? null,
    trees: ws_?.trees ?? 0,
    parses: ws_?.parses ?? { incremental: 0, full: 0 },
    files: allFindings().size,
    last: r ? { ms: r.ms, version: r.version } : null,
    index: ws_?.index ?? { summaries: 0, parses: 0, functions: 0 },
    outbox: waitingMessages(),
  };
}

export function statusFor(uri?: string): StatusResult {
  const all = allFindings();
  let findings = 0;
  let files = 0;
  for (const f of all.values()) {
    findings += f.length;
    if (f.length) files++;
  }
  let fsets: FileSettings | null = null;
  try {
    fsets = fileSettingsNear(uri);
  } catch {
    fsets = null;
  }
  const errors = [...new Set([...(fsets?.errors ?? []), ...(fsets?.notes ?? []), ...ws.globalErrors, ...ws.folders.flatMap((f) => f.errors)])];
  const ref = uri ?? ws.folders[0]?.uri;
  return {
    state,
    findings,
    filesWithFindings: files,
    filesChecked: Math.max(filesChecked, all.size),
    configFile: fsets?.configFile ?? null,
    dbosVersion: fsets?.version ? fsets.version.join('.') : null,
    versionSource: fsets?.versionSource ?? null,
    slowFiles: [...slow].map(([u, s]) => ({ uri: u, ...s })).sort((a, b) => b.ms - a.ms),
    configErrors: errors,
    errors: handlerFailures(),
    enabled: (ref ? settingsFor(ref) : ws.globalSettings).enable,
    // The last check of the open document (no new analysis for a status request).
    fileChecked: uri && open.has(uri) ? !!open.get(uri)!.fileSettings : null,
    pid: process.pid,
  };
}

export function sendStatus(): void {
  sendLatest(Notifications.status, statusFor());
}

