// The dbos-lint language server: LSP wiring around the engine (no rule logic here).
// Runs over stdio (`node dist/server.js --stdio`), node-ipc or a socket, so any LSP editor can use it.
// Modules: connection (transport, capabilities), workspace (folders, settings), checker (checks,
// budget, scan, status), actions (code actions, hover).
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  FileChangeType,
  TextDocumentSyncKind,
  type CodeActionParams,
  type CompletionItem,
  type CompletionParams,
  type DidChangeWatchedFilesParams,
  type ExecuteCommandParams,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { initParser, IMPLEMENTED_CODES } from '../engine/index';
import { RULES, ruleMeta } from '../catalog/rules';
import { CATEGORIES, categoryOf } from '../catalog/categories';
import { ruleDocs } from '../catalog/docs';
import { caps, connection, documents } from './connection';
import { codeActions, FIX_ALL_KIND, hover, SHOW_RULE_SERVER_COMMAND } from './actions';
import { completions, resolveCompletion } from './completion';
import { checkOpen, closeDocument, diskFileChanged, markReady, ready, schedule, setDebounce, stats } from './checker';
import { allFindings, sendStatus, statusFor } from './results';
import { recheckEverything, startScan } from './scan';
import { changeFolders, effectiveSeverity, invalidateProjects, loadSettings, setFolders, settingsSignature, uriToPath, ws } from './workspace';
import { guardProcess, markInitialized, notification, onHandlerFailure, request } from './guard';
import { Notifications, Requests, type CatalogResult, type FindingInfo, type RuleDocsResult } from './protocol';

export { FIX_ALL_KIND, SHOW_RULE_SERVER_COMMAND };

guardProcess();
onHandlerFailure(() => sendStatus());

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

connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
  markInitialized();
  const c = params.capabilities;
  caps.configuration = !!c.workspace?.configuration;
  caps.workDoneProgress = !!c.window?.workDoneProgress;
  caps.documentChanges = !!c.workspace?.workspaceEdit?.documentChanges;
  caps.relatedInfo = !!c.textDocument?.publishDiagnostics?.relatedInformation;
  caps.resolveAdditionalTextEdits = !!c.textDocument?.completion?.completionItem?.resolveSupport?.properties?.includes('additionalTextEdits');
  const init = (params.initializationOptions ?? {}) as { clientCommands?: boolean; settings?: unknown; debounceMs?: unknown };
  caps.clientCommands = !!init.clientCommands;
  setDebounce(init.debounceMs);
  ws.pushedSettings = init.settings;
  setFolders(params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []));
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
      hoverProvider: true,
      // The DBOS snippets, with the imports they need (`-` keeps the list open after `dbos-`).
      completionProvider: { resolveProvider: true, triggerCharacters: ['-'] },
      executeCommandProvider: { commands: [SHOW_RULE_SERVER_COMMAND] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'dbos-lint', version: '0.1.0' },
  };
});

connection.onInitialized(
  notification('initialized', async () => {
    connection.console.info(`dbos-lint server ${process.pid} started`);
    if (caps.configuration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'dbosLint' });
    try {
      connection.workspace.onDidChangeWorkspaceFolders(
        notification('workspace/didChangeWorkspaceFolders', async (e) => {
          changeFolders(e.added, e.removed);
          await loadSettings();
          void recheckEverything();
        }),
      );
    } catch {
      /* client without workspace folders */
    }
    await loadSettings();
    markReady();
    for (const doc of documents.all()) checkOpen(doc.uri);
    sendStatus();
    void startScan();
  }),
);

connection.onDidChangeConfiguration(
  notification('workspace/didChangeConfiguration', async (change) => {
    const s = (change.settings as Record<string, unknown> | undefined)?.dbosLint;
    if (s !== undefined) ws.pushedSettings = s;
    await ready;
    // VS Code sends this notification as soon as the server registers for it, and for changes of
    // any dbosLint setting (the trace level too): re-check only when the settings really changed.
    const before = settingsSignature();
    await loadSettings();
    if (settingsSignature() === before) return;
    void recheckEverything();
    void connection.sendNotification(Notifications.configChanged, {});
  }),
);

