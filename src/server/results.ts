// What the checks found and how they went, kept on the main thread: the result of each open
// document's newest check, the findings of workspace files read from disk, the files over their time
// budget; the diagnostics published from them, and the aggregates the sidebar and the status item
// show. checker.ts fills it; nothing here starts a check.
import type { Finding } from '../engine/index';
import type { FileSettings } from '../engine/settings';
import type { Fix } from '../engine/types';
import { EDITOR_FILE_TIME_BUDGET_MS } from '../engine/budget';
import { connection, documents } from './connection';
import { handlerFailures } from './guard';
import { publishDiagnostics, sendLatest } from './outbox';
import { Notifications, type StatusResult } from './protocol';
import type { CheckOutcome } from './worker-protocol';
import { toDiagnostic } from './diagnostics';
import { fileSettingsFor, fileSettingsNear, settingsFor, uriToPath, ws } from './workspace';

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

/** The newest check of each open document. */
export const open = new Map<string, OpenResult>();
/** Findings of workspace files read from disk (workspace diagnostics). */
export const disk = new Map<string, Finding[]>();
/** Files over their time budget, with what happened (the status item lists them). */
export const slow = new Map<string, SlowFile>();
/** Files already named in the output channel for exceeding the budget (once each, while known). */
export const slowLogged = new Set<string>();
/** Rules already reported as failing (once each, not once per keystroke). */
const failedRules = new Set<string>();

/** The server's state and how many files the last finished workspace scan checked (status item). */
export const serverState: { state: StatusResult['state']; filesChecked: number } = { state: 'starting', filesChecked: 0 };

/**
 * How long a check may run before the analysis thread is ended: three times the file's budget and two
 * seconds, 5 s at least (the engine stops between rules once the budget is spent; this is for one
 * rule that does not, and must not catch a loaded machine's slow but finite one).
 */
export function limitFor(uri: string): number {
  return Math.max(5000, 3 * budgetFor(uri) + 2000);
}

/** The file's time budget (file-time-budget-ms), the editor's default where its settings cannot be read. */
function budgetFor(uri: string): number {
  try {
    return fileSettingsFor(uri).config.fileTimeBudgetMs ?? EDITOR_FILE_TIME_BUDGET_MS;
  } catch {
    return EDITOR_FILE_TIME_BUDGET_MS;
  }
}

/** A check ended with its thread: named in the status and, once, in the output. */
export function ranOver(uri: string): void {
  const limit = limitFor(uri);
  const budgetMs = budgetFor(uri);
  const message = `not checked: one of its rules ran past ${limit} ms (the budget is ${budgetMs} ms: file-time-budget-ms) and was stopped; it is checked again when it changes`;
  slow.set(uri, { ms: limit, budgetMs, stopped: true, message });
  if (!slowLogged.has(uri)) {
    slowLogged.add(uri);
    connection.console.warn(`${uriToPath(uri)}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Results

/** Rule failures and files over their budget: logged once each; the status lists the slow files. */
export function noteOutcome(o: CheckOutcome): void {
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

export function publish(uri: string, findings: Finding[], version?: number): void {
  publishDiagnostics({ uri, version, diagnostics: findings.map((f) => toDiagnostic(uri, f)) });
  changed();
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

export function countAll(): number {
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
    state: serverState.state,
    findings,
    filesWithFindings: files,
    filesChecked: Math.max(serverState.filesChecked, all.size),
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
