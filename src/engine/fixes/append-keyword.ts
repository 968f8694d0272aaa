// Adding an entry at the end of a bracketed list (a call's keyword argument, a dictionary's pair), keeping
// the list's layout: one entry per line or inline, with or without a trailing comma.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import type { TextEdit } from '../types';
import { argList } from '../syntax/arguments';

/**
 * The edits that append `text` as the last entry of `list` (an `argument_list` or a `dictionary`, whose
 * entries are `entries`). One entry per line (the last entry on a line below the opening bracket and the
 * closing bracket on a line below it): the new entry gets a line of its own at the last entry's
 * indentation, after a comment that ends the last entry's line, with the same trailing-comma style.
 * Otherwise it is appended inline (`, text`). Empty list: `text` inside the brackets.
 */
export function appendEntryEdits(model: ModuleModel, list: Node, entries: readonly Node[], text: string): TextEdit[] {
  const last = entries[entries.length - 1];
  if (!last) return [model.lines.edit(list.startIndex + 1, list.startIndex + 1, text)];
  const comma = /^\s*,/.exec(model.text.slice(last.endIndex, list.endIndex - 1));
  const afterComma = comma ? last.endIndex + comma[0].length : last.endIndex;
  const lines = model.lines;
  const lastLine = lines.positionAt(last.startIndex).line;
  const endLine = lines.positionAt(afterComma).line;
  const closeLine = lines.positionAt(list.endIndex - 1).line;
  if (closeLine > endLine && lines.positionAt(list.startIndex).line < lastLine) {
    // after whatever ends the last entry's line (its comma, a comment)
    const lineEnd = lines.lineEnd(endLine);
    const rest = model.text.slice(afterComma, lineEnd);
    const at = /^\s*(#.*)?$/.test(rest) ? lineEnd : afterComma;
    const line = `${lines.eol}${lines.indentOf(lastLine)}${text}${comma ? ',' : ''}`;
    if (comma) return [lines.edit(at, at, line)];
    // no trailing comma: one after the last entry, the new entry on the next line
    return at === afterComma ? [lines.edit(at, at, `,${line}`)] : [lines.edit(last.endIndex, last.endIndex, ','), lines.edit(at, at, line)];
  }
  return [lines.edit(afterComma, afterComma, comma ? ` ${text},` : `, ${text}`)];
}

/** The edits that append `text` (`name=value`) as the last argument of the call; null for unusual shapes. */
export function appendKeywordEdits(model: ModuleModel, call: CallInfo, text: string): TextEdit[] | null {
  const list = call.args;
  if (!list || list.type !== 'argument_list') return null;
  return appendEntryEdits(model, list, argList(call), text);
}
