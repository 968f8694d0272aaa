// Code actions (engine fixes, "ignore on this line", "show rule", fix-all) and hover on rule codes
// in suppression comments. Engine fixes in, LSP edits out.
import { CodeAction, CodeActionKind, type CodeActionParams, type Hover, type HoverParams, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/index';
import type { Fix } from '../engine/types';
import { ruleMeta } from '../catalog/rules';
import { categoryOf } from '../catalog/categories';
import { ruleDocs } from '../catalog/docs';
import { caps, documents } from './connection';
import { resultFor, thread } from './checker';
import { toDiagnostic } from './diagnostics';
import type { OpenResult } from './results';
import { effectiveSeverity, filePath, pathToUri } from './workspace';

export const FIX_ALL_KIND = 'source.fixAll.dbos';
export const SHOW_RULE_SERVER_COMMAND = 'dbosLint.server.showRuleDocs';
const CLIENT_OPEN_RULE_COMMAND = 'dbosLint.openRule';

function intersects(a: Finding['range'], b: Finding['range']): boolean {
  const before = (p: Finding['range']['start'], q: Finding['range']['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function kindWanted(only: string[] | undefined, kind: string): boolean {
  if (!only) return kind === CodeActionKind.QuickFix;
  return only.some((k) => kind === k || kind.startsWith(k + '.'));
}

function workspaceEdit(doc: TextDocument, edits: TextEdit[]): WorkspaceEdit {
  if (caps.documentChanges) return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
  return { changes: { [doc.uri]: edits } };
}

/** A fix's edits as a workspace edit: edits of other files (a step added to a helper) included. */
function fixEdit(doc: TextDocument, fix: Fix): WorkspaceEdit {
  const byUri = new Map<string, TextEdit[]>();
  for (const e of fix.edits) {
    let uri = doc.uri;
    if (e.file) {
      // The client's own URI for the file when it is open, so the edit lands in its buffer.
      uri = documents.all().find((d) => filePath(d.uri) === e.file)?.uri ?? pathToUri(e.file);
    }
    let list = byUri.get(uri);
    if (!list) byUri.set(uri, (list = []));
    list.push({ range: e.range, newText: e.newText });
  }
  if (caps.documentChanges) {
    return { documentChanges: [...byUri].map(([uri, edits]) => ({ textDocument: { uri, version: documents.get(uri)?.version ?? null }, edits })) };
  }
  return { changes: Object.fromEntries(byUri) };
}

/**
 * How long a code action waits for the check of the document's current version (an action asked
 * right after an edit): the answer must come within about 100 ms whatever is being analysed.
 */
const CODE_ACTION_WAIT_MS = 80;

export async function codeActions(params: CodeActionParams): Promise<CodeAction[]> {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const only = params.context?.only;
  const actions: CodeAction[] = [];
  // the findings of this very version, with their fixes and "ignore" edits (computed by the analysis thread)
  const res = await resultFor(doc, CODE_ACTION_WAIT_MS);
  if (!res || documents.get(doc.uri)?.version !== res.version) return [];
  if (kindWanted(only, CodeActionKind.QuickFix)) {
    const shownRule = new Set<string>();
    res.findings.forEach((f, index) => {
      if (!intersects(f.range, params.range)) return;
      const diag =
        (params.context?.diagnostics ?? []).find(
          (d) => d?.code === f.code && d.range?.start?.line === f.range.start.line && d.range.start.character === f.range.start.character,
        ) ?? toDiagnostic(doc.uri, f);
      const preferredIndex = Math.max(0, f.fixes.findIndex((x) => x.preferred) >= 0 ? f.fixes.findIndex((x) => x.preferred) : f.fixes.findIndex((x) => x.safe));
      f.fixes.forEach((fix, i) => {
        const a = CodeAction.create(fix.title, fixEdit(doc, fix), CodeActionKind.QuickFix);
        a.diagnostics = [diag];
        if (i === preferredIndex && (fix.preferred || fix.safe || f.fixes.length === 1)) a.isPreferred = true;
        actions.push(a);
      });
      const ig = res.ignoreFixes[index];
      if (ig) {
        const a = CodeAction.create(`Ignore ${f.code} on this line`, workspaceEdit(doc, ig.edits.map((e) => ({ range: e.range, newText: e.newText }))), CodeActionKind.QuickFix);
        a.diagnostics = [diag];
        actions.push(a);
      }
      if (!shownRule.has(f.code)) {
        shownRule.add(f.code);
        const igFile = res.ignoreFileFixes[f.code];
        if (igFile) {
          const a = CodeAction.create(igFile.title, workspaceEdit(doc, igFile.edits.map((e) => ({ range: e.range, newText: e.newText }))), CodeActionKind.QuickFix);
          a.diagnostics = [diag];
          actions.push(a);
        }
        const title = `Show rule ${f.code}`;
        const a = CodeAction.create(
          title,
          caps.clientCommands ? { title, command: CLIENT_OPEN_RULE_COMMAND, arguments: [f.code] } : { title, command: SHOW_RULE_SERVER_COMMAND, arguments: [f.code] },
          CodeActionKind.QuickFix,
        );
        a.diagnostics = [diag];
        actions.push(a);
      }
    });
  }
  if (only && kindWanted(only, FIX_ALL_KIND)) {
    const a = await fixAllAction(doc, res);
    if (a) actions.push(a);
  }
  return actions;
}

async function fixAllAction(doc: TextDocument, res: OpenResult): Promise<CodeAction | null> {
  if (!res.findings.some((f) => f.fixes.some((x) => x.safe))) return null;
  const text = doc.getText();
  const version = doc.version;
  const r = await thread.submit(0, (id) => ({ kind: 'fixAll', id, uri: doc.uri, text }));
  if (r?.kind !== 'fixed' || r.text === text || documents.get(doc.uri)?.version !== version) return null;
  const out = r;
  // One minimal edit: the changed middle of the document.
  let start = 0;
  while (start < text.length && start < out.text.length && text[start] === out.text[start]) start++;
  let endOld = text.length;
  let endNew = out.text.length;
  while (endOld > start && endNew > start && text[endOld - 1] === out.text[endNew - 1]) {
    endOld--;
    endNew--;
  }
  const edit: TextEdit = { range: { start: doc.positionAt(start), end: doc.positionAt(endOld) }, newText: out.text.slice(start, endNew) };
  return CodeAction.create(`Fix all safe DBOS problems (${out.fixed})`, workspaceEdit(doc, [edit]), FIX_ALL_KIND);
}

export function hover(params: HoverParams): Hover | null {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const line = doc.getText({ start: { line: params.position.line, character: 0 }, end: { line: params.position.line + 1, character: 0 } });
  const hash = line.indexOf('#');
  if (hash < 0 || params.position.character < hash) return null;
  const comment = line.slice(hash);
  if (!/#\s*(dbos:\s*ignore|noqa)/i.test(comment)) return null;
  const re = /DBOS\d{3}/gi;
  for (let m = re.exec(comment); m; m = re.exec(comment)) {
    const s = hash + m.index;
    const e = s + m[0].length;
    if (params.position.character < s || params.position.character > e) continue;
    const code = m[0].toUpperCase();
    const meta = ruleMeta(code);
    if (!meta) return { contents: { kind: 'markdown', value: `Unknown rule \`${code}\`` } };
    const docs = ruleDocs(code);
    const cat = categoryOf(code);
    const value = [
      `**${code}** ${meta.title}`,
      `${cat.title} (${cat.impact}) · default severity: ${meta.defaultSeverity} · now: ${effectiveSeverity(code, doc.uri)}`,
      docs?.what ?? '',
      `[DBOS docs](${meta.docsUrl})`,
    ]
      .filter(Boolean)
      .join('\n\n');
    return { contents: { kind: 'markdown', value }, range: { start: { line: params.position.line, character: s }, end: { line: params.position.line, character: e } } };
  }
  return null;
}
