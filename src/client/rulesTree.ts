// The "Rules" sidebar: first a row with the DBOS version the checks assume (the view's own title
// line is hidden when its container holds one view), then the categories in priority order, rules
// with their configured severity, findings as children. A rule or category with findings stands
// out: a count badge at the right of its row and its name in the colour of its severity (a file
// decoration on the row's resource URI), a coloured severity icon; a rule without findings shows a
// plain check mark and its configured severity as grey text. All data comes from the language server.
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { Requests, type CatalogCategory, type CatalogResult, type CatalogRule, type FindingInfo } from '../server/protocol';

export type RuleTreeNode =
  | { kind: 'header' }
  | { kind: 'category'; category: CatalogCategory; count: number }
  | { kind: 'rule'; rule: CatalogRule; count: number; category: CatalogCategory }
  | { kind: 'finding'; finding: FindingInfo; rule: CatalogRule }
  | { kind: 'message'; text: string };

/** What the header row shows: the DBOS version for the active file's project and where it comes from. */
export interface VersionInfo {
  version: string | null;
  /** `setting` (dbosLint.targetVersion), a file path (pyproject.toml, uv.lock...), or null. */
  source: string | null;
  /** The configuration in effect, for the tooltip. */
  config: string;
}

const SEVERITY_ICON: Record<string, string> = {
  error: 'error',
  warning: 'warning',
  information: 'info',
  hint: 'lightbulb',
};

/** Icon colours: the Problems panel's own. */
const SEVERITY_ICON_COLOR: Record<string, string> = {
  error: 'problemsErrorIcon.foreground',
  warning: 'problemsWarningIcon.foreground',
  information: 'problemsInfoIcon.foreground',
  hint: 'problemsInfoIcon.foreground',
};

/** Label colours of rows with findings: the explorer's colours for files with errors and warnings. */
const SEVERITY_LABEL_COLOR: Record<string, string | undefined> = {
  error: 'list.errorForeground',
  warning: 'list.warningForeground',
  information: undefined,
  hint: undefined,
};

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, information: 2, hint: 3, off: 4 };

/** One codicon per category, so that the nine read apart at a glance. */
const CATEGORY_ICON: Record<string, string> = {
  lifecycle: 'rocket',
  workflow: 'type-hierarchy-sub',
  step: 'debug-step-over',
  queue: 'list-ordered',
  communication: 'mail',
  pattern: 'symbol-class',
  testing: 'beaker',
  client: 'plug',
  advanced: 'settings-gear',
};

/** The resource URI of a row, which the decoration provider below recognises. */
const SCHEME = 'dbos-lint';
const ruleUri = (code: string) => vscode.Uri.from({ scheme: SCHEME, path: `/rule/${code}` });
const categoryUri = (id: string) => vscode.Uri.from({ scheme: SCHEME, path: `/category/${id}` });

export class RulesTreeProvider implements vscode.TreeDataProvider<RuleTreeNode>, vscode.FileDecorationProvider {
  private readonly emitter = new vscode.EventEmitter<RuleTreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly decorationsChanged = new vscode.EventEmitter<undefined>();
  readonly onDidChangeFileDecorations = this.decorationsChanged.event;
  private catalog: CatalogResult | null = null;
  private counts: Record<string, number> = {};
  private loading: Promise<void> | null = null;
  private version: VersionInfo | null = null;
  private readonly header: RuleTreeNode = { kind: 'header' };
  withFindingsOnly = false;
  search = '';

  /** `started()`: whether the language server was started (before that the view shows its welcome text). */
  constructor(
    private readonly getClient: () => BaseLanguageClient | undefined,
    private readonly started: () => boolean,
  ) {}

