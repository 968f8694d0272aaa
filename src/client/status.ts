// The language status items (the `{}` in the status bar of a Python file; VS Code shows each on
// its own short line): this file's problems against the workspace's; the configuration in effect
// (the pyproject.toml and the dbosLint settings the user set, with where); the DBOS version and
// where it was read; and, only while there is one, a file over its time budget.
import * as vscode from 'vscode';
import type { StatusResult } from '../server/protocol';

/** The settings that change what is reported (the others switch checking on or off). */
const CONFIG_SETTINGS = ['severity', 'perFileIgnores', 'targetVersion', 'profile', 'maxCallDepth', 'extraNondeterministic', 'extraIo'] as const;

/** Each dbosLint setting that changes findings for a file and where it is set: `[dbosLint.severity, workspace settings]`. */
export function settingsInEffect(uri: vscode.Uri | undefined): [string, string][] {
  const cfg = vscode.workspace.getConfiguration('dbosLint', uri ?? null);
  const out: [string, string][] = [];
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
    if (where) out.push([`dbosLint.${key}`, where]);
  }
  return out;
}

/** "config: app/pyproject.toml + dbosLint.severity (workspace settings)", or "config: defaults". */
export function configText(s: StatusResult, uri: vscode.Uri | undefined): string {
  const sources = [...(s.configFile ? [vscode.workspace.asRelativePath(s.configFile)] : []), ...settingsInEffect(uri).map(([k, w]) => `${k} (${w})`)];
  return `config: ${sources.length ? sources.join(' + ') : 'defaults'}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

type Item = vscode.LanguageStatusItem;

export class StatusItem implements vscode.Disposable {
  /** This file's problems (the item the others follow). */
  readonly item: Item = make('dbosLint.status', 'DBOS Lint');
  private readonly config: Item = make('dbosLint.config', 'DBOS Lint configuration');
  private readonly version: Item = make('dbosLint.version', 'DBOS version');
  /** Only while a file is over its time budget. */
  private budget: Item | undefined;
  private last: StatusResult | undefined;
  private state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
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

  /** Every item, in the order VS Code shows them (for the e2e tests). */
  items(): { id: string; text: string; detail: string; severity: number }[] {
    return [this.item, this.config, this.version, ...(this.budget ? [this.budget] : [])].map((i) => ({ id: i.id, text: i.text, detail: i.detail ?? '', severity: i.severity }));
  }

  idle(): void {
    this.state = 'idle';
    this.main('DBOS: not started', 'starts for a file that imports dbos', { command: 'dbosLint.checkWorkspace', title: 'Check Workspace' });
    this.secondary(false);
  }

  starting(restarting = false): void {
    this.state = 'starting';
    this.main(restarting ? '$(sync~spin) DBOS: restarting' : '$(sync~spin) DBOS', restarting ? 'the server stopped unexpectedly' : 'starting the server', undefined, true);
    this.secondary(false);
  }

  stopped(why: string): void {
    this.state = 'stopped';
    this.main('DBOS: stopped', why, { command: 'dbosLint.restartServer', title: 'Restart' }, false, vscode.LanguageStatusSeverity.Error);
    this.secondary(false);
  }

  update(s: StatusResult): void {
    this.last = s;
    this.state = 'running';
    this.render();
  }

  private main(text: string, detail: string, command: vscode.Command = { command: 'dbosLint.showOutput', title: 'Show Log' }, busy = false, severity = vscode.LanguageStatusSeverity.Information): void {
    Object.assign(this.item, { text, detail, command, busy, severity });
  }

  /** The configuration and version items, blank until the server has said something. */
  private secondary(known: boolean): void {
    if (known) return;
    Object.assign(this.config, { text: 'config', detail: '', command: undefined, severity: vscode.LanguageStatusSeverity.Information });
    Object.assign(this.version, { text: 'DBOS version', detail: '', command: undefined });
    this.budget?.dispose();
    this.budget = undefined;
  }

  private render(): void {
    const s = this.last;
    if (!s) return;
    const doc = activePython();
    const workspace = `workspace: ${plural(s.findings, 'problem')}${s.filesWithFindings ? ` in ${plural(s.filesWithFindings, 'file')}` : ''}${s.state === 'scanning' ? ' so far' : ''}`;
    if (!s.enabled) this.main('DBOS: off', 'dbosLint.enable is false here');
    else if (doc && s.fileChecked === false) this.main('DBOS: file not checked', 'it does not mention dbos');
    else if (doc) {
      const n = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'dbos').length;
      this.main(n ? `DBOS: ${plural(n, 'problem')} in this file` : 'DBOS: no problems in this file', workspace);
    } else this.main(`DBOS: ${plural(s.findings, 'problem')}`, 'in the workspace');
    this.item.busy = s.state !== 'ready';
    // A failure of the server itself (a handler that threw, a file it could not read): it went on,
    // but something may be missing; the log has the details.
    if (s.errors.length) {
      this.item.detail = `${this.item.detail} · server error: ${s.errors[0]}${s.errors.length > 1 ? ` (+${s.errors.length - 1} more)` : ''}`;
      this.item.severity = vscode.LanguageStatusSeverity.Warning;
    }

    // Configuration: the pyproject.toml, then each setting the user set (where in the detail).
    const settings = settingsInEffect(doc?.uri);
    const sources = [...(s.configFile ? [vscode.workspace.asRelativePath(s.configFile)] : []), ...settings.map(([k]) => k)];
    Object.assign(this.config, {
      text: `config: ${sources.length ? sources.join(' + ') : 'defaults'}`,
      detail: s.configErrors.length ? s.configErrors[0] : settings.length ? settings.map(([k, w]) => `${k} in ${w}`).join(', ') : s.configFile ? '[tool.dbos-lint]' : 'no [tool.dbos-lint], no dbosLint settings',
      severity: s.configErrors.length ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information,
      command: s.configFile
        ? { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(s.configFile)] }
        : { command: 'workbench.action.openSettings', title: 'Settings', arguments: ['dbosLint'] },
    });

    const from = s.versionSource === 'setting' ? 'dbosLint.targetVersion' : s.versionSource ? vscode.workspace.asRelativePath(s.versionSource) : null;
    Object.assign(this.version, {
      text: s.dbosVersion ? `DBOS ${s.dbosVersion}` : 'DBOS version unknown',
      detail: from ? `from ${from}` : 'pin dbos or set dbosLint.targetVersion',
      command: { command: 'dbosLint.openVersionSource', title: from && s.versionSource !== 'setting' ? 'Open' : 'Settings', arguments: [s.versionSource] },
    });

    if (s.slowFiles.length) {
      const f = s.slowFiles[0];
      this.budget ??= make('dbosLint.budget', 'DBOS Lint time budget');
      const more = s.slowFiles.length > 1 ? ` (+${s.slowFiles.length - 1} more)` : '';
      Object.assign(this.budget, {
        text: `over the time budget: ${vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri))}`,
        detail: `${f.ms} ms > ${f.budgetMs} ms${f.stopped ? ', rules skipped' : ''}${more}`,
        severity: vscode.LanguageStatusSeverity.Warning,
        command: { command: 'dbosLint.showOutput', title: 'Show Log' },
      });
    } else {
      this.budget?.dispose();
      this.budget = undefined;
    }
  }

  dispose(): void {
    for (const i of [this.item, this.config, this.version, this.budget]) i?.dispose();
    for (const d of this.subs) d.dispose();
  }
}

function make(id: string, name: string): Item {
  const item = vscode.languages.createLanguageStatusItem(id, { language: 'python' });
  item.name = name;
  return item;
}

/** The document of the active editor when it is Python. */
export function activePython(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'python' ? doc : undefined;
}
