// An LSP session with the real bundled server (dist/server.js) over stdio, as another editor
// (Neovim, Helix, Zed) would run it. `npm test` builds dist/ before running this.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { RULES } from '../../src/catalog/rules';
import { stopServer } from './stop-server';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');
/**
 * The command that starts the server: node on dist/server.js, or DBOS_LINT_SERVER_COMMAND (a JSON
 * array: the packaging tests run this session against an installed `dbos-lint-server`).
 */
const COMMAND: string[] = process.env.DBOS_LINT_SERVER_COMMAND ? JSON.parse(process.env.DBOS_LINT_SERVER_COMMAND) : [process.execPath, SERVER];

/** The sample app shared by the language-server tests: a DBOS201, a DBOS202 and a DBOS109. */
const APP = fs.readFileSync(path.join(ROOT, 'test', 'server', 'sample-app.py'), 'utf8');

interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  source: string;
  message: string;
  codeDescription?: { href: string };
}
interface Edit {
  range: Diag['range'];
  newText: string;
}
interface Action {
  title: string;
  kind: string;
  isPreferred?: boolean;
  edit?: { changes?: Record<string, Edit[]> };
  command?: { command: string; arguments: unknown[] };
}

let proc: ChildProcess;
let conn: MessageConnection;
let dir: string;
let uri: string;
let bgUri: string;
const published = new Map<string, Diag[]>();
const waiters: (() => void)[] = [];

