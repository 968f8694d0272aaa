// Resilience and timings in a real VS Code: the time budget in the status item, a killed server
// restarted quietly, repeated crashes ending in one message, and the activation time.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { codes, EXT_ID, statusItem, waitFor, type Api } from './helpers';

let api: Api;
let root: vscode.Uri;

/** Kills the server process and waits until a new one answers (or, if `expectRestart` is false, until the client gives up). */
async function killServer(expectRestart = true): Promise<void> {
  const pid = api.status()!.pid;
  process.kill(pid, 'SIGKILL');
  if (expectRestart) await waitFor(`a new server after killing ${pid}`, () => api.status()?.pid !== pid && api.client()?.isRunning());
  else await waitFor('the client to give up', () => api.health().gaveUp);
}

describe('DBOS Lint resilience and timings', function () {
  this.timeout(120_000);

  before(async () => {
    api = await vscode.extensions.getExtension<Api>(EXT_ID)!.activate();
    await api.ready;
    root = vscode.workspace.workspaceFolders![0].uri;
  });

  it('measures activation: activate() returns before the server starts', () => {
    const t = api.timings();
    assert.ok(t.activationMs > 0 && t.serverReadyMs !== null && t.serverReadyMs > t.activationMs, JSON.stringify(t));
    if (process.env.E2E_TIMINGS_FILE) fs.writeFileSync(process.env.E2E_TIMINGS_FILE, JSON.stringify(t));
  });

  it('a file over the time budget is named in the language status item with its time', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'slow', 'budget.py'));
    await vscode.window.showTextDocument(doc);
    // An item of its own, a warning, while a file is over its budget.
    const budget = await waitFor('the status item naming the slow file', () => statusItem(api, 'budget'));
    assert.equal(budget.text, 'over the time budget: slow/budget.py');
    assert.match(budget.detail, /^\d+ ms > 1000 ms, rules skipped$/);
    assert.ok(Number(/^(\d+)/.exec(budget.detail)![1]) >= 1200, budget.detail);
    assert.equal(budget.severity, vscode.LanguageStatusSeverity.Warning);
    // Logged once in the output, however often it happens.
    const editor = vscode.window.activeTextEditor!;
    for (let i = 0; i < 2; i++) {
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# again\n'));
      await new Promise((r) => setTimeout(r, 1800));
    }
    // the server's message for a file over its budget (src/engine's FileLimitNotice)
    const budgetLines = api.log().filter((l) => /budget\.py: partly checked: \d+ rules? (was|were) skipped \(\d+ ms, over the 1000 ms budget per file: file-time-budget-ms\)/.test(l));
    assert.equal(budgetLines.length, 1, api.log().join('\n'));
    assert.match(budgetLines[0], /^\[Warn/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a killed server is restarted without a popup, and diagnostics keep coming', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'app', 'shop.py'));
    const editor = await vscode.window.showTextDocument(doc);
    await waitFor('diagnostics on shop.py', () => codes(doc.uri).length >= 3);
    const before = api.health();
    await killServer();
    const h = api.health();
    assert.equal(h.restarts, before.restarts + 1);
    assert.equal(h.gaveUp, false);
    assert.deepEqual(h.messages, []);
    // The new server checks edits: a new non-deterministic call adds a DBOS201.
    const n201 = codes(doc.uri).filter((c) => c === 'DBOS201').length;
    const at = doc.getText().indexOf('@DBOS.workflow()');
    await editor.edit((e) => e.insert(doc.positionAt(at), '@DBOS.workflow()\ndef after_restart() -> float:\n    import time\n    return time.time()\n\n\n'));
    await waitFor('a DBOS201 from the restarted server', () => codes(doc.uri).filter((c) => c === 'DBOS201').length === n201 + 1);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('repeated crashes: restarts a few times, then stops with one message; "Restart Server" brings it back', async () => {
    // One kill already happened above (within the 3-minute window): two more restarts are allowed.
    await killServer();
    await killServer();
    await killServer(false);
    const h = api.health();
    assert.equal(h.messages.length, 1);
    assert.match(h.messages[0], /stopped 4 times in 3 minutes and was not restarted again/);
    assert.equal(h.statusText, 'DBOS: stopped');
    // No popup loop: nothing more is shown while it stays stopped.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(api.health().messages.length, 1);
    await vscode.commands.executeCommand('dbosLint.restartServer');
    await waitFor('the server back', () => api.client()?.isRunning() && api.health().statusText.startsWith('DBOS: '));
    assert.equal(api.health().gaveUp, false);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'app', 'shop.py'));
    await vscode.window.showTextDocument(doc);
    await waitFor('diagnostics after the manual restart', () => codes(doc.uri).length >= 3);
  });

  it('"Restart the Language Server" on a running server is logged as a restart, not as an error', async () => {
    const before = api.log().length;
    const restarts = api.health().restarts;
    const pid = api.status()!.pid;
    await vscode.commands.executeCommand('dbosLint.restartServer');
    await waitFor('a new server', () => api.status()?.pid !== pid && api.client()?.isRunning());
    const lines = api.log().slice(before);
    assert.ok(lines.some((l) => /Restarting the language server \("Restart the Language Server" was run\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /The language server process ended normally \(exit code 0\)/.test(l)), lines.join('\n'));
    assert.deepEqual(lines.filter((l) => /^\[Error/.test(l) || /exited with code/.test(l)), []);
    // The new server checks the workspace once (the settings it is sent at once change nothing).
    await waitFor('the workspace check', () => api.status()?.state === 'ready', 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(api.log().slice(before).filter((l) => /\] workspace check: \d+ Python files, \d+ findings \(\d+ ms\)$/.test(l)).length, 1, api.log().slice(before).join('\n'));
    assert.equal(api.health().restarts, restarts, 'a requested restart is not counted as a crash');
    assert.equal(api.health().messages.length, 1);
  });
});
