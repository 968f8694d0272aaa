// The VS Code client: starts the language server and owns the sidebar, rule view, commands and
// status item. It never analyses code itself; it asks the server.
// Activation does no work beyond registering: vscode-languageclient is loaded and the server
// started right after activate() returns.
import { loadStart } from './loadStart';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { Notifications, Requests, type RuleDocsResult, type StatusResult, type FindingInfo, type CatalogResult } from '../server/protocol';
import { RulesTreeProvider } from './rulesTree';
import { RuleView, setRuleSeverity } from './ruleView';

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
  /** The sidebar's description (the DBOS version). */
  sidebarDescription: string;
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
}

export interface DbosLintApi {
  /** Resolves once the language server is running. */
  ready: Promise<void>;
  client(): LanguageClient | undefined;
  rules: RulesTreeProvider;
  ruleView: RuleView;
  status(): StatusResult | undefined;
  setRuleSeverity: typeof setRuleSeverity;
  health(): Health;
  timings(): Timings;
}

let client: LanguageClient | undefined;
let lastStatus: StatusResult | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<DbosLintApi> {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('DBOS Lint');
  context.subscriptions.push(output);
  const rules = new RulesTreeProvider(() => client);
  const ruleView = new RuleView(async (code) => (client ? client.sendRequest<RuleDocsResult | null>(Requests.ruleDocs, { code }) : null));
  const tree = vscode.window.createTreeView('dbosLint.rules', { treeDataProvider: rules, showCollapseAll: true });
  context.subscriptions.push(tree, { dispose: () => ruleView.dispose() });
  void vscode.commands.executeCommand('setContext', 'dbosLint.rules.filtered', false);

  const statusItem = vscode.languages.createLanguageStatusItem('dbosLint.status', { language: 'python' });
  statusItem.name = 'DBOS Lint';
  statusItem.text = '$(sync~spin) DBOS';
  statusItem.command = { command: 'dbosLint.showOutput', title: 'Show Output' };
  context.subscriptions.push(statusItem);

  const updateStatus = (s: StatusResult) => {
    lastStatus = s;
    statusItem.busy = s.state !== 'ready';
    statusItem.text = s.enabled ? `DBOS: ${s.findings} finding${s.findings === 1 ? '' : 's'}` : 'DBOS: off';
    const parts = [s.configFile ? `config: ${vscode.workspace.asRelativePath(s.configFile)}` : 'config: defaults', `DBOS ${s.dbosVersion ?? 'version unknown'}`];
    if (s.slowFiles.length) {
      const f = s.slowFiles[0];
      const more = s.slowFiles.length > 1 ? ` (+${s.slowFiles.length - 1} more)` : '';
      parts.push(`over the time budget: ${vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri))} ${f.ms} ms > ${f.budgetMs} ms${f.stopped ? ', rules skipped' : ''}${more}`);
    }
    if (s.configErrors.length) parts.push(`config error: ${s.configErrors[0]}`);
    if (s.errors?.length) parts.push(`server error: ${s.errors[0]}`);
    statusItem.detail = parts.join(' · ');
    statusItem.severity = s.configErrors.length || s.slowFiles.length || s.errors?.length ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    tree.badge = s.findings ? { value: s.findings, tooltip: `${s.findings} DBOS findings` } : undefined;
    // The sidebar's title line: the DBOS version the checks assume for the active file's project.
    const source = s.versionSource ? ` · ${s.versionSource === 'setting' ? 'dbosLint.targetVersion' : vscode.workspace.asRelativePath(s.versionSource)}` : '';
    tree.description = s.dbosVersion ? `DBOS ${s.dbosVersion}${source}` : 'DBOS version unknown';
  };
  /** Status is asked for the active Python file: its project's config and DBOS version. */
  const statusParams = () => {
    const doc = vscode.window.activeTextEditor?.document;
    return doc?.languageId === 'python' ? { uri: doc.uri.toString() } : {};
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

  const stopped = (why: string) => {
    statusItem.busy = false;
    statusItem.text = 'DBOS: stopped';
    statusItem.detail = why;
    statusItem.severity = vscode.LanguageStatusSeverity.Error;
    statusItem.command = { command: 'dbosLint.restartServer', title: 'Restart' };
  };

  /** The server process died: restart it a few times quietly (one output line each), then stop and say so once. */
  const onServerClosed = (lc: typeof import('vscode-languageclient/node')) => {
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && now - crashes[0] > RESTART_WINDOW_MS) crashes.shift();
    if (crashes.length <= MAX_RESTARTS) {
      health.restarts++;
      output.appendLine(`[${new Date().toISOString()}] The DBOS Lint server stopped unexpectedly; restarting it (${crashes.length} of ${MAX_RESTARTS} in 3 minutes).`);
      statusItem.busy = true;
      statusItem.text = '$(sync~spin) DBOS: restarting';
      return { action: lc.CloseAction.Restart, handled: true };
    }
    health.gaveUp = true;
    const message = `DBOS Lint: the language server stopped ${crashes.length} times in 3 minutes and was not restarted again.`;
    output.appendLine(`[${new Date().toISOString()}] ${message}`);
    stopped('The server stopped repeatedly. Use "DBOS: Restart Server" after checking the output.');
    health.messages.push(message);
    void vscode.window.showErrorMessage(message, 'Show Output', 'Restart').then((choice) => {
      if (choice === 'Show Output') output.show(true);
      else if (choice === 'Restart') void vscode.commands.executeCommand('dbosLint.restartServer');
    });
    return { action: lc.CloseAction.DoNotRestart, handled: true };
  };

  const start = async () => {
    // Loaded here, after activate() returned, from its own bundle (src/client/languageclient.ts):
    // activation reads and compiles only this small file.
    const lc = require(path.join(__dirname, 'languageclient.js')) as typeof import('vscode-languageclient/node');
    // --optimize-for-size: V8 keeps a smaller heap and compiles less eagerly. Measured with
    // bench/server.mjs on a 101,224-line workspace: 117-125 MB RSS instead of 159-168 MB, for checks
    // about 15-25% slower (a keystroke re-check 35 ms instead of 31 ms, after the 200 ms pause anyway).
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: lc.TransportKind.ipc, options: { execArgv: ['--optimize-for-size'] } },
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
    const c = new lc.LanguageClient('dbosLint', 'DBOS Lint', serverOptions, clientOptions);
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
        void c.sendRequest<StatusResult>(Requests.status, statusParams()).then(updateStatus, () => undefined);
        refreshSoon();
      }
    });
    await c.start();
    updateStatus(await c.sendRequest<StatusResult>(Requests.status, statusParams()));
    serverReadyMs = performance.now() - loadStart;
    await rules.refresh();
  };
  // Started once activate() has returned.
  const ready = new Promise<void>((resolve) => setImmediate(resolve)).then(start).catch((e) => {
    output.appendLine(`DBOS Lint: the language server failed to start: ${e?.stack ?? e}`);
    stopped(`The server failed to start: ${e?.message ?? e}`);
    throw e;
  });

  const reg = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('dbosLint.checkWorkspace', async () => {
    await ready;
    const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'DBOS: checking workspace' }, () =>
      client!.sendRequest<StatusResult>(Requests.checkWorkspace, {}),
    );
    updateStatus(s);
    await rules.refresh();
    void vscode.window.showInformationMessage(`DBOS Lint: ${s.findings} finding${s.findings === 1 ? '' : 's'} in ${s.filesWithFindings} of ${s.filesChecked} files.`);
    return s;
  });
  reg('dbosLint.showRules', () => vscode.commands.executeCommand('dbosLint.rules.focus'));
  reg('dbosLint.openRule', async (code?: string) => {
    await ready;
    if (typeof code !== 'string') {
      const cat = await client!.sendRequest<CatalogResult>(Requests.catalog, {});
      const pick = await vscode.window.showQuickPick(
        cat.categories.flatMap((c) => c.rules.map((r) => ({ label: r.code, description: r.title, detail: `${c.title} · ${c.impact} · ${r.severity}` }))),
        { placeHolder: 'Open a DBOS rule', matchOnDescription: true },
      );
      if (!pick) return;
      code = pick.label;
    }
    await ruleView.show(code);
  });
  reg('dbosLint.restartServer', async () => {
    await ready.catch(() => undefined);
    crashes.length = 0;
    health.gaveUp = false;
    statusItem.command = { command: 'dbosLint.showOutput', title: 'Show Output' };
    if (client) await client.restart();
    else await start();
    updateStatus(await client!.sendRequest<StatusResult>(Requests.status, statusParams()));
    await rules.refresh();
  });
  reg('dbosLint.showOutput', () => output.show(true));
  reg('dbosLint.openFinding', async (f: FindingInfo) => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(f.uri));
    const r = new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character);
    await vscode.window.showTextDocument(doc, { selection: r, preview: true });
  });
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
      if (e.affectsConfiguration('dbosLint')) refreshSoon();
    }),
  );

  const activateMs = performance.now() - activateStart;
  const loadMs = loadEnd - loadStart;
  const timings = { loadMs, activateMs, activationMs: loadMs + activateMs, hostGapMs: activateStart - loadEnd };
  return {
    ready,
    client: () => client,
    rules,
    ruleView,
    status: () => lastStatus,
    setRuleSeverity,
    health: (): Health => ({ ...health, statusText: statusItem.text, statusDetail: statusItem.detail ?? '', sidebarDescription: tree.description ?? '' }),
    timings: () => ({ ...timings, serverReadyMs }),
  };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}

/** The end of this bundle's module code (the last top-level statement to run). */
const loadEnd = performance.now();
