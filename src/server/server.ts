// The dbos-lint language server: LSP wiring around the engine (no rule logic here).
// Runs over stdio (`node dist/server.js --stdio`), node-ipc or a socket, so any LSP editor can use it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  createConnection,
  Diagnostic,
  DiagnosticSeverity,
  DiagnosticTag,
  DidChangeConfigurationNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeActionParams,
  type Connection,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, initParser, IMPLEMENTED_CODES, mentionsDbos, type Finding } from '../engine/index';
import { ProjectSettings, type FileSettings } from '../engine/project';
import { fixAll } from '../engine/fix-all';
import { ignoreFix } from '../engine/fixes/common';
import type { Severity } from '../engine/types';
import { RULES, ruleMeta } from '../catalog/rules';
import { CATEGORIES, categoryOf } from '../catalog/categories';
import { ruleDocs } from '../catalog/docs';
import { walk } from '../cli/walk';
import { TreeCache } from './incremental';
import { readSettings, settingsLayer, DEFAULT_SETTINGS, type EditorSettings } from './settings';
import {
  Notifications,
  Requests,
  type CatalogResult,
  type FindingInfo,
  type RuleDocsResult,
  type StatusResult,
} from './protocol';

export const FIX_ALL_KIND = 'source.fixAll.dbos';
export const SHOW_RULE_SERVER_COMMAND = 'dbosLint.server.showRuleDocs';
const CLIENT_OPEN_RULE_COMMAND = 'dbosLint.openRule';
const DEBOUNCE_MS = 200;

// Default to stdio when no transport is named, so `node dist/server.js` just works.
if (!process.argv.some((a) => /^--(stdio|node-ipc|socket|pipe|clientProcessId)/.test(a))) process.argv.push('--stdio');

const connection: Connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

// ---------------------------------------------------------------------------------------------
// State

interface Folder {
  uri: string;
  path: string;
  settings: EditorSettings;
  project: ProjectSettings;
  errors: string[];
}

interface OpenResult {
  version: number;
  findings: Finding[];
  fileSettings: FileSettings | null;
  ms: number;
}

let folders: Folder[] = [];
let globalSettings: EditorSettings = { ...DEFAULT_SETTINGS };
const looseProject = new ProjectSettings();
const open = new Map<string, OpenResult>();
/** Findings of workspace files read from disk (workspace diagnostics). */
const disk = new Map<string, Finding[]>();
const slow = new Map<string, number>();
const timers = new Map<string, NodeJS.Timeout>();
/** The last tree of each open document, for incremental reparses. */
const trees = new TreeCache();
let state: StatusResult['state'] = 'starting';
let scanGeneration = 0;
let scanPromise: Promise<void> | null = null;
let filesChecked = 0;

let hasConfigCapability = false;
let hasWorkDoneProgress = false;
let hasDocumentChanges = false;
let hasRelatedInfo = false;
let clientCommands = false;
let pushedSettings: unknown = undefined;

let resolveReady!: () => void;
const ready = new Promise<void>((r) => (resolveReady = r));

// ---------------------------------------------------------------------------------------------
// Paths and settings

function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

function pathToUri(p: string): string {
  return pathToFileURL(p).href;
}

function folderFor(uri: string): Folder | undefined {
  const p = uriToPath(uri);
  let best: Folder | undefined;
  for (const f of folders) {
    if ((p === f.path || p.startsWith(f.path.endsWith(path.sep) ? f.path : f.path + path.sep)) && (!best || f.path.length > best.path.length)) best = f;
  }
  return best;
}

function settingsFor(uri: string): EditorSettings {
  return folderFor(uri)?.settings ?? globalSettings;
}

function fileSettingsFor(uri: string): FileSettings {
  const project = folderFor(uri)?.project ?? looseProject;
  return project.forFile(uriToPath(uri));
}