function waitDiagnostics(u: string, pred: (d: Diag[]) => boolean, ms = 20_000): Promise<Diag[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${u}: ${JSON.stringify(published.get(u))}`)), ms);
    const check = () => {
      const d = published.get(u);
      if (d && pred(d)) {
        clearTimeout(timer);
        resolve(d);
        return true;
      }
      return false;
    };
    // A waiter is dropped after each notification: put it back until its predicate holds.
    const waiter = () => {
      if (!check()) waiters.push(waiter);
    };
    if (!check()) waiters.push(waiter);
  });
}

function offsetAt(text: string, p: { line: number; character: number }): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
  return o + p.character;
}

function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  for (const e of sorted) text = text.slice(0, offsetAt(text, e.range.start)) + e.newText + text.slice(offsetAt(text, e.range.end));
  return text;
}

before(async () => {
  assert.ok(process.env.DBOS_LINT_SERVER_COMMAND || fs.existsSync(SERVER), `${SERVER} missing: run node scripts/build.mjs`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lsp-'));
  fs.writeFileSync(path.join(dir, 'app.py'), APP);
  fs.writeFileSync(path.join(dir, 'bg.py'), 'import time\nfrom dbos import DBOS\n\n\n@DBOS.workflow()\ndef w() -> float:\n    return time.time()\n');
  uri = pathToFileURL(path.join(dir, 'app.py')).href;
  bgUri = pathToFileURL(path.join(dir, 'bg.py')).href;
  proc = spawn(COMMAND[0], [...COMMAND.slice(1), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => {
    published.set(p.uri, p.diagnostics);
    for (const w of waiters.splice(0)) w();
  });
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  const init = await conn.sendRequest<{ capabilities: Record<string, unknown>; serverInfo: { name: string } }>('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
    capabilities: {
      workspace: { configuration: true, workspaceFolders: true },
      textDocument: { publishDiagnostics: { relatedInformation: true }, codeAction: {} },
      window: { workDoneProgress: true },
    },
  });
  assert.equal(init.serverInfo.name, 'dbos-lint');
  assert.ok(init.capabilities.codeActionProvider);
  await conn.sendNotification('initialized', {});
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: APP } });
});

after(async () => {
  await stopServer(conn, proc);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('publishes diagnostics with code, link, source and range for an open file', async () => {
  const diags = await waitDiagnostics(uri, (d) => d.length >= 3);
  const codes = diags.map((d) => d.code).sort();
  assert.deepEqual(codes, ['DBOS109', 'DBOS201', 'DBOS202']);
  const d201 = diags.find((d) => d.code === 'DBOS201')!;
  assert.equal(d201.source, 'dbos');
  assert.equal(d201.severity, 2);
  assert.deepEqual(d201.range, { start: { line: 11, character: 12 }, end: { line: 11, character: 27 } });
  assert.equal(d201.codeDescription?.href, RULES.find((r) => r.code === 'DBOS201')!.docsUrl);
});

test('checks workspace files that are not open', async () => {
  const diags = await waitDiagnostics(bgUri, (d) => d.length === 1);
  assert.equal(diags[0].code, 'DBOS201');
});

test('code actions: fixes, ignore this line, ignore in this file and show rule (server command for other editors)', async () => {
  const diags = await waitDiagnostics(uri, (d) => d.length >= 3);
  const d201 = diags.find((d) => d.code === 'DBOS201')!;
  const actions = await conn.sendRequest<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d201.range, context: { diagnostics: [d201] } });
  const titles = actions.map((a) => a.title);
  const wrap = actions.find((a) => a.title.startsWith('Wrap in a step'));
  assert.ok(wrap, titles.join(' | '));
  assert.equal(wrap.isPreferred, true);
  assert.equal(wrap.kind, 'quickfix');
  const fixed = applyEdits(APP, wrap.edit!.changes![uri]);
  assert.match(fixed, /DBOS\.run_step\(/);
  const ignore = actions.find((a) => a.title === 'Ignore DBOS201 on this line');
  assert.ok(ignore);
  assert.match(applyEdits(APP, ignore.edit!.changes![uri]), /token = random\.random\(\) {2}# dbos: ignore\[DBOS201\]/);
  const ignoreFile = actions.find((a) => a.title === 'Ignore DBOS201 in this file');
  assert.ok(ignoreFile, titles.join(' | '));
  assert.equal(applyEdits(APP, ignoreFile.edit!.changes![uri]), '# dbos: ignore-file[DBOS201]\n' + APP);
  assert.equal(titles.filter((t) => t === 'Ignore DBOS201 in this file').length, 1);
  const show = actions.find((a) => a.title === 'Show rule DBOS201');
  assert.equal(show?.command?.command, 'dbosLint.server.showRuleDocs');
  assert.deepEqual(show?.command?.arguments, ['DBOS201']);
});

test('source.fixAll.dbos applies only safe fixes', async () => {
  const actions = await conn.sendRequest<Action[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [], only: ['source.fixAll.dbos'] },
  });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'source.fixAll.dbos');
  const out = applyEdits(APP, actions[0].edit!.changes![uri]);
  assert.ok(out.indexOf('@app.get(') < out.indexOf('@DBOS.workflow()\ndef get_order'), out);
  assert.doesNotMatch(out, /run_step/);
  // Re-check the fixed text: only the unsafe findings are left.
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: out }] });
  const diags = await waitDiagnostics(uri, (d) => !d.some((x) => x.code === 'DBOS109'));
  assert.deepEqual(diags.map((d) => d.code).sort(), ['DBOS201', 'DBOS202']);
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: APP }] });
  await waitDiagnostics(uri, (d) => d.length === 3);
});

test('incremental didChange (ranges in UTF-16, CRLF, emoji, CJK, multi-line) ends with the diagnostics of a fresh open', async () => {
  const incUri = pathToFileURL(path.join(dir, 'inc.py')).href;
  const freshUri = pathToFileURL(path.join(dir, 'inc_fresh.py')).href;
  let text = APP.replace('app = FastAPI()', 'app = FastAPI()  # 注文 🚀').replace(/\n/g, '\r\n');
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: incUri, languageId: 'python', version: 1, text } });
  await waitDiagnostics(incUri, (d) => d.length === 3);
  const pos = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  const edits: [string, number, string][] = [
    // [anchor text, characters to delete after it, text to insert]
    ['# 注文 🚀', 0, '\r\n\r\n@DBOS.workflow()\r\ndef late() -> float:\r\n    import time\r\n    return time.time()  # 時間 ⏰'],
    ['token = ', 16, 'random.randint(1, 6)'],
    ['def notify() -> int:\r\n', 0, '    x = "💶"\r\n'],
    ['@DBOS.workflow()\r\n@app.get', 18, ''], // leaves a half-typed decorator: a syntax error
  ];
  let version = 1;
  for (const [anchor, del, ins] of edits) {
    const at = text.indexOf(anchor) + anchor.length;
    assert.ok(at >= anchor.length, anchor);
    const change = { range: { start: pos(at), end: pos(at + del) }, text: ins };
    text = text.slice(0, at) + ins + text.slice(at + del);
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri: incUri, version: ++version }, contentChanges: [change] });
    if (version % 2) await new Promise((r) => setTimeout(r, 300)); // some edits analysed one by one, some batched
  }
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: freshUri, languageId: 'python', version: 1, text } });
  const want = await waitDiagnostics(freshUri, (d) => d.length > 0);
  const strip = (d: Diag[]) => d.map((x) => ({ code: x.code, range: x.range, message: x.message }));
  const got = await waitDiagnostics(incUri, (d) => JSON.stringify(strip(d)) === JSON.stringify(strip(want)), 5000);
  assert.deepEqual(
    got.map((d) => `${d.range.start.line + 1}:${d.code}`),
    ['12:DBOS201', '17:DBOS201', '24:DBOS202'],
  );
  assert.ok(got.some((d) => d.code === 'DBOS201' && d.message.includes('randint')), JSON.stringify(got));
  for (const u of [incUri, freshUri]) await conn.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
});

test('hover on a code in a suppression comment', async () => {
  const u = pathToFileURL(path.join(dir, 'h.py')).href;
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'python', version: 1, text: 'import dbos\nx = 1  # noqa: DBOS202\n' } });
  const h = await conn.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: u }, position: { line: 1, character: 18 } });
  assert.match(h!.contents.value, /DBOS202/);
  assert.match(h!.contents.value, /External I\/O in a workflow outside a step/);
});

test('completion: the DBOS snippets with the imports they need (computed for a client that cannot resolve them later)', async () => {
  const snipUri = pathToFileURL(path.join(dir, 'snip.py')).href;
  const text = 'import os\n\n\ndbos-que';
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: snipUri, languageId: 'python', version: 1, text } });
  interface Item {
    label: string;
    kind: number;
    filterText: string;
    insertTextFormat: number;
    textEdit: Edit;
    additionalTextEdits?: Edit[];
  }
  const items = await conn.sendRequest<Item[]>('textDocument/completion', { textDocument: { uri: snipUri }, position: { line: 3, character: 8 } });
  assert.equal(items.length, 41);
  const queue = items.find((i) => i.label === 'dbos-queue')!;
  assert.equal(queue.kind, 15); // Snippet
  assert.equal(queue.insertTextFormat, 2);
  assert.deepEqual(queue.textEdit.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 8 } });
  assert.match(queue.textEdit.newText, /^def \$\{1:register_queues\}\(\) -> None:/);
  const out = applyEdits(text, [queue.textEdit, ...queue.additionalTextEdits!]);
  assert.match(out, /^import os\nfrom dbos import DBOS\n\n\ndef \$\{1:register_queues\}\(\) -> None:\n/);
  // The entry point's own import lines are merged with the file's, not inserted twice.
  const main = items.find((i) => i.label === 'dbos-main')!;
  assert.deepEqual(main.additionalTextEdits!.map((e) => e.newText), ['\nfrom dbos import DBOS, DBOSConfig']);
  // Nothing in a comment, nor for a word that cannot start a snippet prefix.
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri: snipUri, version: 2 }, contentChanges: [{ text: 'x = 1  # dbos-que\nvalue' }] });
  assert.deepEqual(await conn.sendRequest('textDocument/completion', { textDocument: { uri: snipUri }, position: { line: 0, character: 17 } }), []);
  assert.deepEqual(await conn.sendRequest('textDocument/completion', { textDocument: { uri: snipUri }, position: { line: 1, character: 5 } }), []);
  await conn.sendNotification('textDocument/didClose', { textDocument: { uri: snipUri } });
});

test('custom requests feed the sidebar: catalog, counts, findings, docs, status', async () => {
  await waitDiagnostics(bgUri, (d) => d.length === 1);
  const catalog = await conn.sendRequest<{ categories: { title: string; impact: string; rules: { code: string; severity: string }[] }[] }>('dbosLint/catalog', {});
  assert.deepEqual(
    catalog.categories.map((c) => c.title),
    ['Lifecycle', 'Workflow', 'Step', 'Queue', 'Communication', 'Pattern', 'Testing', 'Client', 'Advanced'],
  );
  assert.equal(catalog.categories.reduce((n, c) => n + c.rules.length, 0), RULES.length);
  const counts = await conn.sendRequest<Record<string, number>>('dbosLint/counts', {});
  assert.equal(counts.DBOS201, 2);
  assert.equal(counts.DBOS109, 1);
  const findings = await conn.sendRequest<{ uri: string }[]>('dbosLint/findings', { code: 'DBOS201' });
  assert.deepEqual(findings.map((f) => path.basename(f.uri)).sort(), ['app.py', 'bg.py']);
  const docs = await conn.sendRequest<{ title: string; docsUrl: string; category: string }>('dbosLint/ruleDocs', { code: 'DBOS201' });
  assert.equal(docs.category, 'Workflow');
  const status = await conn.sendRequest<{ findings: number; state: string }>('dbosLint/status', {});
  assert.equal(status.findings, 4);
});

test('settings from the client change severities (workspace/didChangeConfiguration)', async () => {
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({ severity: { DBOS201: 'error' }, perFileIgnores: { 'app.py': ['DBOS202'] } })));
  await conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  const diags = await waitDiagnostics(uri, (d) => d.find((x) => x.code === 'DBOS201')?.severity === 1 && !d.some((x) => x.code === 'DBOS202'));
  assert.deepEqual(diags.map((d) => d.code).sort(), ['DBOS109', 'DBOS201']);
});

test('package.json: the severity setting lists every catalog rule', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties['dbosLint.severity'].properties;
  assert.deepEqual(Object.keys(props).sort(), RULES.map((r) => r.code).sort());
  // the oldest VS Code supported: the API the client uses (test/packaging/vsix.test.mjs, npm run test:e2e:vsix)
  assert.equal(pkg.engines.vscode, '^1.82.0');
});
