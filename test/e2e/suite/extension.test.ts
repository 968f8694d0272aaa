// Runs inside a real VS Code extension host (code-server via test/e2e/run.js, or Electron via
// test/e2e/electron.js) against a copy of test/e2e/workspace.
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeOf, dbosDiags, EXT_ID, quickFixes, rangeOf, revert, waitFor, type Api, type TreeNode } from './helpers';

let api: Api;
let root: vscode.Uri;

/** Python's own parser decides whether a text is valid Python. */
function assertValidPython(text: string): void {
  const r = cp.spawnSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `not valid Python:\n${r.stderr}\n---\n${text}`);
}

async function openFile(rel: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, rel));
  await vscode.window.showTextDocument(doc);
  return doc;
}

async function treeItems(nodes: TreeNode[]): Promise<vscode.TreeItem[]> {
  return Promise.all(nodes.map((n) => api.rules.getTreeItem(n)));
}

describe('DBOS Lint in a real VS Code', function () {
  this.timeout(60_000);

  before(async () => {
    const ext = vscode.extensions.getExtension<Api>(EXT_ID);
    assert.ok(ext, `${EXT_ID} not loaded`);
    api = await ext.activate();
    await api.ready;
    root = vscode.workspace.workspaceFolders![0].uri;
  });

  after(async () => {
    await vscode.workspace.getConfiguration('dbosLint').update('severity', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('runs the extension in a VS Code that engines.vscode accepts (1.82 or newer) with the server started', () => {
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major > 1 || (major === 1 && minor >= 82), vscode.version);
    // the harness runs code-server 4.139.1 (VS Code 1.139) and, for the .vsix, also 4.17.1 (VS Code 1.82)
    if (process.env.E2E_EXPECT_VSCODE) assert.ok(vscode.version.startsWith(process.env.E2E_EXPECT_VSCODE + '.'), `${vscode.version}, expected ${process.env.E2E_EXPECT_VSCODE}`);
    assert.ok(vscode.extensions.getExtension(EXT_ID)!.isActive);
  });

  it('reports diagnostics on a DBOS app with codes, ranges, links and source', async () => {
    const doc = await openFile('app/shop.py');
    const diags = await waitFor('3 diagnostics on shop.py', () => {
      const d = dbosDiags(doc.uri);
      return d.length >= 3 && d;
    });
    const byCode = new Map(diags.map((d) => [codeOf(d), d]));
    assert.deepEqual([...byCode.keys()].sort(), ['DBOS109', 'DBOS201', 'DBOS202']);
    const d201 = byCode.get('DBOS201')!;
    assert.ok(d201.range.isEqual(rangeOf(doc, 'random.random()')), `DBOS201 range ${JSON.stringify(d201.range)}`);
    assert.equal(d201.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d201.message, /random\.random\(\)/);
    assert.equal(typeof d201.code === 'object' && d201.code.target.toString(), 'https://docs.dbos.dev/python/tutorials/workflow-tutorial');
    assert.ok(byCode.get('DBOS202')!.range.isEqual(rangeOf(doc, 'requests.get("https://example.com/notify")')));
    const d109 = byCode.get('DBOS109')!;
    assert.equal(d109.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d109.range.start.line, rangeOf(doc, '@app.get("/orders/{order_id}")').start.line);
  });

  it('checks workspace files that are not open (workspace diagnostics), honouring their pyproject.toml', async () => {
    const uri = vscode.Uri.joinPath(root, 'other/background.py');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()));
    const diags = await waitFor('DBOS201 in background.py', () => {
      const d = dbosDiags(uri);
      return d.length === 1 && d;
    });
    assert.equal(codeOf(diags[0]), 'DBOS201');
    // other/pyproject.toml raises DBOS201 to error for that folder only.
    assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(dbosDiags(vscode.Uri.joinPath(root, 'other/clean.py')).length, 0);
  });

  it('offers every fix, ignore and show-rule as quick fixes; "wrap in a step" removes the finding and leaves valid Python', async () => {
    const doc = await openFile('app/shop.py');
    const range = rangeOf(doc, 'random.random()');
    const actions = await quickFixes(doc, range);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore DBOS201 on this line'), titles.join(' | '));
    assert.ok(titles.includes('Show rule DBOS201'), titles.join(' | '));
    const wrap = actions.find((a) => a.title.startsWith('Wrap in a step'));
    assert.ok(wrap, `no wrap-in-step among ${titles.join(' | ')}`);
    assert.equal(wrap.isPreferred, true);
    assert.equal(wrap.kind?.value, 'quickfix');
    assert.ok(await vscode.workspace.applyEdit(wrap.edit!));
    await waitFor('DBOS201 gone after the fix', () => dbosDiags(doc.uri).length === 2 && !dbosDiags(doc.uri).some((d) => codeOf(d) === 'DBOS201'));
    assert.match(doc.getText(), /DBOS\.run_step\(/);
    assertValidPython(doc.getText());
    await revert(doc);
    await waitFor('DBOS201 back after revert', () => dbosDiags(doc.uri).some((d) => codeOf(d) === 'DBOS201'));
  });

  it('"Ignore DBOS202 on this line" adds a suppression comment that silences it', async () => {
    const doc = await openFile('app/shop.py');
    const ignore = (await quickFixes(doc, rangeOf(doc, 'requests.get'))).find((a) => a.title === 'Ignore DBOS202 on this line');
    assert.ok(ignore);
    assert.ok(await vscode.workspace.applyEdit(ignore.edit!));
    assert.match(doc.getText(), /# dbos: ignore\[DBOS202\]/);
    await waitFor('DBOS202 suppressed', () => !dbosDiags(doc.uri).some((d) => codeOf(d) === 'DBOS202'));
    assertValidPython(doc.getText());
    await revert(doc);
  });

  it('fix-all (source.fixAll.dbos) applies only the safe fixes', async () => {
    const doc = await openFile('app/shop.py');
    await waitFor('3 findings', () => dbosDiags(doc.uri).length === 3);
    const full = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions = await quickFixes(doc, full, 'source.fixAll.dbos');
    assert.equal(actions.length, 1, actions.map((a) => a.title).join(' | '));
    assert.equal(actions[0].kind?.value, 'source.fixAll.dbos');
    assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
    const text = doc.getText();
    // DBOS109 (swap decorators) is safe; DBOS201/DBOS202 (wrap in a step) are not.
    assert.ok(text.indexOf('@app.get("/orders/{order_id}")') < text.indexOf('@DBOS.workflow()\ndef get_order'), text);
    assert.doesNotMatch(text, /run_step/);
    assertValidPython(text);
    await waitFor('only the unsafe findings left', () => {
      const codes = dbosDiags(doc.uri).map(codeOf).sort();
      return codes.join() === 'DBOS201,DBOS202';
    });
    await revert(doc);
  });

  it('a snippet chosen in the completion list adds the imports it needs, and the file is then checked and clean', async () => {
    const file = vscode.Uri.joinPath(root, 'app/snippet_check.py');
    fs.writeFileSync(file.fsPath, 'import os\n\n\n');
    try {
      const doc = await openFile('app/snippet_check.py');
      const editor = vscode.window.activeTextEditor!;
      editor.selection = new vscode.Selection(3, 0, 3, 0);
      await vscode.commands.executeCommand('type', { text: 'dbos-queue' });
      // All 41 snippets are offered by the language server.
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(3, 10));
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)).filter((l) => l.startsWith('dbos-'));
      assert.equal(labels.length, 41, labels.join(' '));
      // Chosen in the suggest widget, as a user does: the snippet, then the import it needs.
      await vscode.commands.executeCommand('editor.action.triggerSuggest');
      await new Promise((r) => setTimeout(r, 1500));
      await vscode.commands.executeCommand('acceptSelectedSuggestion');
      await waitFor('the snippet and its import', () => doc.getText().startsWith('import os\nfrom dbos import DBOS\n\n\ndef register_queues() -> None:\n'), 10_000);
      await vscode.commands.executeCommand('leaveSnippet');
      assert.doesNotMatch(doc.getText(), /dbos-queue/);
      assertValidPython(doc.getText());
      // It imports dbos now, so it is checked, and the snippet leaves nothing to report.
      await waitFor('the file checked', () => api.status()?.fileChecked === true);
      assert.deepEqual(dbosDiags(doc.uri), []);
      await doc.save(); // the editor keeps closed documents for a while: leave a clean one behind
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(file.fsPath, { force: true });
    }
    await waitFor('no diagnostics left for the deleted file', () => dbosDiags(file).length === 0);
  });

  it('hovering a code in a "# dbos: ignore[...]" comment shows the rule', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'from dbos import DBOS\nx = 1  # dbos: ignore[DBOS201]\n' });
    const pos = new vscode.Position(1, doc.lineAt(1).text.indexOf('DBOS201') + 2);
    const hovers = await waitFor<vscode.Hover[]>('hover', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
      return h && h.length > 0 ? h : undefined;
    });
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /DBOS201/);
    assert.match(text, /Non-deterministic call in a workflow/);
  });

  it('the sidebar lists the 9 categories in priority order with live counts', async () => {
    // With E2E_BULK_LINES, the workspace also holds bulk/ (copies of real DBOS code): the fixed
    // numbers are those of the test files; the sidebar's must match all diagnostics.
    const allDiags = (withBulk = true) =>
      vscode.languages
        .getDiagnostics()
        .filter(([u]) => withBulk || !u.path.includes('/bulk/'))
        .flatMap(([, ds]) => ds)
        .filter((d) => d.source === 'dbos');
    await waitFor('diagnostics settle', () => allDiags(false).length === 4); // shop.py 3 + background.py 1
    await waitFor('the workspace check to finish', () => api.status()?.state === 'ready', 120_000);
    await api.rules.refresh();
    const [header, ...cats] = await api.rules.getChildren();
    assert.equal(header.kind, 'header');
    const items = await treeItems(cats);
    assert.deepEqual(
      items.map((i) => i.label),
      ['1. Lifecycle', '2. Workflow', '3. Step', '4. Queue', '5. Communication', '6. Pattern', '7. Testing', '8. Client', '9. Advanced'],
    );
    assert.deepEqual(
      items.map((i) => String(i.description).split(' · ')[0]),
      ['CRITICAL', 'CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'LOW-MEDIUM', 'MEDIUM', 'LOW'],
    );
    const expected = new Map<string, number>();
    for (const d of allDiags()) expected.set(codeOf(d)[4], (expected.get(codeOf(d)[4]) ?? 0) + 1);
    cats.forEach((c) => assert.equal(c.count, expected.get(String(c.category!.priority)) ?? 0, c.category!.title));
    const bulk = allDiags().length - allDiags(false).length;
    if (!bulk) {
      assert.equal(cats[0].count, 1); // DBOS109
      assert.equal(cats[1].count, 3); // DBOS201 x2, DBOS202
    }
    const rules = await api.rules.getChildren(cats[1]);
    const r201 = rules.find((r) => r.rule!.code === 'DBOS201')!;
    const n201 = allDiags().filter((d) => codeOf(d) === 'DBOS201').length;
    assert.equal(r201.count, n201);
    if (!bulk) assert.equal(n201, 2);
    const ruleItem = (await treeItems([r201]))[0];
    // The configured severity as text, the count as the row's badge.
    assert.equal(ruleItem.description, 'warning');
    assert.equal(api.rules.provideFileDecoration(ruleItem.resourceUri!)?.badge, String(n201));
    assert.equal(ruleItem.command?.command, 'dbosLint.openRule');
    const findings = await api.rules.getChildren(r201);
    assert.deepEqual(
      findings
        .map((f) => vscode.Uri.parse(f.finding!.uri).path)
        .filter((p) => !p.includes('/bulk/'))
        .map((p) => path.basename(p))
        .sort(),
      ['background.py', 'shop.py'],
    );
    assert.equal((await treeItems(findings))[0].command?.command, 'dbosLint.openFinding');
    assert.ok((api.status()?.findings ?? 0) >= 4);
  });

  it('opens the rule view with its documentation under a strict CSP', async () => {
    await vscode.commands.executeCommand('dbosLint.openRule', 'DBOS201');
    await waitFor('rule view', () => api.ruleView.code === 'DBOS201');
    const html = api.ruleView.html!;
    // Nonce-based CSP, nothing loaded from anywhere: only the inline style and script with the nonce.
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    const nonce = /'nonce-([A-Za-z0-9+/=]{16,})'/.exec(csp)![1];
    assert.equal(csp, `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none';`);
    const tags = html.match(/<(script|style)\b[^>]*>/g)!;
    assert.deepEqual(tags, [`<style nonce="${nonce}">`, `<script nonce="${nonce}">`]);
    assert.doesNotMatch(html, /\b(src|href)\s*=|url\(|@import|https?:\/\/(?!docs\.dbos\.dev)/i);
    await vscode.commands.executeCommand('dbosLint.openRule', 'DBOS202');
    await waitFor('rule view DBOS202', () => api.ruleView.code === 'DBOS202');
    assert.notEqual(/'nonce-([^']+)'/.exec(api.ruleView.html!)![1], nonce, 'a new nonce per render');
    await vscode.commands.executeCommand('dbosLint.openRule', 'DBOS201');
    await waitFor('rule view DBOS201 again', () => api.ruleView.code === 'DBOS201');
    assert.match(html, /What it checks/);
    assert.match(html, /<pre class="bad">/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('changing a rule severity in settings changes the diagnostic (and "off" removes it)', async () => {
    const doc = await openFile('app/shop.py');
    const sev201 = () => dbosDiags(doc.uri).find((d) => codeOf(d) === 'DBOS201')?.severity;
    await waitFor('DBOS201 warning', () => sev201() === vscode.DiagnosticSeverity.Warning);
    await api.setRuleSeverity('DBOS201', 'error', 'workspace');
    await waitFor('DBOS201 error', () => sev201() === vscode.DiagnosticSeverity.Error);
    const settingsFile = path.join(root.fsPath, '.vscode', 'settings.json');
    assert.match(fs.readFileSync(settingsFile, 'utf8'), /"DBOS201": "error"/);
    await api.rules.refresh();
    const wf = (await api.rules.getChildren())[2];
    assert.equal((await api.rules.getChildren(wf)).find((r) => r.rule!.code === 'DBOS201')!.rule!.severity, 'error');
    await api.setRuleSeverity('DBOS201', 'off', 'workspace');
    await waitFor('DBOS201 off', () => sev201() === undefined && dbosDiags(doc.uri).length === 2);
    await api.setRuleSeverity('DBOS201', 'default', 'workspace');
    await waitFor('DBOS201 back to warning', () => sev201() === vscode.DiagnosticSeverity.Warning);
  });

  it('per-file ignores from settings turn a rule off by glob', async () => {
    const doc = await openFile('app/shop.py');
    const cfg = vscode.workspace.getConfiguration('dbosLint');
    await cfg.update('perFileIgnores', { 'app/*.py': ['DBOS202'] }, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('DBOS202 ignored in app/', () => dbosDiags(doc.uri).length === 2 && !dbosDiags(doc.uri).some((d) => codeOf(d) === 'DBOS202'));
    } finally {
      await cfg.update('perFileIgnores', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('DBOS202 back', () => dbosDiags(doc.uri).some((d) => codeOf(d) === 'DBOS202'));
  });

  it('registers the DBOS commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['dbosLint.checkWorkspace', 'dbosLint.fixAllInFile', 'dbosLint.showRules', 'dbosLint.openRule', 'dbosLint.restartServer', 'dbosLint.showOutput']) assert.ok(all.includes(c), c);
    const s = await vscode.commands.executeCommand<{ findings: number; filesChecked: number }>('dbosLint.checkWorkspace');
    assert.ok(s.findings >= 4 && s.filesChecked >= 3, JSON.stringify(s));
  });
});