async function loadSettings(): Promise<void> {
  if (hasConfigCapability) {
    const items = [{ section: 'dbosLint' }, ...folders.map((f) => ({ scopeUri: f.uri, section: 'dbosLint' }))];
    let values: unknown[] = [];
    try {
      values = await connection.workspace.getConfiguration(items);
    } catch {
      values = [];
    }
    globalSettings = readSettings(values[0]);
    folders.forEach((f, i) => (f.settings = readSettings(values[i + 1] ?? values[0])));
  } else {
    globalSettings = readSettings(pushedSettings);
    for (const f of folders) f.settings = globalSettings;
  }
  const g = settingsLayer(globalSettings);
  looseProject.setOverrides(g.layer ? [g.layer] : []);
  looseProject.invalidate();
  for (const f of folders) {
    const l = settingsLayer(f.settings);
    f.project.setOverrides(l.layer ? [l.layer] : []);
    f.project.invalidate();
    f.errors = l.errors;
  }
}

function setFolders(list: WorkspaceFolder[] | null | undefined): void {
  folders = (list ?? []).map((w) => ({
    uri: w.uri,
    path: uriToPath(w.uri),
    settings: globalSettings,
    project: new ProjectSettings(),
    errors: [],
  }));
}

// ---------------------------------------------------------------------------------------------
// Analysis

/** Analyses a text; `incremental` for open documents (their tree is kept for the next edit). */
function runAnalysis(uri: string, text: string, incremental = false): OpenResult & { skipped: boolean } {
  const started = performance.now();
  const settings = settingsFor(uri);
  if (!settings.enable || !mentionsDbos(text)) {
    trees.forget(uri);
    return { version: -1, findings: [], fileSettings: null, ms: 0, skipped: true };
  }
  const fileSettings = fileSettingsFor(uri);
  const options = { path: uriToPath(uri), config: fileSettings.config, version: fileSettings.version };
  const result = incremental ? trees.analyze(uri, text, options) : analyze(text, options);
  for (const f of result.ruleFailures) connection.console.error(`rule ${f.code} failed on ${uri}: ${f.message}`);
  const ms = performance.now() - started;
  if (ms > settings.slowFileThresholdMs) slow.set(uri, Math.round(ms));
  else slow.delete(uri);
  return { version: -1, findings: result.findings, fileSettings, ms, skipped: !!result.skipped };
}

function analyzeOpen(doc: TextDocument): OpenResult {
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
  if (f.related.length && hasRelatedInfo) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: r.file ? pathToUri(r.file) : uri, range: r.range }, message: r.message }));
  }
  if (f.tags.length) d.tags = f.tags.map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
  return d;
}

function publish(uri: string, findings: Finding[], version?: number): void {
  void connection.sendDiagnostics({ uri, version, diagnostics: findings.map((f) => toDiagnostic(uri, f)) });
  changed();
}

function checkOpen(doc: TextDocument): void {
  const r = analyzeOpen(doc);
  // Drop stale results: publish only if the document did not move on meanwhile.
  const now = documents.get(doc.uri);
  if (!now || now.version !== r.version) return;
  publish(doc.uri, r.findings, doc.version);
}

function schedule(doc: TextDocument, delay = DEBOUNCE_MS): void {
  const t = timers.get(doc.uri);
  if (t) clearTimeout(t);
  timers.set(
    doc.uri,
    setTimeout(() => {
      timers.delete(doc.uri);
      ready
        .then(() => {
          const cur = documents.get(doc.uri);
          if (cur) checkOpen(cur);
        })
        .catch((e: unknown) => connection.console.error(`dbos-lint: checking ${doc.uri} failed: ${(e as Error)?.stack ?? e}`));
    }, delay),
  );
}

function wantsWorkspace(uri: string): boolean {
  const s = settingsFor(uri);
  return s.enable && s.workspaceDiagnostics && uri.startsWith('file:') && !!folderFor(uri);
}

/** Re-checks a workspace file from disk (not open in the editor). */
function checkDisk(uri: string): void {
  if (documents.get(uri)) return;
  let text: string;
  try {
    text = fs.readFileSync(uriToPath(uri), 'utf8');
  } catch {
    dropDisk(uri);
    return;
  }
  const r = runAnalysis(uri, text);
  if (r.skipped && !disk.has(uri)) return;
  disk.set(uri, r.findings);
  publish(uri, r.findings);
}

