// What the e2e test files share: the extension's API as the tests see it, polling, diagnostics.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StatusResult } from '../../../src/server/protocol';

export const EXT_ID = 'dbos-lint.dbos-lint';

export interface TreeNode {
  kind: string;
  category?: { id: string; title: string; priority: number; impact: string };
  rule?: { code: string; severity: string; defaultSeverity: string };
  count?: number;
  finding?: { uri: string; code: string };
}

export interface StatusItem {
  id: string;
  text: string;
  detail: string;
  severity: number;
}

export interface Api {
  ready: Promise<void>;
  startReason(): string;
  client(): { isRunning(): boolean } | undefined;
  rules: {
    refresh(): Promise<void>;
    getChildren(n?: TreeNode): Promise<TreeNode[]>;
    getTreeItem(n: TreeNode): vscode.TreeItem;
    provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined;
  };
  ruleView: { code: string | undefined; html: string | undefined; handleMessage(m: { type: string; level?: string; target?: string }): Promise<void> };
  status(): StatusResult | undefined;
  setRuleSeverity(code: string, level: string, where: 'user' | 'workspace'): Promise<void>;
  health(): { restarts: number; gaveUp: boolean; messages: string[]; statusText: string; statusDetail: string; statusItems: StatusItem[] };
  timings(): { activationMs: number; serverReadyMs: number | null; probeMs: number | null };
  log(): readonly string[];
  viewVisible(): boolean;
}

/** The extension's API once its server runs. */
export async function extensionApi(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>(EXT_ID);
  assert.ok(ext, `${EXT_ID} not loaded`);
  const api = await ext.activate();
  await api.ready;
  return api;
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, pollMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export function dbosDiags(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'dbos');
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

export function codes(uri: vscode.Uri): string[] {
  return dbosDiags(uri).map(codeOf).sort();
}

export function rangeOf(doc: vscode.TextDocument, needle: string): vscode.Range {
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `"${needle}" not in ${doc.uri.path}`);
  return new vscode.Range(doc.positionAt(at), doc.positionAt(at + needle.length));
}

export async function quickFixes(doc: vscode.TextDocument, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range, kind)) ?? [];
}

export async function revert(doc: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor('revert', () => !doc.isDirty);
}

/** One language status item of the extension ('status', 'config', 'version', 'budget'). */
export function statusItem(api: Api, id: string): StatusItem | undefined {
  return api.health().statusItems.find((i) => i.id === `dbosLint.${id}`);
}
