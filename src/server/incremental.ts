// Incremental parsing for open documents: the server keeps each open document's last tree and, on
// the next check, tells tree-sitter what changed (`tree.edit`) so the reparse reuses the rest.
// No LSP here: text in, engine result out, so it is tested with node --test.
import type { Edit, Point, Tree } from 'web-tree-sitter';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../engine/index';
import type { ModuleModel } from '../engine/model/module';
import { commonEnds } from '../engine/text';

/**
 * The single edit that turns `oldText` into `newText` (common prefix and suffix), in the units
 * web-tree-sitter 0.25 uses for JavaScript strings: indices and columns in UTF-16 code units, rows
 * counted by '\n' (a CR is an ordinary character to tree-sitter). Null when the texts are equal.
 * Never splits a surrogate pair.
 */
export function diffEdit(oldText: string, newText: string): Edit | null {
  if (oldText === newText) return null;
  const common = commonEnds(oldText, newText);
  let start = common.prefix;
  let oldEnd = oldText.length - common.suffix;
  let newEnd = newText.length - common.suffix;
  // Do not end the common prefix between the two halves of a surrogate pair.
  if (start > 0 && isHigh(oldText.charCodeAt(start - 1))) {
    start--;
    // the suffix may now reach one character further back (it stops at the prefix)
    while (oldEnd > start && newEnd > start && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
      oldEnd--;
      newEnd--;
    }
  }
  // Nor start the common suffix on a low surrogate.
  if (oldEnd < oldText.length && isLow(oldText.charCodeAt(oldEnd)) && oldEnd > start && newEnd > start) {
    oldEnd--;
    newEnd--;
  }
  const startPosition = pointAt(oldText, start);
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: advance(startPosition, oldText, start, oldEnd),
    newEndPosition: advance(startPosition, newText, start, newEnd),
  };
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function pointAt(text: string, index: number): Point {
  return advance({ row: 0, column: 0 }, text, 0, index);
}

/** The point reached from `from` (the point of `text[start]`) after reading text[start..end). */
function advance(from: Point, text: string, start: number, end: number): Point {
  let row = from.row;
  let lineStart = start - from.column;
  // rows as in the text the parser is given (parsedText): a lone CR ends a line too
  const breaks = text.includes('\r') ? /\r\n|\r|\n/g : /\n/g;
  breaks.lastIndex = start;
  for (let m = breaks.exec(text); m && m.index < end; m = breaks.exec(text)) {
    const after = m.index + m[0].length;
    if (after > end) break; // a CRLF split by the edit: the CR alone ends a row in the parsed text
    row++;
    lineStart = after;
  }
  return { row, column: end - lineStart };
}

interface Entry {
  text: string;
  tree: Tree;
}

/** The last tree of each open document, reused for the next parse of the same document. */
export class TreeCache {
  private readonly entries = new Map<string, Entry>();
  /** Parses of the last analyses: incremental (reused a tree) or full. */
  readonly stats = { incremental: 0, full: 0 };

  /**
   * Analyses `text` as the new content of document `key`, reparsing incrementally when it can.
   * `withModel` is given the module model before it is dropped (the result does not keep it).
   */
  analyze(key: string, text: string, options: Omit<AnalyzeOptions, 'previousTree' | 'keepTree'>, withModel?: (model: ModuleModel, result: AnalysisResult) => void): AnalysisResult {
    const prev = this.entries.get(key);
    this.entries.delete(key);
    let previousTree: Tree | null = null;
    if (prev) {
      const edit = diffEdit(prev.text, text);
      if (edit) prev.tree.edit(edit);
      previousTree = prev.tree;
    }
    let result: AnalysisResult;
    try {
      result = analyze(text, { ...options, previousTree, keepTree: true });
    } finally {
      prev?.tree.delete();
    }
    if (result.tree) {
      if (previousTree) this.stats.incremental++;
      else this.stats.full++;
      this.entries.set(key, { text, tree: result.tree });
      result.tree = undefined;
    }
    // The model is not kept: what callers need of it they take now.
    if (result.model && withModel) withModel(result.model, result);
    result.model = undefined;
    return result;
  }

  /** The current tree of a document, if its last analysis parsed `text` (owned by the cache). */
  treeFor(key: string, text: string): Tree | undefined {
    const e = this.entries.get(key);
    return e && e.text === text ? e.tree : undefined;
  }

  forget(key: string): void {
    this.entries.get(key)?.tree.delete();
    this.entries.delete(key);
  }

  clear(): void {
    for (const e of this.entries.values()) e.tree.delete();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
