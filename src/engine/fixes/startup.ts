// Edits that move DBOS's start-up to the program's entry point: into the `__main__` guard, or into a
// FastAPI lifespan.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { TextEdit } from '../types';
import { dbosName, freshName, addImportEdit, indentUnitOf } from './common';
import { fastapiAppAssignment, lifespans, lineSpan } from '../model/lifecycle';
import { keywordArgument } from '../syntax/arguments';

function reindent(model: ModuleModel, text: string, indent: string): string {
  const eol = model.lines.eol;
  return text
    .replace(/\r?\n$/, '')
    .split(/\r?\n/)
    .map((l) => (l.trim() === '' ? '' : indent + l))
    .join(eol);
}

/** The `if __name__ == "__main__":` guard at the end of the file (the last one), if any. */
function lastMainGuard(model: ModuleModel): Node | null {
  return model.mainGuards.length > 0 ? model.mainGuards[model.mainGuards.length - 1] : null;
}

/**
 * Edits that move top-level statements (in source order) into the main guard: at the start of an
 * existing guard's body, or in a new guard appended at the end of the file. Null when a statement
 * cannot be moved cleanly (not alone on its lines, contains a multi-line string).
 */
export function moveToMainGuardEdits(model: ModuleModel, stmts: Node[]): TextEdit[] | null {
  const sorted = [...new Map(stmts.map((s) => [s.id, s])).values()].sort((a, b) => a.startIndex - b.startIndex);
  const edits: TextEdit[] = [];
  const texts: string[] = [];
  const spans: { start: number; end: number }[] = [];
  const guard = lastMainGuard(model);
  for (const s of sorted) {
    if (s.parent?.type !== 'module') return null;
    const span = lineSpan(model, s);
    if (!span) return null;
    const text = model.text.slice(span.start, span.end);
    if (/"""|'''/.test(text)) return null;
    if (guard && span.start <= guard.startIndex && span.end > guard.startIndex) return null;
    spans.push(span);
    texts.push(text);
  }
  for (const r of removals(model, spans, !guard)) edits.push(model.lines.edit(r.start, r.end, ''));
  const eol = model.lines.eol;
  if (guard) {
    const body = guard.childForFieldName('consequence');
    if (!body || model.lines.positionAt(body.startIndex).line === model.lines.positionAt(guard.startIndex).line) return null;
    const indent = model.lines.indentOf(model.lines.positionAt(body.startIndex).line);
    const at = model.lines.starts[model.lines.positionAt(body.startIndex).line];
    const moved = texts.map((t) => reindent(model, t, indent)).join(eol) + eol;
    edits.push(model.lines.edit(at, at, moved));
  } else {
    const end = model.text.length;
    const tail = model.text.endsWith('\n') ? '' : eol;
    const moved = texts.map((t) => reindent(model, t, indentUnitOf(model))).join(eol);
    edits.push(model.lines.edit(end, end, `${tail}${eol}${eol}if __name__ == "__main__":${eol}${moved}${eol}`));
  }
  return edits;
}

/** Whether the text between two offsets is only blank lines. */
function blank(model: ModuleModel, from: number, to: number): boolean {
  return /^[ \t\r\n]*$/.test(model.text.slice(from, to));
}

/**
 * The text to delete for the lines of moved statements, so that no more than two blank lines are
 * left where they were (PEP 8, and what Black and Ruff write): statements separated only by blank
 * lines are removed with those lines, the blank lines after a removal are trimmed to keep at most
 * two around it, and at the end of the file (where a new main guard follows, with its own two blank
 * lines) the blank lines before it go too.
 */
function removals(model: ModuleModel, spans: { start: number; end: number }[], appendsGuard: boolean): { start: number; end: number }[] {
  const merged: { start: number; end: number }[] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && blank(model, last.end, sp.start)) last.end = sp.end;
    else merged.push({ ...sp });
  }
  const lines = model.lines;
  const lineOf = (o: number) => lines.positionAt(o).line;
  // the empty "line" after a final line break is no line of the file
  const count = lines.starts[lines.lineCount - 1] === model.text.length ? lines.lineCount - 1 : lines.lineCount;
  const isBlank = (l: number) => l >= 0 && l < count && lines.lineText(l).trim() === '';
  for (const r of merged) {
    const first = lineOf(r.start);
    let before = 0;
    while (isBlank(first - 1 - before)) before++;
    let next = r.end >= model.text.length ? lines.lineCount : lineOf(r.end);
    // blank lines after the removal, and whether only blank lines follow (the end of the file)
    let after = 0;
    while (isBlank(next + after)) after++;
    const atEnd = blank(model, r.end, model.text.length);
    if (atEnd && appendsGuard) {
      r.start = first - before > 0 ? lines.starts[first - before] : 0;
      r.end = model.text.length;
      continue;
    }
    const drop = Math.min(after, Math.max(0, before + after - 2));
    if (drop > 0) {
      next += drop;
      r.end = next < lines.lineCount ? lines.starts[next] : model.text.length;
    }
  }
  return merged;
}

/**
 * Edits that add a FastAPI lifespan launching DBOS (and destroying it on shutdown) and pass it to
 * `FastAPI(...)`. Null when the app already has a lifespan or its shape is not simple.
 */
export function addLifespanEdits(model: ModuleModel): TextEdit[] | null {
  const app = fastapiAppAssignment(model);
  if (!app) return null;
  if (keywordArgument(model, app.call, 'lifespan') || lifespans(model).length > 0) return null;
  const args = app.call.args;
  if (!args || args.type !== 'argument_list') return null;
  const eol = model.lines.eol;
  const dbos = dbosName(model);
  const acm = model.localNameFor('contextlib.asynccontextmanager');
  const edits: TextEdit[] = [...dbos.edits];
  if (!acm) edits.push(addImportEdit(model, 'from contextlib import asynccontextmanager'));
  const name = freshName(model, 'lifespan');
  const D = dbos.text;
  const u = indentUnitOf(model);
  const fn =
    `@${acm ?? 'asynccontextmanager'}${eol}async def ${name}(app):${eol}${u}${D}.launch()${eol}${u}try:${eol}${u}${u}yield${eol}` +
    `${u}finally:${eol}${u}${u}${D}.destroy()${eol}${eol}${eol}`;
  const at = model.lines.starts[model.lines.positionAt(app.stmt.startIndex).line];
  edits.push(model.lines.edit(at, at, fn));
  const inner = model.textOf(args).slice(1, -1);
  const closeAt = args.endIndex - 1;
  const hasArgs = inner.trim() !== '';
  const trailingComma = /,\s*$/.test(inner);
  edits.push(model.lines.edit(closeAt, closeAt, `${hasArgs && !trailingComma ? ', ' : ''}lifespan=${name}`));
  return edits;
}
