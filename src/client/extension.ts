// The VS Code client: starts the language server and owns the sidebar, rule view, commands and
// status item. It never analyses code itself; it asks the server.
// Activation does no work beyond registering. The server starts right after activate() returns
// when a Python file is open (or opens later), when the DBOS view or a command needs it, or, for a
// folder just opened, when a quick look at its files (probe.ts) shows that it uses dbos: then the
// whole workspace is checked in the background before any file is opened.
import { loadStart } from './loadStart';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { DbosLanguageClient } from './languageclient';
import { Notifications, Requests, type RuleDocsResult, type StatusResult, type FindingInfo, type CatalogResult } from '../server/protocol';
import { RulesTreeProvider } from './rulesTree';
import { RuleView, setRuleSeverity } from './ruleView';
import { Log } from './log';
import { activePython, configText, StatusItem } from './status';
import { probeWorkspace } from './probe';

/** Automatic restarts allowed within RESTART_WINDOW_MS before the client gives up and says so once. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 3 * 60_000;

export interface Health {
  /** Automatic restarts after the server process died. */
  restarts: number;
  /** True once the server died too often and was left stopped (one message shown). */
  gaveUp: boolean;
  /** Messages shown to the user about the server (popups), newest last. */
  messages: string[];
  statusText: string;
  statusDetail: string;
  /** Every language status item: this file's problems first, then config, version, time budget. */
  statusItems: { id: string; text: string; detail: string; severity: number }[];
}

export interface Timings {
  /** Loading the bundle (module code), ms: VS Code's "code loading" part of activation. */
  loadMs: number;
  /** The activate() call itself, ms: VS Code's "activate call" part. */
  activateMs: number;
  /** loadMs + activateMs. */
  activationMs: number;
  /** From the end of loading to the start of activate(): VS Code's own work in between, ms. */
  hostGapMs: number;
  /** Bundle load start to the server answering its first status request, ms (null until then). */
  serverReadyMs: number | null;
  /** The look for dbos in a folder just opened, ms (null when it did not run). */
  probeMs: number | null;
}

export interface DbosLintApi {
  /** Resolves once the language server is running (it starts on a trigger: see the file header). */
  ready: Promise<void>;
  /** Why the server was started ('' while it is not). */
  startReason(): string;
  client(): DbosLanguageClient | undefined;
  rules: RulesTreeProvider;
  ruleView: RuleView;
  status(): StatusResult | undefined;
  setRuleSeverity: typeof setRuleSeverity;
  health(): Health;
  timings(): Timings;
  /** The lines written to the "DBOS Lint" output channel. */
  log(): readonly string[];
  /** Whether the Rules view is visible. */
  viewVisible(): boolean;
}