  /** Re-reads catalog and counts from the server, then redraws. */
  refresh(): Promise<void> {
    this.loading = this.load().finally(() => {
      this.emitter.fire(undefined);
      this.decorationsChanged.fire(undefined);
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const client = this.getClient();
    if (!client || !client.isRunning()) return;
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const [catalog, counts] = await Promise.all([
      client.sendRequest<CatalogResult>(Requests.catalog, uri ? { uri } : {}),
      client.sendRequest<Record<string, number>>(Requests.counts, {}),
    ]);
    this.catalog = catalog;
    this.counts = counts;
  }

  /** The header row's version (from the status of the active file's project). */
  setVersion(v: VersionInfo): void {
    if (JSON.stringify(v) === JSON.stringify(this.version)) return;
    this.version = v;
    if (this.catalog) this.emitter.fire(this.header);
  }

  setFilter(withFindingsOnly: boolean): void {
    this.withFindingsOnly = withFindingsOnly;
    void vscode.commands.executeCommand('setContext', 'dbosLint.rules.filtered', withFindingsOnly);
    this.emitter.fire(undefined);
  }

  setSearch(text: string): void {
    this.search = text.trim().toLowerCase();
    void vscode.commands.executeCommand('setContext', 'dbosLint.rules.searching', this.search !== '');
    this.emitter.fire(undefined);
  }

  countOf(code: string): number {
    return this.counts[code] ?? 0;
  }

  private ruleVisible(r: CatalogRule): boolean {
    if (this.withFindingsOnly && !this.countOf(r.code)) return false;
    if (this.search && !`${r.code} ${r.name} ${r.title}`.toLowerCase().includes(this.search)) return false;
    return true;
  }

  async getChildren(node?: RuleTreeNode): Promise<RuleTreeNode[]> {
    if (!this.started()) return []; // the view's welcome text, with its buttons
    if (!this.catalog) await (this.loading ?? this.refresh());
    if (!this.catalog) return [{ kind: 'message', text: 'The DBOS language server is starting…' }];
    if (!node) {
      const cats = this.catalog.categories
        .slice()
        .sort((a, b) => a.priority - b.priority)
        .map((c) => ({ kind: 'category' as const, category: c, count: c.rules.reduce((n, r) => n + this.countOf(r.code), 0) }))
        .filter((c) => c.category.rules.some((r) => this.ruleVisible(r)));
      if (!cats.length) return [this.header, { kind: 'message', text: this.withFindingsOnly ? 'No findings in the workspace.' : 'No rule matches the search.' }];
      return [this.header, ...cats];
    }
    if (node.kind === 'category') {
      return node.category.rules.filter((r) => this.ruleVisible(r)).map((r) => ({ kind: 'rule', rule: r, count: this.countOf(r.code), category: node.category }));
    }
    if (node.kind === 'rule') {
      const client = this.getClient();
      if (!client || !node.count) return [];
      const list = await client.sendRequest<FindingInfo[]>(Requests.findings, { code: node.rule.code });
      return list.map((f) => ({ kind: 'finding', finding: f, rule: node.rule }));
    }
    return [];
  }

  getTreeItem(node: RuleTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'header':
        return this.headerItem();
      case 'message':
        return new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      case 'category': {
        const c = node.category;
        const open = this.search || this.withFindingsOnly || node.count > 0;
        const item = new vscode.TreeItem(`${c.priority}. ${c.title}`, open ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        // VS Code keeps the expansion state of an item with the same id: a category rendered collapsed
        // (no findings yet) would stay collapsed when its first findings arrive. The id changes with
        // `open`, so a category opens when findings appear (a user's collapse holds while they remain).
        item.id = open ? `cat:${c.id}` : `cat:${c.id}:closed`;
        item.resourceUri = categoryUri(c.id);
        item.description = c.impact;
        item.tooltip = new vscode.MarkdownString(`**${c.title}** — impact ${c.impact}\n\n${c.description}\n\n${findingsText(node.count)} in the workspace`);
        item.contextValue = 'category';
        item.iconPath = new vscode.ThemeIcon(CATEGORY_ICON[c.id] ?? 'folder');
        return item;
      }
      case 'rule': {
        const r = node.rule;
        const item = new vscode.TreeItem(`${r.code} ${r.title}`, node.count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `rule:${r.code}`;
        item.resourceUri = ruleUri(r.code);
        item.description = severityText(r) + (node.count > 99 ? ` · ${node.count} findings` : '') + (r.implemented ? '' : ' · planned');
        item.tooltip = new vscode.MarkdownString(`**${r.code}** ${r.title}\n\nSeverity: ${severityText(r)}\n\n${findingsText(node.count)} in the workspace`);
        if (r.severity === 'off') item.iconPath = new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
        else if (node.count) item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[r.severity] ?? 'circle-filled', new vscode.ThemeColor(SEVERITY_ICON_COLOR[r.severity] ?? 'foreground'));
        else item.iconPath = new vscode.ThemeIcon('pass', new vscode.ThemeColor('descriptionForeground'));
        item.contextValue = 'rule';
        item.command = { command: 'dbosLint.openRule', title: 'Open Rule', arguments: [r.code] };
        return item;
      }
      case 'finding': {
        const f = node.finding;
        const uri = vscode.Uri.parse(f.uri);
        const item = new vscode.TreeItem(f.message.split('\n')[0], vscode.TreeItemCollapsibleState.None);
        item.id = `finding:${f.code}:${f.uri}:${f.range.start.line}:${f.range.start.character}`;
        item.description = `${vscode.workspace.asRelativePath(uri)}:${f.range.start.line + 1}`;
        item.tooltip = f.message;
        item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[f.severity] ?? 'circle-outline', new vscode.ThemeColor(SEVERITY_ICON_COLOR[f.severity] ?? 'foreground'));
        item.contextValue = 'finding';
        item.command = { command: 'dbosLint.openFinding', title: 'Open', arguments: [f] };
        return item;
      }
    }
  }

  private headerItem(): vscode.TreeItem {
    const v = this.version;
    const item = new vscode.TreeItem(v?.version ? `DBOS ${v.version}` : 'DBOS version unknown', vscode.TreeItemCollapsibleState.None);
    item.id = 'header:version';
    item.iconPath = new vscode.ThemeIcon('versions');
    const source = v?.source === 'setting' ? 'dbosLint.targetVersion' : v?.source ? vscode.workspace.asRelativePath(v.source) : null;
    item.description = source ? `from ${source}` : v?.version ? '' : 'pin dbos or set dbosLint.targetVersion';
    item.tooltip = new vscode.MarkdownString(
      `The checks assume **${v?.version ? `DBOS ${v.version}` : 'an unknown DBOS version'}** for the active file's project` +
        (source ? ` (read from \`${source}\`)` : '') +
        `.\n\n${v?.config ?? ''}\n\nSelect to open ${source && v?.source !== 'setting' ? source : 'the dbosLint.targetVersion setting'}.`,
    );
    item.contextValue = 'version';
    item.command = { command: 'dbosLint.openVersionSource', title: 'Open', arguments: [v?.source ?? null] };
    return item;
  }

  /** Count badges and colours of the rows with findings. */
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== SCHEME || !this.catalog) return undefined;
    const [, kind, id] = uri.path.split('/');
    let count = 0;
    let severity = 'off';
    for (const c of this.catalog.categories) {
      for (const r of c.rules) {
        if (kind === 'rule' ? r.code !== id : c.id !== id) continue;
        const n = this.countOf(r.code);
        count += n;
        if (n && SEVERITY_RANK[r.severity] < SEVERITY_RANK[severity]) severity = r.severity;
      }
    }
    if (!count) return undefined;
    const color = SEVERITY_LABEL_COLOR[severity];
    // A badge holds at most two characters; the description gives counts above 99.
    return new vscode.FileDecoration(count > 99 ? '99' : String(count), findingsText(count), color ? new vscode.ThemeColor(color) : undefined);
  }
}

function severityText(r: CatalogRule): string {
  return r.severity === r.defaultSeverity ? r.severity : `${r.severity} (default ${r.defaultSeverity})`;
}

function findingsText(n: number): string {
  return n === 1 ? '1 finding' : `${n === 0 ? 'No' : n} findings`;
}
