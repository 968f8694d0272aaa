// Building blocks for fixes: naming DBOS in the file, adding imports, ignore comments.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { Fix, TextEdit } from '../types';
import { indentUnit } from '../text';
import { headerLineCount, IGNORE_FILE } from '../suppress';
import { parentOf } from '../syntax/enclosing';

const units = new WeakMap<ModuleModel, string>();

/**
 * The indentation unit of the module: the indentation of the first statement of the first
 * top-level block (a `def`, `class`, `if`... body), else the guess from the text (`indentUnit`).
 */
export function indentUnitOf(model: ModuleModel): string {
  let unit = units.get(model);
  if (unit !== undefined) return unit;
  unit = '';
  for (const child of model.root.namedChildren) {
    let c = child;
    if (c?.type === 'decorated_definition') c = c.childForFieldName('definition');
    const body = c?.childForFieldName('body') ?? c?.childForFieldName('consequence');
    const first = body?.type === 'block' ? body.namedChildren.find((s) => s && s.type !== 'comment') : null;
    if (!c || !first || model.lines.positionAt(first.startIndex).line === model.lines.positionAt(c.startIndex).line) continue;
    const line = model.lines.positionAt(first.startIndex).line;
    const ws = model.text.slice(model.lines.starts[line], first.startIndex);
    if (ws.length > 0 && /^[ \t]+$/.test(ws) && (ws.startsWith('\t') ? /^\t+$/.test(ws) : !ws.includes('\t'))) {
      unit = ws.startsWith('\t') ? '\t' : ws;
      break;
    }
  }
  if (!unit) unit = indentUnit(model.text);
  units.set(model, unit);
  return unit;
}

/** How to write `fqn` in this module, and the import to add when it is not imported yet. */
export function nameFor(model: ModuleModel, fqn: string, importName?: string): { text: string; edits: TextEdit[] } {
  const local = model.localNameFor(fqn);
  if (local) return { text: local, edits: [] };
  const dot = fqn.lastIndexOf('.');
  const mod = fqn.slice(0, dot);
  const name = importName ?? fqn.slice(dot + 1);
  return { text: name, edits: [addImportEdit(model, `from ${mod} import ${name}`)] };
}

/** `DBOS` as this module names it (`DBOS`, `D`, `dbos.DBOS`), with an import edit when missing. */
export function dbosName(model: ModuleModel): { text: string; edits: TextEdit[] } {
  return nameFor(model, 'dbos.DBOS');
}

/** Inserts an import line after the last top-level import (or after the docstring and header comments). */
export function addImportEdit(model: ModuleModel, line: string): TextEdit {
  const eol = model.lines.eol;
  let after = -1;
  for (const child of model.root.namedChildren) {
    if (!child) continue;
    if (child.type === 'import_statement' || child.type === 'import_from_statement' || child.type === 'future_import_statement') {
      after = child.endIndex;
    } else if (after < 0 && child.type === 'expression_statement' && child.namedChildren[0]?.type === 'string' && child.startIndex === firstCodeOffset(model)) {
      after = child.endIndex; // module docstring
    } else if (child.type !== 'comment') break;
  }
  if (after < 0) return model.lines.edit(0, 0, line + eol);
  return model.lines.edit(after, after, eol + line);
}

function firstCodeOffset(model: ModuleModel): number {
  for (const c of model.root.namedChildren) if (c && c.type !== 'comment') return c.startIndex;
  return 0;
}

/**
 * "Ignore DBOSxxx on this line": extends an existing `# dbos: ignore[...]` or adds one. A line that
 * ends with a backslash cannot take a comment: the comment goes on its own line above (it covers the
 * next line), unless the line continues another one (null: no place for the comment).
 */