function dropDisk(uri: string): void {
  if (disk.delete(uri) && !documents.get(uri)) publish(uri, []);
  slow.delete(uri);
}

async function scanWorkspace(): Promise<void> {
  const gen = ++scanGeneration;
  const roots = folders.filter((f) => f.settings.enable && f.settings.workspaceDiagnostics && fs.existsSync(f.path));
  // Files no longer wanted (setting turned off) lose their diagnostics.
  for (const uri of [...disk.keys()]) if (!wantsWorkspace(uri)) dropDisk(uri);
  if (!roots.length) return;
  state = 'scanning';
  sendStatus();
  const progress = hasWorkDoneProgress ? await connection.window.createWorkDoneProgress() : null;
  let files: string[] = [];
  try {
    files = walk(roots.map((r) => r.path)).files.filter((f) => f.endsWith('.py') || f.endsWith('.pyi'));
  } catch (e) {
    connection.console.error(`workspace scan failed: ${(e as Error).message}`);
  }
  progress?.begin('DBOS Lint', 0, `checking ${files.length} files`, false);
  const seen = new Set<string>();
  let done = 0;
  for (const file of files) {
    if (gen !== scanGeneration) break;
    const uri = pathToUri(file);
    seen.add(uri);
    if (wantsWorkspace(uri)) checkDisk(uri);
    done++;
    if (done % 10 === 0) {
      progress?.report(Math.round((done / files.length) * 100), `${done}/${files.length} files`);
      await new Promise((r) => setImmediate(r));
    }
  }
  if (gen === scanGeneration) {
    for (const uri of [...disk.keys()]) if (!seen.has(uri)) dropDisk(uri);
    filesChecked = files.length;
    state = 'ready';
  }
  progress?.done();
  sendStatus();
  connection.console.info(`workspace check: ${files.length} Python files, ${countAll()} findings`);
}

function startScan(): Promise<void> {
  const p = scanWorkspace().finally(() => {
    if (scanPromise === p) scanPromise = null;
  });
  scanPromise = p;
  return p;
}

function recheckEverything(): void {
  open.clear();
  for (const doc of documents.all()) checkOpen(doc);
  void startScan();
}

// ---------------------------------------------------------------------------------------------
// Aggregates for the sidebar and the status item

