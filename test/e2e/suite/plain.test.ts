// A Python workspace without DBOS (test/e2e/workspace-plain): the extension activates for its
// Python files, reads a few of them, finds no dbos, and starts nothing: no language server
// process, no background check. Opening a Python file starts the server (a user may be about to
// write DBOS code), which checks nothing in a file without dbos.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { dbosDiags, EXT_ID, waitFor, type Api } from './helpers';

describe('A Python workspace without DBOS', function () {
  this.timeout(90_000);

  it('starts no language server until a Python file is opened', async () => {
    const ext = vscode.extensions.getExtension<Api>(EXT_ID)!;
    await waitFor('the extension to activate by itself', () => ext.isActive, 60_000);
    const api = ext.exports;
    const looked = await waitFor('the look for dbos', () => api.log().find((l) => /No file of the workspace imports dbos/.test(l)), 30_000);
    assert.match(looked, /No file of the workspace imports dbos \(\d+ files read in \d+ ms\): the language server starts when a Python file is opened\.$/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(api.startReason(), '');
    assert.equal(api.client(), undefined);
    assert.deepEqual(await api.rules.getChildren(), [], 'the Rules view shows its welcome text');
    // Opening a Python file starts it; the file has no dbos, so nothing is reported.
    const root = vscode.workspace.workspaceFolders![0].uri;
    const tool = vscode.Uri.joinPath(root, 'pkg', 'tool.py');
    await vscode.window.showTextDocument(tool);
    await waitFor('the server', () => api.client()?.isRunning(), 30_000);
    assert.equal(api.startReason(), 'pkg/tool.py was opened');
    await waitFor('the status item', () => api.health().statusText === 'DBOS: file not checked', 20_000);
    assert.deepEqual(dbosDiags(tool), []);
  });
});
