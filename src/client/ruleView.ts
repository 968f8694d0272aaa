// The rule detail view: what/why/bad/good/fixes, a link to the DBOS docs, and buttons that change
// the rule's severity in user or workspace settings. Strict CSP with a nonce; theme colours only.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import type { RuleDocsResult } from '../server/protocol';

const LEVELS = ['default', 'error', 'warning', 'information', 'hint', 'off'] as const;

export type SettingsTarget = 'user' | 'workspace';

/** The severity a settings scope gives a rule ('default' when that scope does not set it). */
export function configuredSeverity(code: string, where: SettingsTarget): string {
  const i = vscode.workspace.getConfiguration('dbosLint', null).inspect<Record<string, string>>('severity');
  const value = (where === 'workspace' ? i?.workspaceValue : i?.globalValue) ?? {};
  const found = Object.entries(value).find(([k]) => k.toUpperCase() === code);
  return found && (LEVELS as readonly string[]).includes(found[1]) ? found[1] : 'default';
}

export class RuleView {
  private panel: vscode.WebviewPanel | undefined;
  private current: RuleDocsResult | undefined;
  /** The settings scope last chosen on the page, kept across renders (and rules). */
  private target: SettingsTarget = 'user';

  constructor(private readonly fetchDocs: (code: string) => Promise<RuleDocsResult | null>) {}

  get code(): string | undefined {
    return this.panel ? this.current?.code : undefined;
  }

  /** The HTML last rendered (for tests). */
  get html(): string | undefined {
    return this.panel?.webview.html;
  }

  async show(code: string): Promise<void> {
    const docs = await this.fetchDocs(code);
    if (!docs) {
      void vscode.window.showWarningMessage(`DBOS Lint: unknown rule ${code}`);
      return;
    }
    this.current = docs;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('dbosLint.rule', docs.code, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [] });
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m) => this.handleMessage(m));
    }
    this.panel.title = `${docs.code} ${docs.name}`;
    const hasWorkspace = !!vscode.workspace.workspaceFolders?.length;
    if (!hasWorkspace) this.target = 'user';
    this.panel.webview.html = render(docs, {
      target: this.target,
      hasWorkspace,
      configured: { user: configuredSeverity(docs.code, 'user'), workspace: configuredSeverity(docs.code, 'workspace') },
    });
    this.panel.reveal(undefined, true);
  }

  /** Re-renders after a settings change, keeping the same rule. */
  async refresh(): Promise<void> {
    if (this.panel && this.current) await this.show(this.current.code);
  }

  /** A message from the page (public for the e2e tests, which cannot click inside the webview). */
  async handleMessage(m: { type: string; level?: string; target?: string }): Promise<void> {
    const docs = this.current;
    if (!docs) return;
    if (m.target === 'user' || m.target === 'workspace') this.target = m.target;
    if (m.type === 'openDocs') {
      await vscode.env.openExternal(vscode.Uri.parse(docs.docsUrl));
    } else if (m.type === 'setSeverity' && m.level && (LEVELS as readonly string[]).includes(m.level)) {
      await setRuleSeverity(docs.code, m.level, this.target);
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

/** Writes dbosLint.severity[code] (or removes it for 'default') in user or workspace settings. */
export async function setRuleSeverity(code: string, level: string, where: SettingsTarget): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('dbosLint');
  const target = where === 'workspace' && vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const inspected = cfg.inspect<Record<string, string>>('severity');
  const cur = { ...((target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? {}) };
  if (level === 'default') delete cur[code];
  else cur[code] = level;
  await cfg.update('severity', Object.keys(cur).length ? cur : undefined, target);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Minimal Markdown for the prose sections: paragraphs, `code`, **bold**, lists, code blocks. */
function prose(md: string): string {
  if (!md.trim()) return '<p class="muted">—</p>';
  const out: string[] = [];
  const blocks = md.split(/\n{2,}/);
  for (const b of blocks) {
    const fence = /^```\w*\n([\s\S]*?)\n?```$/.exec(b.trim());
    if (fence) {
      out.push(`<pre><code>${esc(fence[1])}</code></pre>`);
      continue;
    }
    const inline = (t: string) =>
      esc(t)
        .replace(/`([^`]+)`/g, '<code>$1</code>')
        .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
    const lines = b.split('\n');
    if (lines.every((l) => /^\s*[-*] /.test(l))) out.push(`<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`);
    else out.push(`<p>${inline(b.replace(/\n/g, ' '))}</p>`);
  }
  return out.join('\n');
}

/**
 * The page: everything inline under a per-render nonce, no resource of any origin (no images, fonts
 * or remote links; the docs link goes through the extension, which opens it in the browser).
 */
export interface PageSettings {
  /** The scope the page writes to. */
  target: SettingsTarget;
  hasWorkspace: boolean;
  /** What each scope sets for the rule ('default': nothing). */
  configured: Record<SettingsTarget, string>;
}

export function render(d: RuleDocsResult, page: PageSettings): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  // The level shown is the one the chosen scope sets: "default (warning)" when it sets none.
  const shown = page.configured[page.target];
  const options = LEVELS.map((l) => `<option value="${l}"${l === shown ? ' selected' : ''}>${l === 'default' ? `default (${esc(d.defaultSeverity)})` : l}</option>`).join('');
  const targets = (['user', 'workspace'] as const)
    .filter((t) => t === 'user' || page.hasWorkspace)
    .map((t) => `<option value="${t}" data-level="${esc(page.configured[t])}"${t === page.target ? ' selected' : ''}>${t === 'user' ? 'User settings' : 'Workspace settings'}</option>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(d.code)}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 24px; line-height: 1.5; }
  h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 4px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 6px; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: 4px; }
  .meta { color: var(--vscode-descriptionForeground); }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); font-size: 0.85em; margin-right: 6px; }
  .sev-error { background: var(--vscode-editorError-foreground); color: var(--vscode-editor-background); }
  .sev-warning { background: var(--vscode-editorWarning-foreground); color: var(--vscode-editor-background); }
  .sev-information { background: var(--vscode-editorInfo-foreground); color: var(--vscode-editor-background); }
  pre { background: var(--vscode-textCodeBlock-background); padding: 10px 12px; overflow-x: auto; border-radius: 4px; border-left: 3px solid var(--vscode-panel-border); }
  pre.bad { border-left-color: var(--vscode-editorError-foreground); }
  pre.good { border-left-color: var(--vscode-testing-iconPassed, var(--vscode-editorInfo-foreground)); }
  code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  p code, li code { background: var(--vscode-textCodeBlock-background); padding: 0 3px; border-radius: 3px; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 12px 0; padding: 10px; background: var(--vscode-sideBar-background); border: 1px solid var(--vscode-panel-border); border-radius: 4px; }
  select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border); padding: 3px; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; border-radius: 2px; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
  .muted { color: var(--vscode-descriptionForeground); }
  a { color: var(--vscode-textLink-foreground); cursor: pointer; }