let client: DbosLanguageClient | undefined;
let log: Log | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<DbosLintApi> {
  const activateStart = performance.now();
  const output = new Log();
  log = output;
  const status = new StatusItem();
  context.subscriptions.push(status);
  let startReason = '';
  const rules = new RulesTreeProvider(() => client, () => startReason !== '');
  const ruleView = new RuleView(async (code) => (client ? client.sendRequest<RuleDocsResult | null>(Requests.ruleDocs, { code, uri: activePython()?.uri.toString() }) : null));
  const tree = vscode.window.createTreeView('dbosLint.rules', { treeDataProvider: rules, showCollapseAll: true });
  context.subscriptions.push(tree, vscode.window.registerFileDecorationProvider(rules), { dispose: () => ruleView.dispose() });
  void vscode.commands.executeCommand('setContext', 'dbosLint.rules.filtered', false);

  const updateStatus = (s: StatusResult) => {
    status.update(s);
    tree.badge = s.findings ? { value: s.findings, tooltip: `${s.findings} DBOS finding${s.findings === 1 ? '' : 's'} in the workspace` } : undefined;
    rules.setVersion({ version: s.dbosVersion, source: s.versionSource, config: configText(s, activePython()?.uri) });
    void vscode.commands.executeCommand('setContext', 'dbosLint.dbosFile', s.fileChecked === true);
  };
  /** Status is asked for the active Python file: its project's config and DBOS version. */
  const statusParams = () => {
    const doc = activePython();
    return doc ? { uri: doc.uri.toString() } : {};
  };
  const refreshStatus = () => {
    const c = client;
    if (c?.isRunning()) void c.sendRequest<StatusResult>(Requests.status, statusParams()).then(updateStatus, () => undefined);
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(refreshStatus));

  const serverModule = context.asAbsolutePath('dist/server.js');
  const health = { restarts: 0, gaveUp: false, messages: [] as string[] };
  const crashes: number[] = [];
  let serverReadyMs: number | null = null;

  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void rules.refresh(), 200);
  };

  /** The server process died: restart it a few times quietly (one output line each), then stop and say so once. */
  const onServerClosed = (lc: typeof import('./languageclient')) => {
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && now - crashes[0] > RESTART_WINDOW_MS) crashes.shift();
    if (crashes.length <= MAX_RESTARTS) {
      health.restarts++;
      output.info(`The language server stopped unexpectedly; restarting it (${crashes.length} of ${MAX_RESTARTS} in 3 minutes).`);
      status.starting(true);
      return { action: lc.CloseAction.Restart, handled: true };
    }
    health.gaveUp = true;
    const message = `DBOS Lint: the language server stopped ${crashes.length} times in 3 minutes and was not restarted again.`;
    output.info(message);
    status.stopped('The server stopped repeatedly. Use "DBOS: Restart the Language Server" after checking the log.');
    health.messages.push(message);
    void vscode.window.showErrorMessage(message, 'Show Log', 'Restart').then((choice) => {
      if (choice === 'Show Log') output.show(true);
      else if (choice === 'Restart') void vscode.commands.executeCommand('dbosLint.restartServer');
    });
    return { action: lc.CloseAction.DoNotRestart, handled: true };
  };

  const startServer = async () => {
    // Loaded here, after activate() returned, from its own bundle (src/client/languageclient.ts):
    // activation reads and compiles only this small file.
    const lc = require(path.join(__dirname, 'languageclient.js')) as typeof import('./languageclient');
    // No V8 flags: the server stays under 150 MB after a 100,000-line workspace without
    // --optimize-for-size (which made every check 15-25% slower), see bench/server.mjs.
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: lc.TransportKind.ipc },
      debug: { module: serverModule, transport: lc.TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'python' }],
      outputChannel: output,
      // Server errors (a failing rule) are logged there; the output never pops up by itself.
      revealOutputChannelOn: lc.RevealOutputChannelOn.Never,
      diagnosticCollectionName: 'dbos',
      initializationOptions: { clientCommands: true, settings: vscode.workspace.getConfiguration('dbosLint') },
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.py,*.pyi,pyproject.toml,uv.lock,poetry.lock,pdm.lock,requirements*.txt,requirements*.in}'),
      },
      errorHandler: {
        error: () => ({ action: lc.ErrorAction.Continue, handled: true }),
        closed: () => onServerClosed(lc),
      },
    };
    const c = new lc.DbosLanguageClient('dbosLint', 'DBOS Lint', serverOptions, clientOptions);
    client = c;
    c.onNotification(Notifications.findingsChanged, refreshSoon);
    c.onNotification(Notifications.status, (st: StatusResult) => ('uri' in statusParams() ? refreshStatus() : updateStatus(st)));
    c.onNotification(Notifications.configChanged, () => {
      refreshSoon();
      void ruleView.refresh();
    });
    // After an automatic restart: fresh status and counts from the new process.
    c.onDidChangeState((e) => {
      if (e.newState === lc.State.Running && e.oldState !== lc.State.Running) {
        refreshStatus();
        refreshSoon();
      }
    });
    await c.start();
    updateStatus(await c.sendRequest<StatusResult>(Requests.status, statusParams()));
    serverReadyMs = performance.now() - loadStart;
    await rules.refresh();
  };

  let resolveReady!: () => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined); // reported in the output and the status item
  /** Starts the server once, saying why in the output. */
  const ensureStarted = (why: string): Promise<void> => {
    if (startReason) return ready;
    startReason = why;
    output.info(`Starting the language server: ${why}.`);
    status.starting();
    rules.refresh().catch(() => undefined); // the view leaves its welcome text
    startServer().then(resolveReady, (e) => {
      output.info(`The language server failed to start: ${e?.stack ?? e}`);
      status.stopped(`The server failed to start: ${e?.message ?? e}`);
      rejectReady(e);
    });
    return ready;
  };

  const isPython = (d: vscode.TextDocument) => d.languageId === 'python';
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (isPython(d)) void ensureStarted(`${vscode.workspace.asRelativePath(d.uri)} was opened`);
    }),
    tree.onDidChangeVisibility((e) => {
      if (e.visible) void ensureStarted('the DBOS view was opened');
    }),
  );
  let probeMs: number | null = null;
  // After activate() has returned: a Python file already open starts the server; otherwise a
  // workspace that uses dbos does (checked with a bounded look at its files).
  setImmediate(() => {
    const open = vscode.workspace.textDocuments.find(isPython);
    if (open) return void ensureStarted(`${vscode.workspace.asRelativePath(open.uri)} is open`);
    if (tree.visible) return void ensureStarted('the DBOS view is open');
    const cfg = vscode.workspace.getConfiguration('dbosLint', null);
    if (!vscode.workspace.workspaceFolders?.length || !cfg.get<boolean>('enable', true) || !cfg.get<boolean>('workspaceDiagnostics', true)) return;
    probeWorkspace().then(
      (r) => {
        probeMs = r.ms;
        if (r.found) void ensureStarted(`the workspace uses dbos (${vscode.workspace.asRelativePath(r.found)}; found in ${r.ms} ms)`);
        else if (!startReason) output.info(`No file of the workspace imports dbos (${r.read} files read in ${r.ms} ms): the language server starts when a Python file is opened.`);
      },
      (e) => output.info(`Could not look for dbos in the workspace: ${e?.message ?? e}`),
    );
  });

  const reg = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('dbosLint.checkWorkspace', async () => {
    await ensureStarted('"Check All Files in the Workspace Now" was run');
    const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'DBOS: checking the workspace' }, () =>
      client!.sendRequest<StatusResult>(Requests.checkWorkspace, {}),
    );
    updateStatus(s);
    await rules.refresh();
    void vscode.window.showInformationMessage(`DBOS Lint: ${s.findings} problem${s.findings === 1 ? '' : 's'} in ${s.filesWithFindings} of ${s.filesChecked} files.`);
    return s;
  });
  reg('dbosLint.fixAllInFile', async () => {
    const doc = activePython();
    if (!doc) {
      void vscode.window.showInformationMessage('DBOS Lint: open a Python file to fix its DBOS problems.');
      return 0;
    }
    await ensureStarted(`${vscode.workspace.asRelativePath(doc.uri)} is open`);
    const all = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, all, 'source.fixAll.dbos')) ?? [];
    const fix = actions.find((a) => a.kind?.value === 'source.fixAll.dbos' && a.edit);
    if (!fix) {
      void vscode.window.showInformationMessage('DBOS Lint: no safe fix to apply in this file.');
      return 0;
    }
    await vscode.workspace.applyEdit(fix.edit!);
    const n = Number(/\((\d+)\)/.exec(fix.title)?.[1] ?? 1);
    vscode.window.setStatusBarMessage(`$(check) DBOS: ${n} safe fix${n === 1 ? '' : 'es'} applied`, 4000);
    return n;
  });
  reg('dbosLint.showRules', () => vscode.commands.executeCommand('dbosLint.rules.focus'));
  reg('dbosLint.openRule', async (code?: string) => {
    await ensureStarted('a rule was opened');
    if (typeof code !== 'string') {
      const cat = await client!.sendRequest<CatalogResult>(Requests.catalog, {});
      const pick = await vscode.window.showQuickPick(
        cat.categories.flatMap((c) => c.rules.map((r) => ({ label: r.code, description: r.title, detail: `${c.title} · ${c.impact} · ${r.severity}` }))),
        { placeHolder: 'Open the documentation of a DBOS rule', matchOnDescription: true },
      );
      if (!pick) return;
      code = pick.label;
    }
    await ruleView.show(code);
  });
  reg('dbosLint.restartServer', async () => {
    crashes.length = 0;
    health.gaveUp = false;
    if (!client) return ensureStarted('"Restart the Language Server" was run');
    await ready.catch(() => undefined);
    output.info('Restarting the language server ("Restart the Language Server" was run).');
    status.starting();
    await client.restart();
    updateStatus(await client.sendRequest<StatusResult>(Requests.status, statusParams()));
    await rules.refresh();
  });
  reg('dbosLint.showOutput', () => output.show(true));
  reg('dbosLint.openFinding', async (f: FindingInfo) => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(f.uri));
    const r = new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character);
    await vscode.window.showTextDocument(doc, { selection: r, preview: true });
  });
  reg('dbosLint.openVersionSource', async (source?: string | null) => {
    if (source && source !== 'setting') await vscode.window.showTextDocument(vscode.Uri.file(source), { preview: true });
    else await vscode.commands.executeCommand('workbench.action.openSettings', 'dbosLint.targetVersion');
  });
  reg('dbosLint.snippetInserted', () => vscode.commands.executeCommand('setContext', 'dbosLint.snippetInserted', true));
  reg('dbosLint.rules.refresh', () => rules.refresh());
  reg('dbosLint.rules.filterFindings', () => rules.setFilter(true));
  reg('dbosLint.rules.showAll', () => rules.setFilter(false));
  reg('dbosLint.rules.search', async () => {
    const text = await vscode.window.showInputBox({ prompt: 'Show rules whose code, name or title contains', value: rules.search });
    if (text === undefined) return;
    rules.setSearch(text);
    tree.message = text.trim() ? `Rules matching "${text.trim()}"` : undefined;
  });
  reg('dbosLint.rules.clearSearch', () => {
    rules.setSearch('');
    tree.message = undefined;
  });
  reg('dbosLint.setRuleSeverity', (code: string, level: string, where: 'user' | 'workspace' = 'user') => setRuleSeverity(code, level, where));

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('dbosLint')) return;
      refreshSoon();
      refreshStatus(); // the settings in effect are part of the status
    }),
  );

  const activateMs = performance.now() - activateStart;
  const loadMs = loadEnd - loadStart;
  const timings = { loadMs, activateMs, activationMs: loadMs + activateMs, hostGapMs: activateStart - loadEnd };
  return {
    ready,
    startReason: () => startReason,
    client: () => client,
    rules,
    ruleView,
    status: () => status.status,
    setRuleSeverity,
    health: (): Health => ({ ...health, statusText: status.item.text, statusDetail: status.item.detail ?? '', statusItems: status.items() }),
    timings: () => ({ ...timings, serverReadyMs, probeMs }),
    log: () => output.lines,
    viewVisible: () => tree.visible,
  };
}

/** Stops the server first, then closes the output channel (in that order: see log.ts). */
export async function deactivate(): Promise<void> {
  try {
    if (client) await client.stop(3000);
  } catch {
    /* already stopped */
  } finally {
    log?.dispose();
  }
}

/** The end of this bundle's module code (the last top-level statement to run). */
const loadEnd = performance.now();
