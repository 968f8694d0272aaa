// The VS Code client: starts the language server and owns the sidebar, rule view, commands and
// status item. It never analyses code itself; it asks the server.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { Notifications, Requests, type RuleDocsResult, type StatusResult, type FindingInfo, type CatalogResult } from '../server/protocol';
import { RulesTreeProvider } from './rulesTree';
import { RuleView, setRuleSeverity } from './ruleView';

export interface DbosLintApi {
  /** Resolves once the language server is running. */
  ready: Promise<void>;
  client(): LanguageClient | undefined;
  rules: RulesTreeProvider;
  ruleView: RuleView;
  status(): StatusResult | undefined;
  setRuleSeverity: typeof setRuleSeverity;
}

let client: LanguageClient | undefined;
let lastStatus: StatusResult | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<DbosLintApi> {
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
    statusItem.detail = parts.join(' · ');
    statusItem.severity = s.configErrors.length || s.slowFiles.length ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    tree.badge = s.findings ? { value: s.findings, tooltip: `${s.findings} DBOS findings` } : undefined;
  };

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'python' }],
    outputChannel: output,
    diagnosticCollectionName: 'dbos',
    initializationOptions: { clientCommands: true, settings: vscode.workspace.getConfiguration('dbosLint') },
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.py,*.pyi,pyproject.toml,uv.lock,poetry.lock,pdm.lock,requirements*.txt,requirements*.in}'),
    },
  };

  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void rules.refresh(), 200);
  };

  const start = async () => {
    client = new LanguageClient('dbosLint', 'DBOS Lint', serverOptions, clientOptions);
    await client.start();
    client.onNotification(Notifications.findingsChanged, refreshSoon);
    client.onNotification(Notifications.status, (s: StatusResult) => updateStatus(s));
    client.onNotification(Notifications.configChanged, () => {
      refreshSoon();
      void ruleView.refresh();
    });
    updateStatus(await client.sendRequest<StatusResult>(Requests.status, {}));
    await rules.refresh();
  };
  const ready = start().catch((e) => {
    output.appendLine(`DBOS Lint: the language server failed to start: ${e?.stack ?? e}`);
    statusItem.text = 'DBOS: failed';
    statusItem.severity = vscode.LanguageStatusSeverity.Error;
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
    if (client) await client.restart();
    else await start();
    updateStatus(await client!.sendRequest<StatusResult>(Requests.status, {}));
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

  return { ready, client: () => client, rules, ruleView, status: () => lastStatus, setRuleSeverity };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
