// The "Rules" sidebar: categories in priority order, rules with their severity and live count,
// findings as children. All data comes from the language server (custom requests).
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { Requests, type CatalogCategory, type CatalogResult, type CatalogRule, type FindingInfo } from '../server/protocol';

export type RuleTreeNode =
  | { kind: 'category'; category: CatalogCategory; count: number }
  | { kind: 'rule'; rule: CatalogRule; count: number; category: CatalogCategory }
  | { kind: 'finding'; finding: FindingInfo; rule: CatalogRule }
  | { kind: 'message'; text: string };

const SEVERITY_ICON: Record<string, string> = {
  error: 'error',
  warning: 'warning',
  information: 'info',
  hint: 'lightbulb',
  off: 'circle-slash',
};

export class RulesTreeProvider implements vscode.TreeDataProvider<RuleTreeNode> {
  private readonly emitter = new vscode.EventEmitter<RuleTreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private catalog: CatalogResult | null = null;
  private counts: Record<string, number> = {};
  private loading: Promise<void> | null = null;
  withFindingsOnly = false;
  search = '';

  constructor(private readonly getClient: () => BaseLanguageClient | undefined) {}

  /** Re-reads catalog and counts from the server, then redraws. */
  refresh(): Promise<void> {
    this.loading = this.load().finally(() => this.emitter.fire(undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const client = this.getClient();
    if (!client || !client.isRunning()) return;
    const [catalog, counts] = await Promise.all([
      client.sendRequest<CatalogResult>(Requests.catalog, {}),
      client.sendRequest<Record<string, number>>(Requests.counts, {}),
    ]);
    this.catalog = catalog;
    this.counts = counts;
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
    if (!this.catalog) await (this.loading ?? this.refresh());
    if (!this.catalog) return [{ kind: 'message', text: 'The DBOS language server is starting…' }];
    if (!node) {
      const cats = this.catalog.categories
        .slice()
        .sort((a, b) => a.priority - b.priority)
        .map((c) => ({ kind: 'category' as const, category: c, count: c.rules.reduce((n, r) => n + this.countOf(r.code), 0) }))
        .filter((c) => c.category.rules.some((r) => this.ruleVisible(r)));
      if (!cats.length) return [{ kind: 'message', text: this.withFindingsOnly ? 'No findings in the workspace.' : 'No rule matches the search.' }];
      return cats;
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
      case 'message':
        return new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      case 'category': {
        const c = node.category;
        const item = new vscode.TreeItem(`${c.priority}. ${c.title}`, this.search || this.withFindingsOnly ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `cat:${c.id}`;
        item.description = `${c.impact}${node.count ? ` · ${node.count}` : ''}`;
        item.tooltip = new vscode.MarkdownString(`**${c.title}** — impact ${c.impact}\n\n${c.description}`);
        item.contextValue = 'category';
        item.iconPath = new vscode.ThemeIcon(node.count ? 'folder-active' : 'folder');
        return item;
      }
      case 'rule': {
        const r = node.rule;
        const item = new vscode.TreeItem(`${r.code} ${r.title}`, node.count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `rule:${r.code}`;
        const sev = r.severity === r.defaultSeverity ? r.severity : `${r.severity} (default ${r.defaultSeverity})`;
        item.description = `${sev}${node.count ? ` · ${node.count}` : ''}${r.implemented ? '' : ' · planned'}`;
        item.tooltip = new vscode.MarkdownString(`**${r.code}** ${r.title}\n\nSeverity: ${sev}\n\nFindings: ${node.count}`);
        item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[r.severity] ?? 'circle-outline');
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
        item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[f.severity] ?? 'circle-outline');
        item.contextValue = 'finding';
        item.command = { command: 'dbosLint.openFinding', title: 'Open', arguments: [f] };
        return item;
      }
    }
  }
}