</style>
</head>
<body>
<h1>${esc(d.code)} · ${esc(d.title)}</h1>
<div class="meta"><span class="badge">${esc(d.category)} · ${esc(d.impact)}</span><span class="badge sev-${esc(d.severity)}" title="The severity in effect, settings and pyproject.toml applied">in effect: ${esc(d.severity)}</span>${d.implemented ? '' : '<span class="badge">planned</span>'}<span>${esc(d.name)}</span></div>
<div class="actions">
  <label for="level">Severity</label>
  <select id="level">${options}</select>
  <label for="target">in</label>
  <select id="target">${targets}</select>
  <button id="apply">Apply</button>
  <button id="off" class="secondary">Turn off</button>
  <a id="docs" role="link" tabindex="0">DBOS documentation ↗</a>
</div>
<h2>What it checks</h2>
${prose(d.what)}
<h2>Why it matters</h2>
${prose(d.why)}
<h2>Bad</h2>
<pre class="bad"><code>${esc(d.bad || '—')}</code></pre>
<h2>Good</h2>
<pre class="good"><code>${esc(d.good || '—')}</code></pre>
<h2>Fixes</h2>
${prose(d.fixes)}
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  $('apply').addEventListener('click', () => vscode.postMessage({ type: 'setSeverity', level: $('level').value, target: $('target').value }));
  $('off').addEventListener('click', () => vscode.postMessage({ type: 'setSeverity', level: 'off', target: $('target').value }));
  // Switching the scope shows what that scope sets for the rule.
  $('target').addEventListener('change', () => {
    $('level').value = $('target').selectedOptions[0].dataset.level;
  });
  $('docs').addEventListener('click', () => vscode.postMessage({ type: 'openDocs' }));
</script>
</body>
</html>`;
}
