// The language status item (the `{}` in the status bar of a Python file): this file's problems as
// the text, then the workspace's, the configuration in effect (pyproject.toml and the dbosLint
// settings the user set, with where), the DBOS version and any file over its time budget.
import * as vscode from 'vscode';
import type { StatusResult } from '../server/protocol';

/** The settings that change what is reported (the others switch checking on or off). */
const CONFIG_SETTINGS = ['severity', 'perFileIgnores', 'targetVersion', 'profile', 'maxCallDepth', 'extraNondeterministic', 'extraIo'] as const;

/** Where each dbosLint setting that changes findings is set for a file, e.g. `dbosLint.severity (workspace settings)`. */
export function settingsInEffect(uri: vscode.Uri | undefined): string[] {
  const cfg = vscode.workspace.getConfiguration('dbosLint', uri);
  const out: string[] = [];
  for (const key of CONFIG_SETTINGS) {
    const i = cfg.inspect(key);
    if (!i) continue;
    const isDefault = (v: unknown) => v === undefined || JSON.stringify(v) === JSON.stringify(i.defaultValue);
    const where = !isDefault(i.workspaceFolderValue)
      ? 'folder settings'
      : !isDefault(i.workspaceValue)
        ? 'workspace settings'
        : !isDefault(i.globalValue)
          ? 'user settings'
          : null;
    if (where) out.push(`dbosLint.${key} (${where})`);
  }
  return out;
}

/** "config: app/pyproject.toml + dbosLint.severity (workspace settings)", or "config: defaults". */
export function configText(s: StatusResult, uri: vscode.Uri | undefined): string {
  const sources = [...(s.configFile ? [vscode.workspace.asRelativePath(s.configFile)] : []), ...settingsInEffect(uri)];
  return `config: ${sources.length ? sources.join(' + ') : 'defaults'}`;
}

export function versionText(s: StatusResult): string {
  if (!s.dbosVersion) return 'DBOS version unknown';
  const from = s.versionSource === 'setting' ? 'dbosLint.targetVersion' : s.versionSource ? vscode.workspace.asRelativePath(s.versionSource) : null;
  return `DBOS ${s.dbosVersion}${from ? ` (${from})` : ''}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class StatusItem implements vscode.Disposable {
  readonly item = vscode.languages.createLanguageStatusItem('dbosLint.status', { language: 'python' });
  private last: StatusResult | undefined;
  private state: 'idle' | 'starting' | 'running' | 'restarting' | 'stopped' = 'idle';
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.item.name = 'DBOS Lint';
    this.idle();
    // This file's count follows its diagnostics (what the squiggles show), without asking the server.
    this.subs.push(
      vscode.languages.onDidChangeDiagnostics((e) => {
        const doc = activePython();
        if (doc && this.state === 'running' && e.uris.some((u) => u.toString() === doc.uri.toString())) this.render();
      }),
    );
  }

  get status(): StatusResult | undefined {
    return this.last;
  }

  idle(): void {
    this.state = 'idle';
    this.item.busy = false;
    this.item.text = 'DBOS: not started';
    this.item.detail = 'Starts when a file of this workspace imports dbos, or with "DBOS: Check All Files in the Workspace Now"';
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    this.item.command = { command: 'dbosLint.checkWorkspace', title: 'Check Workspace' };
  }

  starting(restarting = false): void {
    this.state = restarting ? 'restarting' : 'starting';
    this.item.busy = true;
    this.item.text = restarting ? '$(sync~spin) DBOS: restarting' : '$(sync~spin) DBOS';
    this.item.detail = restarting ? 'The language server stopped unexpectedly and is being restarted' : 'Starting the language server';
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    this.item.command = { command: 'dbosLint.showOutput', title: 'Show Log' };
  }

  stopped(why: string): void {
    this.state = 'stopped';
    this.item.busy = false;
    this.item.text = 'DBOS: stopped';
    this.item.detail = why;
    this.item.severity = vscode.LanguageStatusSeverity.Error;
    this.item.command = { command: 'dbosLint.restartServer', title: 'Restart' };
  }

  update(s: StatusResult): void {
    this.last = s;
    this.state = 'running';
    this.render();
  }

  private render(): void {
    const s = this.last;
    if (!s) return;
    const doc = activePython();
    const it = this.item;
    it.busy = s.state !== 'ready';
    it.command = { command: 'dbosLint.showOutput', title: 'Show Log' };
    const workspace = `workspace: ${plural(s.findings, 'problem')}${s.filesWithFindings ? ` in ${plural(s.filesWithFindings, 'file')}` : ''}`;
    const parts: string[] = [];
    if (!s.enabled) {
      it.text = 'DBOS: off';
      parts.push('dbosLint.enable is false here');
    } else if (doc && s.fileChecked === false) {
      it.text = 'DBOS: file not checked';
      parts.push('it does not mention dbos', workspace);
    } else if (doc) {
      const n = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'dbos').length;
      it.text = n ? `DBOS: ${plural(n, 'problem')} in this file` : 'DBOS: no problems in this file';
      parts.push(workspace);
    } else {
      it.text = `DBOS: ${plural(s.findings, 'problem')} in the workspace`;
    }
    parts.push(configText(s, doc?.uri), versionText(s));
    if (s.state === 'scanning') parts.push('checking the workspace…');
    if (s.slowFiles.length) {
      const f = s.slowFiles[0];
      const more = s.slowFiles.length > 1 ? ` (+${s.slowFiles.length - 1} more)` : '';
      parts.push(`over the time budget: ${vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri))} ${f.ms} ms > ${f.budgetMs} ms${f.stopped ? ', rules skipped' : ''}${more}`);
    }
    if (s.configErrors.length) parts.push(`config error: ${s.configErrors[0]}`);
    it.detail = parts.join(' · ');
    it.severity = s.configErrors.length || s.slowFiles.length ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.subs) d.dispose();
  }
}

/** The document of the active editor when it is Python. */
export function activePython(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'python' ? doc : undefined;
}