export function ignoreFix(model: ModuleModel, code: string, line: number): Fix | null {
  const text = model.lines.lineText(line);
  const lineStart = model.lines.starts[line];
  const existing = /#\s*dbos:\s*ignore\[([^\]]*)\]/.exec(text);
  let edit: TextEdit;
  if (existing) {
    const at = lineStart + existing.index + existing[0].length - 1;
    edit = model.lines.edit(at, at, `, ${code}`);
  } else {
    const end = model.lines.lineEnd(line);
    const node = end > lineStart ? model.root.descendantForIndex(end - 1) : null;
    const continued = (l: number) => l >= 0 && /\\\s*$/.test(model.lines.lineText(l));
    if (continued(line) && !(node && inString(node))) {
      if (continued(line - 1)) return null;
      edit = model.lines.edit(lineStart, lineStart, `${model.lines.indentOf(line)}# dbos: ignore[${code}]${model.lines.eol}`);
    } else if (node && inString(node)) {
      const indent = model.lines.indentOf(line);
      edit = model.lines.edit(lineStart, lineStart, `${indent}# dbos: ignore[${code}]${model.lines.eol}`);
    } else {
      const trimmedEnd = lineStart + text.replace(/\s+$/, '').length;
      edit = model.lines.edit(trimmedEnd, end, `  # dbos: ignore[${code}]`);
    }
  }
  return { title: `Ignore ${code} on this line`, safe: false, edits: [edit] };
}

/**
 * "Ignore DBOSxxx in this file": adds the code to the file's `# dbos: ignore-file[...]` comment, or
 * writes one at the top of the file (below a shebang line and an encoding declaration, which must
 * stay first). Null when a bare `# dbos: ignore-file` already ignores every rule.
 */
export function ignoreFileFix(model: ModuleModel, code: string): Fix | null {
  const lines = model.lines;
  const title = `Ignore ${code} in this file`;
  const header = headerLineCount(lines);
  for (let i = 0; i < header; i++) {
    const text = lines.lineText(i);
    const hash = text.indexOf('#');
    if (hash < 0) continue;
    const m = IGNORE_FILE.exec(text.slice(hash));
    if (!m) continue;
    if (m[1] === undefined || !m[1].trim()) return null;
    const close = lines.starts[i] + hash + m.index + m[0].length - 1; // the `]`
    return { title, safe: false, edits: [lines.edit(close, close, `, ${code}`)] };
  }
  // Line 0 may be a shebang; an encoding declaration must stay on line 0 or 1 (PEP 263).
  let at = 0;
  if (at < lines.lineCount && lines.lineText(at).startsWith('#!')) at++;
  if (at < lines.lineCount && at <= 1 && /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/.test(lines.lineText(at))) at++;
  const offset = at < lines.lineCount ? lines.starts[at] : lines.text.length;
  const before = offset > 0 && !/\r?\n$|\r$/.test(lines.text.slice(0, offset)) ? lines.eol : '';
  return { title, safe: false, edits: [lines.edit(offset, offset, `${before}# dbos: ignore-file[${code}]${lines.eol}`)] };
}

function inString(node: Node): boolean {
  for (let n: Node | null = node; n; n = parentOf(n)) {
    if (n.type === 'string' || n.type === 'string_content') return n.endIndex > node.endIndex || n.type === 'string_content';
    if (n.type.endsWith('statement') || n.type === 'module') return false;
  }
  return false;
}

/** The statement node that contains a node (the child of a block or of the module). */
export function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** The top-level statement (child of the module) containing a node. */
export function topLevelStatementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** Python identifier made from free text: `requests.get` -> `requests_get`. */
export function identifierFrom(text: string): string {
  const s = text
    .replace(/\(\)/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_')
    .toLowerCase();
  return /^[0-9]/.test(s) || s === '' ? `step_${s}` : s;
}

/** A name not yet bound at module level (nor, when given, by `taken`: a local that would shadow it). */
export function freshName(model: ModuleModel, base: string, taken?: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; model.module.bindings.has(name) || model.module.imports.has(name) || !!taken?.(name); i++) name = `${base}_${i}`;
  return name;
}

/** An application name for a generated DBOS config: the file's folder, as a slug (`my-app` when too short). */
export function appNameFor(model: ModuleModel): string {
  const parts = model.path.replace(/\\/g, '/').split('/');
  const folder = parts.length > 1 ? parts[parts.length - 2] : '';
  const name = folder.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30);
  return name.length >= 3 ? name : 'my-app';
}
