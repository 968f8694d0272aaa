// Checking documents: open documents (debounced, incremental, newest version only) and workspace
// files on disk (a background scan that gives way to edits), each within a time budget, and the
// aggregates the sidebar and the status item show. Engine results in, LSP diagnostics out.
import * as fs from 'node:fs';
import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, mentionsDbos, type AnalysisResult, type Finding } from '../engine/index';
import type { FileSettings } from '../engine/settings';
import type { Severity } from '../engine/types';
import { EDITOR_FILE_TIME_BUDGET_MS } from '../engine/budget';
import { ruleMeta } from '../catalog/rules';
import { walk } from '../engine/project/walk';
import { caps, connection, documents } from './connection';
import { signature } from '../engine/facts/summary';
import type { WorkspaceIndex } from '../engine/project/index';
import { TreeCache } from './incremental';
import { handlerFailures } from './guard';
import { Notifications, type StatsResult, type StatusResult } from './protocol';
import { filePath, fileSettingsFor, fileSettingsNear, folderFor, indexFor, pathToUri, settingsFor, uriToPath, ws } from './workspace';

/** Delay between an edit and its check (initializationOptions.debounceMs; 200 ms by default). */
let DEBOUNCE_MS = 200;

export function setDebounce(ms: unknown): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= 10_000) DEBOUNCE_MS = ms;
}
/** The background scan works in slices of this many ms, then lets pending messages and checks run. */
const SCAN_SLICE_MS = 10;

export interface OpenResult {
  version: number;
  findings: Finding[];
  fileSettings: FileSettings | null;
  ms: number;
}

interface SlowFile {
  ms: number;
  budgetMs: number;
  /** Rules were skipped because the budget ran out (or the file was not checked at all). */
  stopped: boolean;
  /** What happened, for the user (FileLimitNotice.message). */
  message: string;
}

const open = new Map<string, OpenResult>();
/** Findings of workspace files read from disk (workspace diagnostics). */
const disk = new Map<string, Finding[]>();
const slow = new Map<string, SlowFile>();
/** Files already named in the output channel for exceeding the budget (once each). */
const slowLogged = new Set<string>();
/** Rules already reported as failing (once each, not once per keystroke). */
const failedRules = new Set<string>();
/** Pending debounced checks of open documents. */
const timers = new Map<string, NodeJS.Timeout>();
/** The last tree of each open document, for incremental reparses. */
export const trees = new TreeCache();

let state: StatusResult['state'] = 'starting';
let scanGeneration = 0;
let scanPromise: Promise<void> | null = null;
let filesChecked = 0;

let resolveReady!: () => void;
/** Resolves once settings are loaded after `initialized`. */
export const ready = new Promise<void>((r) => (resolveReady = r));

export function markReady(): void {
  state = 'ready';
  resolveReady();
}

// ---------------------------------------------------------------------------------------------
// Analysis

/** Analyses a text within the file time budget; `incremental` for open documents (tree kept). */
function runAnalysis(uri: string, text: string, incremental = false): OpenResult & { skipped: boolean } {
  const started = performance.now();
  const settings = settingsFor(uri);
  if (!settings.enable || !mentionsDbos(text)) {
    trees.forget(uri);
    slow.delete(uri);
    return { version: -1, findings: [], fileSettings: null, ms: 0, skipped: true };
  }
  const fileSettings = fileSettingsFor(uri);
  const budget = fileSettings.config.fileTimeBudgetMs ?? EDITOR_FILE_TIME_BUDGET_MS;
  const options = {
    path: uriToPath(uri),
    config: fileSettings.config,
    version: fileSettings.version,
    index: indexFor(uri),
    startedAt: started,
    budgetMs: budget,
  };
  const result: AnalysisResult = incremental ? trees.analyze(uri, text, options) : analyze(text, options);
  for (const f of result.ruleFailures) {
    if (failedRules.has(f.code)) continue;
    failedRules.add(f.code);
    connection.console.error(`rule ${f.code} failed on ${uri} (reported once; its findings are missing, the other rules ran): ${f.message}`);
  }
  const ms = performance.now() - started;
  if (result.limit) {
    slow.set(uri, { ms: Math.round(ms), budgetMs: budget, stopped: true, message: result.limit.message });
    if (!slowLogged.has(uri)) {
      slowLogged.add(uri);
      connection.console.warn(`${uriToPath(uri)}: ${result.limit.message}`);
    }
  } else slow.delete(uri);
  return { version: -1, findings: result.findings, fileSettings, ms, skipped: !!result.skipped };
}

export function analyzeOpen(doc: TextDocument): OpenResult {
  const cached = open.get(doc.uri);
  if (cached && cached.version === doc.version) return cached;
  const r = runAnalysis(doc.uri, doc.getText(), true);
  const res: OpenResult = { version: doc.version, findings: r.findings, fileSettings: r.fileSettings, ms: r.ms };
  open.set(doc.uri, res);
  return res;
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
  void connection.sendDiagnostics({ uri, version, diagnostics: findings.map((f) => toDiagnostic(uri, f)) });
  changed();
}

