// A multi-root workspace (test/e2e/workspace-multiroot/shop.code-workspace): folders shop (its
// pyproject.toml pins dbos 2.30 and raises DBOS201 to error), worker (its folder settings make
// DBOS203 information) and docs (no DBOS). Each folder is checked with its own configuration,
// the sidebar adds them up, the status item follows the active file's folder, and folders added to
// or removed from the workspace are checked or cleared.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeOf, dbosDiags, EXT_ID, statusItem, waitFor, type Api } from './helpers';

let api: Api;
const folder = (name: string) => vscode.workspace.workspaceFolders!.find((f) => f.name === name)!.uri;
const severities = (uri: vscode.Uri) =>
  dbosDiags(uri)
    .map((d) => `${codeOf(d)}:${vscode.DiagnosticSeverity[d.severity]}`)
    .sort()
    .join(' ');

describe('A multi-root workspace', function () {
  this.timeout(90_000);

  before(async () => {
    const ext = vscode.extensions.getExtension<Api>(EXT_ID)!;
    await waitFor('the extension to activate by itself', () => ext.isActive, 60_000);
    api = ext.exports;
    await api.ready;
  });

  it('starts by itself and checks every folder in the background, each with its own configuration', async () => {
    assert.deepEqual(vscode.workspace.workspaceFolders!.map((f) => f.name), ['shop', 'worker', 'docs']);
    assert.match(api.startReason(), /^the workspace uses dbos \(shop\/pyproject\.toml; found in \d+ ms\)$/);
    const orders = vscode.Uri.joinPath(folder('shop'), 'shop', 'orders.py');
    const jobs = vscode.Uri.joinPath(folder('worker'), 'jobs.py');
    await waitFor('shop/shop/orders.py', () => severities(orders) === 'DBOS201:Error', 60_000);
    await waitFor('worker/jobs.py', () => severities(jobs) === 'DBOS201:Warning DBOS203:Information', 60_000);
    assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.languageId === 'python'), [], 'nothing was opened');
  });

  it('the sidebar counts the findings of every folder', async () => {
    await waitFor('the workspace check', () => api.status()?.state === 'ready', 60_000);
    await api.rules.refresh();
    const [, , workflow] = await api.rules.getChildren();
    const rules = await api.rules.getChildren(workflow);
    const count = (code: string) => rules.find((r) => r.rule!.code === code)!.count;
    assert.equal(count('DBOS201'), 2);
    assert.equal(count('DBOS203'), 1);
    const findings = await api.rules.getChildren(rules.find((r) => r.rule!.code === 'DBOS201')!);
    assert.deepEqual(findings.map((f) => vscode.workspace.asRelativePath(vscode.Uri.parse(f.finding!.uri))).sort(), ['shop/shop/orders.py', 'worker/jobs.py']);
  });

  it('the status item and the version row follow the folder of the active file', async () => {
    const header = async () => {
      const [first] = await api.rules.getChildren();
      const item = api.rules.getTreeItem(first);
      return `${item.label} | ${item.description}`;
    };
    const shown = (id: string) => {
      const i = statusItem(api, id);
      return `${i?.text} | ${i?.detail}`;
    };
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder('shop'), 'shop', 'orders.py'));
    await waitFor('the status of orders.py', () => shown('status') === 'DBOS: 1 problem in this file | workspace: 3 problems in 2 files');
    await waitFor('the config of shop', () => shown('config') === 'config: shop/pyproject.toml | [tool.dbos-lint]');
    assert.equal(shown('version'), 'DBOS 2.30 | from shop/pyproject.toml');
    await waitFor('the version row of shop', async () => (await header()) === 'DBOS 2.30 | from shop/pyproject.toml', 20_000, 100);
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder('worker'), 'jobs.py'));
    await waitFor('the status of jobs.py', () => shown('status') === 'DBOS: 2 problems in this file | workspace: 3 problems in 2 files');
    await waitFor('the config of worker', () => shown('config') === 'config: dbosLint.severity | dbosLint.severity in folder settings');
    assert.equal(shown('version'), 'DBOS version unknown | pin dbos or set dbosLint.targetVersion');
    await waitFor('the version row of worker', async () => (await header()) === 'DBOS version unknown | pin dbos or set dbosLint.targetVersion', 20_000, 100);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a folder added to the workspace is checked, and a folder removed loses its diagnostics', async () => {
    const extra = vscode.Uri.file(path.join(path.dirname(folder('shop').fsPath), 'extra'));
    const tasks = vscode.Uri.joinPath(extra, 'tasks.py');
    assert.equal(dbosDiags(tasks).length, 0);
    assert.ok(vscode.workspace.updateWorkspaceFolders(3, 0, { uri: extra, name: 'extra' }));
    await waitFor('extra/tasks.py checked', () => severities(tasks) === 'DBOS201:Warning', 60_000);
    assert.ok(vscode.workspace.updateWorkspaceFolders(3, 1));
    await waitFor('extra/tasks.py cleared', () => dbosDiags(tasks).length === 0, 60_000);
  });
});