documents.onDidOpen(notification('textDocument/didOpen', (e) => schedule(e.document, 0)));
documents.onDidChangeContent(notification('textDocument/didChange', (e) => schedule(e.document)));
documents.onDidClose(notification('textDocument/didClose', (e) => closeDocument(e.document.uri)));

const CONFIG_FILES = /(^|[\\/])(pyproject\.toml|uv\.lock|poetry\.lock|pdm\.lock|requirements[^\\/]*\.(txt|in))$/;

connection.onDidChangeWatchedFiles(
  notification('workspace/didChangeWatchedFiles', async (params: DidChangeWatchedFilesParams) => {
    await ready;
    let configChanged = false;
    for (const c of params.changes) {
      const p = uriToPath(c.uri);
      if (CONFIG_FILES.test(p)) configChanged = true;
      else if (/\.pyi?$/.test(p)) diskFileChanged(c.uri, c.type === FileChangeType.Deleted);
    }
    if (configChanged) {
      invalidateProjects();
      void recheckEverything();
      void connection.sendNotification(Notifications.configChanged, {});
    }
  }),
);

connection.onCodeAction(request('textDocument/codeAction', (p: CodeActionParams) => codeActions(p)));
connection.onHover(request('textDocument/hover', (p: HoverParams) => hover(p)));
connection.onCompletion(
  request('textDocument/completion', async (p: CompletionParams) => {
    await ready;
    // the parser of this thread (import edits of snippets) is loaded on the first completion: the
    // analysis thread has its own, and a second one held from the start cost 9 MB of memory
    await initParser();
    return completions(p);
  }),
);
connection.onCompletionResolve(
  request('completionItem/resolve', async (item: CompletionItem) => {
    await initParser();
    return resolveCompletion(item);
  }),
);
connection.onExecuteCommand(
  request('workspace/executeCommand', async (p: ExecuteCommandParams) => {
    if (p.command === SHOW_RULE_SERVER_COMMAND) {
      const meta = ruleMeta(String(p.arguments?.[0] ?? ''));
      if (meta) await connection.window.showDocument({ uri: meta.docsUrl, external: true });
    }
  }),
);

// The dbosLint/* requests of the sidebar and the status items: each answered once the server is
// ready (its first configuration read), through the same guard as the protocol's requests.
function onCustomRequest<P, R>(method: string, handler: (params: P) => R | Promise<R>): void {
  connection.onRequest(
    method,
    request(method, async (params: P) => {
      await ready;
      return handler(params);
    }),
  );
}
onCustomRequest(Requests.catalog, (p?: { uri?: string }) => catalog(p?.uri));
onCustomRequest(Requests.counts, () => {
  const counts: Record<string, number> = {};
  for (const list of allFindings().values()) for (const f of list) counts[f.code] = (counts[f.code] ?? 0) + 1;
  return counts;
});
onCustomRequest(Requests.findings, (p: { code: string }): FindingInfo[] => {
  const out: FindingInfo[] = [];
  const all = [...allFindings()].sort(([a], [b]) => a.localeCompare(b));
  for (const [uri, list] of all) {
    for (const f of list) if (f.code === p.code) out.push({ uri, code: f.code, severity: f.severity, message: f.message, range: f.range });
  }
  return out;
});
onCustomRequest(Requests.ruleDocs, (p: { code: string; uri?: string }): RuleDocsResult | null => {
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
onCustomRequest(Requests.status, (p?: { uri?: string }) => statusFor(p?.uri));
onCustomRequest(Requests.stats, (p?: { uri?: string }) => stats(p?.uri));
onCustomRequest(Requests.checkWorkspace, async () => {
  await recheckEverything();
  return statusFor();
});

documents.listen(connection);
connection.listen();