/** Checks an open document now and publishes, unless a newer version arrived meanwhile. */
export function checkOpen(doc: TextDocument): void {
  const cur = documents.get(doc.uri);
  if (!cur || cur.version !== doc.version) return; // stale: a newer version is scheduled
  const index = indexFor(cur.uri);
  const text = cur.getText();
  const file = uriToPath(cur.uri);
  let summaryChanged = false;
  if (index && analysed(cur.uri, text)) {
    // The analysis gives the index this file's summary from its own model (no second parse); the
    // buffer is then registered with the same text, which costs only a hash. (Registering it
    // first would make the index parse the file again on every edit of a file that it reads.)
    // Changed or not is judged against the summary its dependents last saw: an analysis for a
    // code action may already have updated the index.
    const seen = announced.has(cur.uri) ? announced.get(cur.uri)! : sigOf(index.summaryOf(file));
    const r = analyzeOpen(cur);
    index.setText(file, text);
    const now = sigOf(index.summaryOf(file));
    announced.set(cur.uri, now);
    summaryChanged = now !== seen;
    if (documents.get(doc.uri)?.version === r.version) publish(doc.uri, r.findings, doc.version);
  } else {
    announced.delete(cur.uri);
    // Not analysed (no DBOS in it, a plain helper): the index summarises it if another file reads it.
    if (index) summaryChanged = index.setText(file, text);
    const r = analyzeOpen(cur);
    if (documents.get(doc.uri)?.version === r.version) publish(doc.uri, r.findings, doc.version);
  }
  if (summaryChanged) recheckDependents(cur.uri);
}

/** The signature of the summary each open DBOS document's dependents were last checked against. */
const announced = new Map<string, string | null>();

function sigOf(summary: ReturnType<WorkspaceIndex['summaryOf']>): string | null {
  return summary ? signature(summary) : null;
}

/** Whether runAnalysis parses this text (the engine's own pre-checks), so the index gets its model. */
function analysed(uri: string, text: string): boolean {
  return settingsFor(uri).enable && mentionsDbos(text) && !text.includes('\u0000');
}

// ---------------------------------------------------------------------------------------------
// Cross-file: files whose findings read a changed file are checked again (no full re-scan)

/** Workspace files on disk waiting for a re-check because a file they read changed. */
const dependentsQueue = new Set<string>();
let draining = false;

function openByPath(): Map<string, TextDocument> {
  const m = new Map<string, TextDocument>();
  for (const d of documents.all()) {
    const p = filePath(d.uri);
    if (p !== null) m.set(p, d);
  }
  return m;
}

/** The summary of `uri` changed: open dependents are checked at once, disk ones in the background. */
export function recheckDependents(uri: string): void {
  const index = indexFor(uri);
  if (!index) return;
  const openDocs = openByPath();
  for (const file of index.dependents(uriToPath(uri))) {
    const doc = openDocs.get(file);
    if (doc) {
      open.delete(doc.uri);
      checkOpen(doc);
    } else {
      const depUri = pathToUri(file);
      if (wantsWorkspace(depUri)) dependentsQueue.add(depUri);
    }
  }
  if (dependentsQueue.size && !draining) void drainDependents();
}

async function drainDependents(): Promise<void> {
  draining = true;
  try {
    while (dependentsQueue.size) {
      const uri = dependentsQueue.values().next().value as string;
      dependentsQueue.delete(uri);
      checkDisk(uri);
      await giveWay();
    }
  } finally {
    draining = false;
  }
}

/** A Python file changed on disk (not open): the index reads it again; its dependents follow. */
export function diskFileChanged(uri: string, deleted: boolean): void {
  const index = indexFor(uri);
  const openHere = !!documents.get(uri) || openByPath().has(uriToPath(uri));
  if (index && !openHere && index.forget(uriToPath(uri))) recheckDependents(uri);
  if (deleted) dropDisk(uri);
  else if (wantsWorkspace(uri)) checkDisk(uri);
}

/** An edit after a pause is checked after this short delay (it batches the changes of one command). */
const LEADING_MS = 20;
/** When each open document's last check was scheduled to run. */
const lastScheduled = new Map<string, number>();

/**
 * Schedules a check of an open document; a newer edit cancels the pending one. An edit after a
 * pause (nothing pending, no check in the last debounce period) is checked almost at once; edits
 * in a row (typing) wait for a pause of the debounce period.
 */
export function schedule(doc: TextDocument, delay: number = DEBOUNCE_MS): void {
  const t = timers.get(doc.uri);
  if (t) clearTimeout(t);
  const now = performance.now();
  if (!t && now - (lastScheduled.get(doc.uri) ?? -Infinity) > DEBOUNCE_MS) delay = Math.min(delay, LEADING_MS);
  lastScheduled.set(doc.uri, now + delay);
  const version = doc.version;
  timers.set(
    doc.uri,
    setTimeout(() => {
      timers.delete(doc.uri);
      ready
        .then(() => {
          const cur = documents.get(doc.uri);
          if (cur && cur.version === version) checkOpen(cur);
        })
        .catch((e: unknown) => connection.console.error(`dbos-lint: checking ${doc.uri} failed: ${(e as Error)?.stack ?? e}`));
    }, delay),
  );
}

