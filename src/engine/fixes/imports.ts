// Adding imports to a module: the names missing from it, merged into its existing `from M import`
// statements or written as new lines in the import block (standard library first, then third-party
// packages, then dbos), with the blank lines PEP 8 asks for when the file had no imports yet.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { TextEdit } from '../types';
import { headerLineCount } from '../suppress';

/** One imported name: `import module [as alias]` (name null) or `from module import name [as alias]`. */
export interface ImportNeed {
  module: string;
  name: string | null;
  alias: string | null;
}

/** The standard-library modules that imports added by dbos-lint can name (their section comes first). */
const STDLIB = new Set([
  'asyncio', 'contextlib', 'dataclasses', 'datetime', 'enum', 'functools', 'json', 'logging', 'os', 'random', 'sys', 'threading',
  'time', 'typing', 'uuid',
]);

/** The name an import binds in the module. */
export function boundName(need: ImportNeed): string {
  return need.alias ?? need.name ?? need.module.split('.')[0];
}

/** `import a, b as c` / `from m import x, y as z` as needs (one line, no parentheses). */
export function parseImportLine(line: string): ImportNeed[] {
  const from = /^\s*from\s+([\w.]+)\s+import\s+(.+?)\s*$/.exec(line);
  const items = (from ? from[2] : (/^\s*import\s+(.+?)\s*$/.exec(line)?.[1] ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  return items.map((item) => {
    const [target, alias] = item.split(/\s+as\s+/);
    return from ? { module: from[1], name: target, alias: alias ?? null } : { module: target, name: null, alias: alias ?? null };
  });
}

function section(module: string): number {
  const top = module.split('.')[0];
  if (top === 'dbos') return 2;
  return STDLIB.has(top) ? 0 : 1;
}

/** isort's order of imported names: CONSTANTS, then Classes, then functions and modules; then by name. */
function nameOrder(a: ImportNeed, b: ImportNeed): number {
  const rank = (n: ImportNeed) => {
    const s = n.name ?? n.module;
    return /^[A-Z0-9_]+$/.test(s) ? 0 : /^[A-Z]/.test(s) ? 1 : 2;
  };
  return rank(a) - rank(b) || (a.name ?? a.module).localeCompare(b.name ?? b.module);
}

function lineOf(need: ImportNeed | ImportNeed[]): string {
  const list = (Array.isArray(need) ? [...need] : [need]).sort(nameOrder);
  const item = (n: ImportNeed) => `${n.name ?? n.module}${n.alias ? ` as ${n.alias}` : ''}`;
  return list[0].name === null ? `import ${item(list[0])}` : `from ${list[0].module} import ${list.map(item).join(', ')}`;
}

/** A top-level statement that starts a definition (wants two blank lines above it). */
const DEFINITION = /^\s*(@|def\s|class\s|async\s+def\s)/;

export interface ImportPlacement {
  /** The line where the text needing the imports goes (a snippet inserted at the cursor). */
  line: number;
  /** The first line of that text, to choose the blank lines above it when the imports go right before it. */
  firstLine: string;
}

/**
 * The edits that give the module every import in `needs` that it does not bind yet: names added to
 * an existing `from M import ...` (top level), the others as new lines after the module's last
 * top-level import (standard-library lines before its first), or, in a module without imports,
 * after its docstring or header comments (shebang, encoding, `# dbos: ignore-file`).
 */
export function importEditsFor(model: ModuleModel, needs: readonly ImportNeed[], placement?: ImportPlacement): TextEdit[] {
  const bound = new Set([...model.module.bindings.keys(), ...model.module.imports.keys()]);
  const missing: ImportNeed[] = [];
  for (const n of needs) {
    const name = boundName(n);
    if (bound.has(name)) continue;
    bound.add(name);
    missing.push(n);
  }
  if (!missing.length) return [];
  const lines = model.lines;
  const eol = lines.eol;
  const imports = model.root.namedChildren.filter(
    (c): c is Node => !!c && (c.type === 'import_statement' || c.type === 'import_from_statement' || c.type === 'future_import_statement'),
  );
  const edits: TextEdit[] = [];
  // Names from a module that the file already imports from: added to that statement.
  const fresh: ImportNeed[] = [];
  const byModule = new Map<string, ImportNeed[]>();
  for (const n of missing) {
    if (n.name === null || n.alias) {
      fresh.push(n);
      continue;
    }
    const list = byModule.get(n.module) ?? [];
    list.push(n);
    byModule.set(n.module, list);
  }
  for (const [module, list] of byModule) {
    const stmt = imports.find((s) => s.type === 'import_from_statement' && s.childForFieldName('module_name')?.text === module && !s.descendantsOfType('wildcard_import').length);
    const edit = stmt ? extendFromImport(model, stmt, list.map((n) => n.name!)) : null;
    if (edit) edits.push(edit);
    else fresh.push(...list);
  }
  if (!fresh.length) return edits;
  // New lines: one `from M import a, b` per module, `import x` each; by section, then by text.
  const groups: ImportNeed[][] = [];
  for (const n of fresh) {
    const g = n.name !== null && !n.alias ? groups.find((x) => x[0].module === n.module && x[0].name !== null && !x[0].alias) : undefined;
    if (g) g.push(n);
    else groups.push([n]);
  }
  const newLines = groups
    .map((g) => ({ text: lineOf(g), section: section(g[0].module), plain: g[0].name === null }))
    .sort((a, b) => a.section - b.section || Number(b.plain) - Number(a.plain) || a.text.localeCompare(b.text));
  if (imports.length) {
    const first = imports[0];
    const last = imports[imports.length - 1];
    // Standard-library lines go above a file's imports that start with another section.
    const firstModule = /^(?:import|from)\s+([\w.]+)/.exec(first.text)?.[1];
    const beforeFirst = firstModule && section(firstModule) > 0 ? newLines.filter((l) => l.section === 0) : [];
    const after = newLines.filter((l) => !beforeFirst.includes(l));
    const firstLineStart = lines.starts[lines.positionAt(first.startIndex).line];
    if (beforeFirst.length && firstLineStart === first.startIndex) {
      edits.push(lines.edit(firstLineStart, firstLineStart, beforeFirst.map((l) => l.text + eol).join('')));
    } else after.unshift(...beforeFirst);
    if (after.length) edits.push(lines.edit(last.endIndex, last.endIndex, after.map((l) => eol + l.text).join('')));
    return edits;
  }
  // A new import block: a blank line between the standard library and the packages (dbos is one,
  // written last).
  const block = newLines.map((l, i) => (i && l.section > 0 && newLines[i - 1].section === 0 ? eol : '') + l.text).join(eol);
  const doc = model.root.namedChildren.find((c) => c && c.type !== 'comment');
  if (doc && doc.type === 'expression_statement' && doc.namedChildren[0]?.type === 'string') {
    edits.push(lines.edit(doc.endIndex, doc.endIndex, eol + eol + block));
    return edits;
  }
  const at = headerLineCount(lines);
  const offset = at < lines.lineCount ? lines.starts[at] : lines.text.length;
  const sep = offset > 0 && !/[\r\n]$/.test(lines.text.slice(0, offset)) ? eol : '';
  // What comes next: the file's next non-blank line, or the inserted text when it goes there first.
  let next: string | null = null;
  for (let l = at; l < lines.lineCount; l++) {
    if (placement && l === placement.line) {
      next = placement.firstLine;
      break;
    }
    const t = lines.lineText(l);
    if (t.trim()) {
      next = t;
      break;
    }
  }
  if (next === null && placement) next = placement.firstLine;
  const blank = next === null ? '' : DEFINITION.test(next) ? eol + eol : eol;
  // Blank lines already there after the insertion point count towards the gap.
  let existing = '';
  for (let l = at; l < lines.lineCount && !lines.lineText(l).trim() && l !== placement?.line; l++) existing += eol;
  const gap = blank.length > existing.length ? blank.slice(existing.length) : '';
  edits.push(lines.edit(offset, offset, sep + block + eol + gap));
  return edits;
}

/** Adds names to `from M import a, b` (one line, parenthesized, multi-line, trailing comma kept). */
function extendFromImport(model: ModuleModel, stmt: Node, names: string[]): TextEdit | null {
  const moduleName = stmt.childForFieldName('module_name');
  const items = stmt.namedChildren.filter((c): c is Node => !!c && c.id !== moduleName?.id && c.type !== 'comment');
  const last = items[items.length - 1];
  if (!last) return null;
  const lines = model.lines;
  const next = last.nextSibling;
  const trailingComma = next?.type === ',';
  const multiLine = lines.positionAt(stmt.startIndex).line !== lines.positionAt(stmt.endIndex).line && stmt.children.some((c) => c?.type === '(');
  if (multiLine) {
    const lastLine = lines.positionAt(last.startIndex).line;
    const lead = model.text.slice(lines.starts[lastLine], last.startIndex);
    const indent = /^[ \t]+$/.test(lead) ? lead : '    ';
    if (trailingComma) return lines.edit(next!.endIndex, next!.endIndex, names.map((n) => `${lines.eol}${indent}${n},`).join(''));
    return lines.edit(last.endIndex, last.endIndex, names.map((n) => `,${lines.eol}${indent}${n}`).join(''));
  }
  if (trailingComma) return lines.edit(next!.endIndex, next!.endIndex, ` ${names.join(', ')},`);
  return lines.edit(last.endIndex, last.endIndex, `, ${names.join(', ')}`);
}