function allFindings(): Map<string, Finding[]> {
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

function statusFor(uri?: string): StatusResult {
  const all = allFindings();
  let findings = 0;
  let files = 0;
  for (const f of all.values()) {
    findings += f.length;
    if (f.length) files++;
  }
  const ref = uri ?? folders[0]?.uri;
  let fsets: FileSettings | null = null;
  if (ref) {
    try {
      fsets = fileSettingsFor(ref.endsWith('.py') ? ref : ref.replace(/\/?$/, '/__init__.py'));
    } catch {
      fsets = null;
    }
  }
  const errors = [...new Set([...(fsets?.errors ?? []), ...folders.flatMap((f) => f.errors)])];
  return {
    state,
    findings,
    filesWithFindings: files,
    filesChecked: Math.max(filesChecked, all.size),
    configFile: fsets?.configFile ?? null,
    dbosVersion: fsets?.version ? fsets.version.join('.') : null,
    versionSource: fsets?.versionSource ?? null,
    slowFiles: [...slow].map(([u, ms]) => ({ uri: u, ms })),
    configErrors: errors,
    enabled: (ref ? settingsFor(ref) : globalSettings).enable,
  };
}

function sendStatus(): void {
  void connection.sendNotification(Notifications.status, statusFor());
}

function effectiveSeverity(code: string, uri?: string): string {
  const ref = uri ?? folders[0]?.uri;
  const fsets = ref ? fileSettingsFor(ref.endsWith('.py') ? ref : ref.replace(/\/?$/, '/__init__.py')) : looseProject.forFile(path.join(process.cwd(), 'x.py'));
  if (!fsets.config.enabled.has(code)) return 'off';
  return fsets.config.severity.get(code) ?? ruleMeta(code)?.defaultSeverity ?? 'warning';
}

function catalog(uri?: string): CatalogResult {
  return {
    categories: CATEGORIES.map((c) => ({
      id: c.id,
      title: c.title,
      priority: c.priority,
      impact: c.impact,
      description: c.description,
      rules: RULES.filter((r) => categoryOf(r.code).id === c.id).map((r) => ({
        code: r.code,
        name: r.name,
        title: r.title,
        defaultSeverity: r.defaultSeverity,
        severity: effectiveSeverity(r.code, uri),
        implemented: IMPLEMENTED_CODES.has(r.code),
        docsUrl: r.docsUrl,
      })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Code actions

function intersects(a: Finding['range'], b: Finding['range']): boolean {
  const before = (p: Finding['range']['start'], q: Finding['range']['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function kindWanted(only: string[] | undefined, kind: string): boolean {
  if (!only) return kind === CodeActionKind.QuickFix;
  return only.some((k) => kind === k || kind.startsWith(k + '.'));
}

function workspaceEdit(doc: TextDocument, edits: LspTextEdit[]): WorkspaceEdit {
  if (hasDocumentChanges) return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
  return { changes: { [doc.uri]: edits } };
}

function codeActions(params: CodeActionParams): CodeAction[] {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const only = params.context.only;
  const actions: CodeAction[] = [];
  const res = analyzeOpen(doc);
  if (kindWanted(only, CodeActionKind.QuickFix)) {
    const here = res.findings.filter((f) => intersects(f.range, params.range));
    let model: ReturnType<typeof analyze>['model'];
    let tree: ReturnType<typeof analyze>['tree'];
    if (here.length && res.fileSettings) {
      const text = doc.getText();
      // The kept tree of this text makes this parse nearly free.
      const previousTree = trees.treeFor(doc.uri, text) ?? null;
      const r = analyze(text, { path: uriToPath(doc.uri), config: res.fileSettings.config, version: res.fileSettings.version, keepTree: true, previousTree });
      model = r.model;
      tree = r.tree;
    }
    try {
      const shownRule = new Set<string>();
      for (const f of here) {
        const diag =
          params.context.diagnostics.find(
            (d) => d.code === f.code && d.range.start.line === f.range.start.line && d.range.start.character === f.range.start.character,
          ) ?? toDiagnostic(doc.uri, f);
        const preferredIndex = Math.max(0, f.fixes.findIndex((x) => x.preferred) >= 0 ? f.fixes.findIndex((x) => x.preferred) : f.fixes.findIndex((x) => x.safe));
        f.fixes.forEach((fix, i) => {
          const a = CodeAction.create(fix.title, workspaceEdit(doc, fix.edits.map((e) => ({ range: e.range, newText: e.newText }))), CodeActionKind.QuickFix);
          a.diagnostics = [diag];
          if (i === preferredIndex && (fix.preferred || fix.safe || f.fixes.length === 1)) a.isPreferred = true;
          actions.push(a);
        });
        if (model) {
          const ig = ignoreFix(model, f.code, f.range.start.line);
          const a = CodeAction.create(`Ignore ${f.code} on this line`, workspaceEdit(doc, ig.edits.map((e) => ({ range: e.range, newText: e.newText }))), CodeActionKind.QuickFix);
          a.diagnostics = [diag];
          actions.push(a);
        }
        if (!shownRule.has(f.code)) {
          shownRule.add(f.code);
          const title = `Show rule ${f.code}`;
          const a = CodeAction.create(
            title,
            clientCommands ? { title, command: CLIENT_OPEN_RULE_COMMAND, arguments: [f.code] } : { title, command: SHOW_RULE_SERVER_COMMAND, arguments: [f.code] },
            CodeActionKind.QuickFix,
          );
          a.diagnostics = [diag];
          actions.push(a);
        }
      }
    } finally {
      tree?.delete();
    }
  }
  if (only && kindWanted(only, FIX_ALL_KIND)) {
    const a = fixAllAction(doc, res);
    if (a) actions.push(a);
  }
  return actions;
}

function fixAllAction(doc: TextDocument, res: OpenResult): CodeAction | null {
  if (!res.fileSettings || !res.findings.some((f) => f.fixes.some((x) => x.safe))) return null;
  const fsets = res.fileSettings;
  const text = doc.getText();
  const out = fixAll(text, (t) => analyze(t, { path: uriToPath(doc.uri), config: fsets.config, version: fsets.version }).findings, false);
  if (out.text === text) return null;
  // One minimal edit: the changed middle of the document.
  let start = 0;
  while (start < text.length && start < out.text.length && text[start] === out.text[start]) start++;
  let endOld = text.length;
  let endNew = out.text.length;
  while (endOld > start && endNew > start && text[endOld - 1] === out.text[endNew - 1]) {
    endOld--;
    endNew--;
  }
  const edit: LspTextEdit = { range: { start: doc.positionAt(start), end: doc.positionAt(endOld) }, newText: out.text.slice(start, endNew) };
  const a = CodeAction.create(`Fix all safe DBOS problems (${out.fixed})`, workspaceEdit(doc, [edit]), FIX_ALL_KIND);
  return a;
}

// ---------------------------------------------------------------------------------------------
// Hover on suppression comments

function hover(params: HoverParams): Hover | null {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const line = doc.getText({ start: { line: params.position.line, character: 0 }, end: { line: params.position.line + 1, character: 0 } });
  const hash = line.indexOf('#');
  if (hash < 0 || params.position.character < hash) return null;
  const comment = line.slice(hash);
  if (!/#\s*(dbos:\s*ignore|noqa)/i.test(comment)) return null;
  const re = /DBOS\d{3}/gi;
  for (let m = re.exec(comment); m; m = re.exec(comment)) {
    const s = hash + m.index;
    const e = s + m[0].length;
    if (params.position.character < s || params.position.character > e) continue;
    const code = m[0].toUpperCase();
    const meta = ruleMeta(code);
    if (!meta) return { contents: { kind: 'markdown', value: `Unknown rule \`${code}\`` } };
    const docs = ruleDocs(code);
    const cat = categoryOf(code);
    const value = [
      `**${code}** ${meta.title}`,
      `${cat.title} (${cat.impact}) · default severity: ${meta.defaultSeverity} · now: ${effectiveSeverity(code, doc.uri)}`,
      docs?.what ?? '',
      `[DBOS docs](${meta.docsUrl})`,
    ]
      .filter(Boolean)
      .join('\n\n');
    return { contents: { kind: 'markdown', value }, range: { start: { line: params.position.line, character: s }, end: { line: params.position.line, character: e } } };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Wiring

connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
  const caps = params.capabilities;
  hasConfigCapability = !!caps.workspace?.configuration;
  hasWorkDoneProgress = !!caps.window?.workDoneProgress;
  hasDocumentChanges = !!caps.workspace?.workspaceEdit?.documentChanges;
  hasRelatedInfo = !!caps.textDocument?.publishDiagnostics?.relatedInformation;
  const init = (params.initializationOptions ?? {}) as { clientCommands?: boolean; settings?: unknown };
  clientCommands = !!init.clientCommands;
  pushedSettings = init.settings;
  setFolders(params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []));
  await initParser();
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
      hoverProvider: true,
      executeCommandProvider: { commands: [SHOW_RULE_SERVER_COMMAND] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'dbos-lint', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  if (hasConfigCapability) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'dbosLint' });
  try {
    connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
      const keep = folders.filter((f) => !e.removed.some((r) => r.uri === f.uri));
      const added = e.added.map((w) => ({ uri: w.uri, path: uriToPath(w.uri), settings: globalSettings, project: new ProjectSettings(), errors: [] as string[] }));
      folders = [...keep, ...added];
      await loadSettings();
      recheckEverything();
    });
  } catch {
    /* client without workspace folders */
  }
  await loadSettings();
  state = 'ready';
  resolveReady();
  for (const doc of documents.all()) checkOpen(doc);
  sendStatus();
  void startScan();
});

connection.onDidChangeConfiguration(async (change) => {
  const s = (change.settings as Record<string, unknown> | undefined)?.dbosLint;
  if (s !== undefined) pushedSettings = s;
  await ready;
  await loadSettings();
  recheckEverything();
  void connection.sendNotification(Notifications.configChanged, {});
});

documents.onDidOpen((e) => schedule(e.document, 0));
documents.onDidChangeContent((e) => schedule(e.document));
documents.onDidClose((e) => {
  const t = timers.get(e.document.uri);
  if (t) clearTimeout(t);
  timers.delete(e.document.uri);
  open.delete(e.document.uri);
  trees.forget(e.document.uri);
  if (wantsWorkspace(e.document.uri)) {
    disk.delete(e.document.uri);
    checkDisk(e.document.uri);
    if (!disk.has(e.document.uri)) publish(e.document.uri, []);
  } else publish(e.document.uri, []);
});

const CONFIG_FILES = /(^|[\\/])(pyproject\.toml|uv\.lock|poetry\.lock|pdm\.lock|requirements[^\\/]*\.(txt|in))$/;

connection.onDidChangeWatchedFiles(async (params) => {
  await ready;
  let configChanged = false;
  for (const c of params.changes) {
    const p = uriToPath(c.uri);
    if (CONFIG_FILES.test(p)) configChanged = true;
    else if (/\.pyi?$/.test(p)) {
      if (c.type === FileChangeType.Deleted) dropDisk(c.uri);
      else if (wantsWorkspace(c.uri)) checkDisk(c.uri);
    }
  }
  if (configChanged) {
    looseProject.invalidate();
    for (const f of folders) f.project.invalidate();
    recheckEverything();
    void connection.sendNotification(Notifications.configChanged, {});
  }
});

connection.onCodeAction((p) => codeActions(p));
connection.onHover((p) => hover(p));
connection.onExecuteCommand(async (p) => {
  if (p.command === SHOW_RULE_SERVER_COMMAND) {
    const meta = ruleMeta(String(p.arguments?.[0] ?? ''));
    if (meta) await connection.window.showDocument({ uri: meta.docsUrl, external: true });
  }
});

connection.onRequest(Requests.catalog, async (p?: { uri?: string }) => {
  await ready;
  return catalog(p?.uri);
});
connection.onRequest(Requests.counts, async () => {
  await ready;
  const counts: Record<string, number> = {};
  for (const list of allFindings().values()) for (const f of list) counts[f.code] = (counts[f.code] ?? 0) + 1;
  return counts;
});
connection.onRequest(Requests.findings, async (p: { code: string }): Promise<FindingInfo[]> => {
  await ready;
  const out: FindingInfo[] = [];
  const all = [...allFindings()].sort(([a], [b]) => a.localeCompare(b));
  for (const [uri, list] of all) {
    for (const f of list) if (f.code === p.code) out.push({ uri, code: f.code, severity: f.severity, message: f.message, range: f.range });
  }
  return out;
});
connection.onRequest(Requests.ruleDocs, async (p: { code: string; uri?: string }): Promise<RuleDocsResult | null> => {
  await ready;
  const meta = ruleMeta(p.code);
  if (!meta) return null;
  const d = ruleDocs(p.code);
  const cat = categoryOf(p.code);
  return {
    code: meta.code,
    name: meta.name,
    title: meta.title,
    category: cat.title,
    impact: cat.impact,
    defaultSeverity: meta.defaultSeverity,
    severity: effectiveSeverity(meta.code, p.uri),
    implemented: IMPLEMENTED_CODES.has(meta.code),
    docsUrl: meta.docsUrl,
    what: d?.what ?? meta.title,
    why: d?.why ?? '',
    bad: d?.bad ?? '',
    good: d?.good ?? '',
    fixes: d?.fixes ?? '',
  };
});
connection.onRequest(Requests.status, async (p?: { uri?: string }) => {
  await ready;
  return statusFor(p?.uri);
});
connection.onRequest(Requests.checkWorkspace, async () => {
  await ready;
  open.clear();
  for (const doc of documents.all()) checkOpen(doc);
  await startScan();
  return statusFor();
});

documents.listen(connection);
connection.listen();