export function closeDocument(uri: string): void {
  const t = timers.get(uri);
  if (t) clearTimeout(t);
  timers.delete(uri);
  lastScheduled.delete(uri);
  announced.delete(uri);
  open.delete(uri);
  trees.forget(uri);
  // Back to the disk's text for other files' chains.
  const index = indexFor(uri);
  if (index?.forget(uriToPath(uri))) recheckDependents(uri);
  if (wantsWorkspace(uri)) {
    disk.delete(uri);
    checkDisk(uri);
    if (!disk.has(uri)) publish(uri, []);
  } else {
    slow.delete(uri);
    publish(uri, []);
  }
}

export function wantsWorkspace(uri: string): boolean {
  const s = settingsFor(uri);
  return s.enable && s.workspaceDiagnostics && uri.startsWith('file:') && !!folderFor(uri);
}

/** Re-checks a workspace file from disk (not open in the editor). */
export function checkDisk(uri: string): void {
  if (documents.get(uri)) return;
  const file = filePath(uri);
  let text: string;
  try {
    if (file === null) throw new Error('no local path');
    text = fs.readFileSync(file, 'utf8');
  } catch {
    dropDisk(uri);
    return;
  }
  const r = runAnalysis(uri, text);
  if (r.skipped && !disk.has(uri)) return;
  // Fixes are only offered on open documents (analysed again when opened): not kept for disk files.
  disk.set(uri, r.findings.map((f) => (f.fixes.length ? { ...f, fixes: [] } : f)));
  publish(uri, r.findings);
}

export function dropDisk(uri: string): void {
  if (disk.delete(uri) && !documents.get(uri)) publish(uri, []);
  slow.delete(uri);
}

/** Lets pending messages run, and waits while open documents have checks pending (typing). */
async function giveWay(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  while (timers.size) await new Promise((r) => setTimeout(r, DEBOUNCE_MS / 4));
}

async function scanWorkspace(): Promise<void> {
  const gen = ++scanGeneration;
  const started = performance.now();
  const roots = ws.folders.filter((f) => f.settings.enable && f.settings.workspaceDiagnostics && fs.existsSync(f.path));
  // Files no longer wanted (setting turned off) lose their diagnostics.
  for (const uri of [...disk.keys()]) if (!wantsWorkspace(uri)) dropDisk(uri);
  if (!roots.length) return;
  state = 'scanning';
  sendStatus();
  const progress = caps.workDoneProgress ? await connection.window.createWorkDoneProgress() : null;
  let files: string[] = [];
  try {
    files = walk(roots.map((r) => r.path)).files.filter((f) => f.endsWith('.py') || f.endsWith('.pyi'));
  } catch (e) {
    connection.console.error(`workspace scan failed: ${(e as Error).message}`);
  }
  progress?.begin('DBOS Lint', 0, `checking ${files.length} files`, false);
  const seen = new Set<string>();
  let done = 0;
  let slice = performance.now();
  let lastReport = 0;
  for (const file of files) {
    if (gen !== scanGeneration) break;
    const uri = pathToUri(file);
    seen.add(uri);
    if (wantsWorkspace(uri)) checkDisk(uri);
    done++;
    if (performance.now() - slice > SCAN_SLICE_MS) {
      if (done - lastReport >= 20) {
        progress?.report(Math.round((done / files.length) * 100), `${done}/${files.length} files`);
        lastReport = done;
      }
      await giveWay();
      slice = performance.now();
    }
  }
  if (gen === scanGeneration) {
    for (const uri of [...disk.keys()]) if (!seen.has(uri)) dropDisk(uri);
    filesChecked = files.length;
    state = 'ready';
  }
  progress?.done();
  sendStatus();
  // Once per scan that finished (one cut short by a newer scan says nothing).
  if (gen === scanGeneration) connection.console.info(`workspace check: ${files.length} Python files, ${countAll()} findings (${Math.round(performance.now() - started)} ms)`);
}

export function startScan(): Promise<void> {
  const p = scanWorkspace().finally(() => {
    if (scanPromise === p) scanPromise = null;
  });
  scanPromise = p;
  return p;
}

/** Checks the open documents again (settings changed) and starts a new workspace scan. */
export function recheckEverything(): Promise<void> {
  open.clear();
  for (const doc of documents.all()) checkOpen(doc);
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
    void connection.sendNotification(Notifications.findingsChanged, {});
    sendStatus();
  }, 150);
}

export function stats(uri?: string): StatsResult {
  const r = uri ? open.get(uri) : undefined;
  return {
    memory: process.memoryUsage(),
    trees: trees.size,
    parses: { ...trees.stats },
    files: allFindings().size,
    last: r ? { ms: r.ms, version: r.version } : null,
    index: ws.folders.reduce(
      (a, f) => {
        const x = f.index.stats();
        return { summaries: a.summaries + x.summaries, parses: a.parses + x.parses, functions: a.functions + x.functions };
      },
      { summaries: 0, parses: 0, functions: 0 },
    ),
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
  void connection.sendNotification(Notifications.status, statusFor());
}
