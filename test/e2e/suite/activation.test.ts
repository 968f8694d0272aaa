// Runs first in the main session: the workspace folder was opened with no file open. The extension
// activates by itself (workspaceContains), sees that the workspace uses dbos, starts its server and
// checks the workspace in the background: problems appear without opening anything.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codes, EXT_ID, waitFor, type Api } from './helpers';

describe('Activation when a folder with a DBOS project opens', function () {
  this.timeout(90_000);

  it('starts without any file open and reports the problems of files that were never opened', async () => {
    const isPython = (d: vscode.TextDocument) => d.languageId === 'python';
    assert.deepEqual(vscode.workspace.textDocuments.filter(isPython).map((d) => d.uri.path), []);
    const ext = vscode.extensions.getExtension<Api>(EXT_ID)!;
    // Not activated by the test: by the workspaceContains event of the folder that was opened.
    await waitFor('the extension to activate by itself', () => ext.isActive, 60_000);
    const api = ext.exports;
    await api.ready;
    assert.match(api.startReason(), /^the workspace uses dbos \(other\/pyproject\.toml; found in \d+ ms\)$/);
    const root = vscode.workspace.workspaceFolders![0].uri;
    const shop = vscode.Uri.joinPath(root, 'app', 'shop.py');
    const background = vscode.Uri.joinPath(root, 'other', 'background.py');
    await waitFor('the problems of app/shop.py', () => codes(shop).join() === 'DBOS109,DBOS201,DBOS202', 60_000);
    await waitFor('the problems of other/background.py', () => codes(background).join() === 'DBOS201', 60_000);
    // Still nothing opened: these came from the background check.
    assert.deepEqual(vscode.workspace.textDocuments.filter(isPython).map((d) => d.uri.path), []);
    assert.ok(api.log().some((l) => /Starting the language server: the workspace uses dbos/.test(l)), api.log().join('\n'));
    // One workspace check, logged once (not again when the settings are first sent).
    await waitFor('the workspace check to finish', () => api.status()?.state === 'ready', 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const checks = api.log().filter((l) => /workspace check: /.test(l));
    assert.equal(checks.length, 1, api.log().join('\n'));
    assert.match(checks[0], /^\[Info\s+- [^\]]+\] workspace check: 7 Python files, 4 findings \(\d+ ms\)$/);
    const t = api.timings();
    assert.ok(t.probeMs !== null && t.probeMs < 3000, JSON.stringify(t));
  });
});
