// What a user sees and uses around the diagnostics, in a real VS Code (issue 15): the sidebar's
// rows (counts, colours, icons, the DBOS version row), the status item (this file against the
// workspace, the configuration in effect), the commands (titles, fix all in the file), the
// "ignore in this file" quick fix, the rule page's severity form, and the output channel.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeOf, codes, dbosDiags, EXT_ID, extensionApi, quickFixes, rangeOf, revert, statusItem, waitFor, type Api, type TreeNode } from './helpers';

let api: Api;
let root: vscode.Uri;

async function open(rel: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, rel));
  await vscode.window.showTextDocument(doc);
  return doc;
}

const iconOf = (item: vscode.TreeItem) => item.iconPath as vscode.ThemeIcon;

describe('What the editor shows around the diagnostics', function () {
  this.timeout(90_000);

  before(async () => {
    api = await extensionApi();
    root = vscode.workspace.workspaceFolders![0].uri;
    await waitFor('the workspace check', () => api.status()?.state === 'ready', 60_000);
  });

  it('the sidebar reads at a glance: rows with findings stand out with a count; the others show a grey check and their severity as text', async () => {
    await open('app/shop.py');
    await waitFor('shop.py checked', () => codes(vscode.Uri.joinPath(root, 'app/shop.py')).length === 3);
    await api.rules.refresh();
    const all = vscode.languages.getDiagnostics().flatMap(([, ds]) => ds).filter((d) => d.source === 'dbos');
    const count = (code: string) => all.filter((d) => codeOf(d) === code).length;
    const [header, ...cats] = await api.rules.getChildren();
    assert.equal(header.kind, 'header');
    let withFindings = 0;
    for (const cat of cats) {
      const catItem = api.rules.getTreeItem(cat);
      const catCount = cat.count!;
      assert.equal(api.rules.provideFileDecoration(catItem.resourceUri!)?.badge, catCount ? String(Math.min(catCount, 99)) : undefined, cat.category!.title);
      assert.equal(catItem.collapsibleState, catCount ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      assert.doesNotMatch(String(catItem.description), /\d/, 'no count in the faint description text');
      for (const r of await api.rules.getChildren(cat)) {
        const item = api.rules.getTreeItem(r);
        const deco = api.rules.provideFileDecoration(item.resourceUri!);
        const n = count(r.rule!.code);
        assert.equal(r.count, n, r.rule!.code);
        assert.match(String(item.description), /^(error|warning|information|hint|off)( \(default \w+\))?$/, `${r.rule!.code}: the configured severity, as text`);
        if (n) {
          withFindings++;
          assert.equal(deco?.badge, String(Math.min(n, 99)), r.rule!.code);
          assert.equal(iconOf(item).id, { error: 'error', warning: 'warning', information: 'info', hint: 'lightbulb' }[r.rule!.severity], r.rule!.code);
          assert.ok(iconOf(item).color, `${r.rule!.code}: a coloured severity icon`);
        } else {
          assert.equal(deco, undefined, `${r.rule!.code}: no badge without findings`);
          assert.ok(['pass', 'circle-slash'].includes(iconOf(item).id), `${r.rule!.code}: ${iconOf(item).id} on a row without findings`);
        }
      }
    }
    assert.ok(withFindings >= 3, `${withFindings} rules with findings`);
    // The worst severity colours a row: Lifecycle holds DBOS109 (error), Workflow DBOS201 (warning).
    // ThemeColor.id is in the typings from VS Code 1.93 on; the object has it in every version (the suite typechecks against 1.82)
    const colour = (n: TreeNode) => (api.rules.provideFileDecoration(api.rules.getTreeItem(n).resourceUri!)?.color as { id?: string } | undefined)?.id;
    assert.equal(colour(cats[0]), 'list.errorForeground');
    assert.equal(colour(cats[1]), 'list.warningForeground');
  });

  it('the status items tell this file\'s problems from the workspace\'s, and name the configuration in effect and the version', async () => {
    const total = () => vscode.languages.getDiagnostics().flatMap(([, ds]) => ds).filter((d) => d.source === 'dbos').length;
    const files = () => vscode.languages.getDiagnostics().filter(([, ds]) => ds.some((d) => d.source === 'dbos')).length;
    const item = (id: string) => statusItem(api, id) ?? { text: '', detail: '' };
    const shown = (id: string) => `${item(id).text} | ${item(id).detail}`;
    await open('app/shop.py');
    await waitFor('the status of shop.py', () => item('status').text === 'DBOS: 3 problems in this file');
    assert.equal(item('status').detail, `workspace: ${total()} problems in ${files()} files`);
    assert.equal(shown('config'), 'config: defaults | no [tool.dbos-lint], no dbosLint settings');
    assert.equal(shown('version'), 'DBOS version unknown | pin dbos or set dbosLint.targetVersion');
    // A severity set in the workspace settings is part of the configuration in effect.
    await vscode.workspace.getConfiguration('dbosLint').update('severity', { DBOS202: 'error' }, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the setting named', () => shown('config') === 'config: dbosLint.severity | dbosLint.severity in workspace settings');
    } finally {
      await vscode.workspace.getConfiguration('dbosLint').update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('back to the defaults', () => item('config').text === 'config: defaults');
    await open('other/background.py');
    await waitFor('the status of background.py', () => item('status').text === 'DBOS: 1 problem in this file');
    await waitFor('its pyproject.toml', () => shown('config') === 'config: other/pyproject.toml | [tool.dbos-lint]');
    assert.equal(shown('version'), 'DBOS 2.30 | from other/pyproject.toml');
    await open('live/pricing.py');
    await waitFor('a file without DBOS', () => shown('status') === 'DBOS: file not checked | it does not mention dbos');
    // Short lines: VS Code shows each item on one line of the hover.
    for (const i of api.health().statusItems) assert.ok(`${i.text} ${i.detail}`.length <= 90, `${i.id}: ${i.text} ${i.detail}`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('commands say what they do; toggles of the sidebar stay out of the Command Palette', async () => {
    const pkg = vscode.extensions.getExtension(EXT_ID)!.packageJSON as { contributes: { commands: { command: string; title: string }[]; menus: { commandPalette: { command: string; when: string }[] } } };
    const title = (id: string) => pkg.contributes.commands.find((c) => c.command === id)?.title;
    assert.equal(title('dbosLint.checkWorkspace'), 'Check All Files in the Workspace Now');
    assert.equal(title('dbosLint.fixAllInFile'), 'Fix All Safe Problems in This File');
    assert.equal(title('dbosLint.showRules'), 'Open the Rules Sidebar');
    assert.equal(title('dbosLint.openRule'), 'Open Rule Documentation…');
    assert.equal(title('dbosLint.restartServer'), 'Restart the Language Server');
    assert.equal(title('dbosLint.showOutput'), 'Show the Log (Output Panel)');
    const hidden = pkg.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command).sort();
    assert.deepEqual(hidden, ['dbosLint.openFinding', 'dbosLint.openVersionSource', 'dbosLint.rules.filterFindings', 'dbosLint.rules.refresh', 'dbosLint.rules.showAll', 'dbosLint.setRuleSeverity', 'dbosLint.snippetInserted']);
    // "Open the Rules Sidebar" opens it.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor('the sidebar closed', () => !api.viewVisible());
    await vscode.commands.executeCommand('dbosLint.showRules');
    await waitFor('the Rules view visible', () => api.viewVisible());
  });

  it('"DBOS: Fix All Safe Problems in This File" applies the safe fixes of the active file only', async () => {
    const doc = await open('app/shop.py');
    await waitFor('3 findings', () => dbosDiags(doc.uri).length === 3);
    const fixed = await vscode.commands.executeCommand<number>('dbosLint.fixAllInFile');
    assert.equal(fixed, 1);
    const text = doc.getText();
    assert.ok(text.indexOf('@app.get("/orders/{order_id}")') < text.indexOf('@DBOS.workflow()\ndef get_order'), text);
    await waitFor('only the findings without a safe fix left', () => codes(doc.uri).join() === 'DBOS201,DBOS202');
    assert.equal(await vscode.commands.executeCommand<number>('dbosLint.fixAllInFile'), 0, 'nothing safe left');
    await revert(doc);
  });

  it('"Ignore DBOS201 in this file" writes the ignore-file comment at the top, and the finding goes', async () => {
    const doc = await open('app/shop.py');
    await waitFor('DBOS201', () => codes(doc.uri).includes('DBOS201'));
    const action = (await quickFixes(doc, rangeOf(doc, 'random.random()'))).find((a) => a.title === 'Ignore DBOS201 in this file');
    assert.ok(action, 'no "Ignore DBOS201 in this file"');
    assert.ok(await vscode.workspace.applyEdit(action.edit!));
    assert.equal(doc.lineAt(0).text, '# dbos: ignore-file[DBOS201]');
    await waitFor('DBOS201 ignored in the file', () => codes(doc.uri).join() === 'DBOS109,DBOS202');
    await revert(doc);
  });

  it('the rule page shows "default (warning)" when nothing is configured, and keeps the scope chosen after Apply', async () => {
    await vscode.commands.executeCommand('dbosLint.openRule', 'DBOS202');
    await waitFor('the rule page', () => api.ruleView.code === 'DBOS202');
    const selected = (html: string, select: string) => {
      const body = new RegExp(`<select id="${select}">(.*?)</select>`).exec(html)![1];
      return [...body.matchAll(/<option value="([^"]+)"[^>]*?( selected)?>/g)].filter((m) => m[2]).map((m) => m[1]);
    };
    let html = api.ruleView.html!;
    assert.deepEqual(selected(html, 'level'), ['default']);
    assert.match(html, /<option value="default" selected>default \(warning\)<\/option>/);
    assert.deepEqual(selected(html, 'target'), ['user']);
    // Apply "error" to the workspace settings, as the page's button posts it.
    await api.ruleView.handleMessage({ type: 'setSeverity', level: 'error', target: 'workspace' });
    try {
      html = await waitFor('the page rendered again', () => /in effect: error/.test(api.ruleView.html ?? '') && api.ruleView.html);
      assert.deepEqual(selected(html, 'target'), ['workspace']);
      assert.deepEqual(selected(html, 'level'), ['error']);
      assert.match(html, /<option value="user" data-level="default">User settings<\/option><option value="workspace" data-level="error" selected>Workspace settings<\/option>/);
      assert.match(fs.readFileSync(path.join(root.fsPath, '.vscode', 'settings.json'), 'utf8'), /"DBOS202": "error"/);
    } finally {
      await api.ruleView.handleMessage({ type: 'setSeverity', level: 'default', target: 'workspace' });
    }
    html = await waitFor('back to the default', () => /in effect: warning/.test(api.ruleView.html ?? '') && api.ruleView.html);
    assert.deepEqual(selected(html, 'level'), ['default']);
    assert.deepEqual(selected(html, 'target'), ['workspace']);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the output channel is "DBOS Lint", as the README says', () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    // an extension installed from a .vsix has its README as readme.md (vsce renames it)
    const readme = fs.readFileSync(['README.md', 'readme.md'].map((f) => path.join(ext.extensionPath, f)).find((f) => fs.existsSync(f))!, 'utf8');
    assert.match(readme, /The \*DBOS Lint\* output channel/);
    assert.doesNotMatch(readme, /\*DBOS\* output channel/);
    assert.ok(api.log().some((l) => /dbos-lint server \d+ started/.test(l)), 'the server logs into it');
  });
});
