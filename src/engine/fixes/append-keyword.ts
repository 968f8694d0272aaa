// Adding a keyword argument at the end of a call, keeping the call's layout (one argument per line or inline).
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import type { TextEdit } from '../types';
import { argList } from '../syntax/arguments';

/** An edit that appends `text` (`name=value`) as the last argument of the call; null for unusual shapes. */
export function appendKeywordEdit(model: ModuleModel, call: CallInfo, text: string): TextEdit | null {
  const list = call.args;
  if (!list || list.type !== 'argument_list') return null;
  const args = argList(call);
  const last = args[args.length - 1];
  if (!last) return model.lines.edit(list.startIndex + 1, list.startIndex + 1, text);
  const comma = /^\s*,/.exec(model.text.slice(last.endIndex, list.endIndex - 1));
  const at = comma ? last.endIndex + comma[0].length : last.endIndex;
  const lastLine = model.lines.positionAt(last.startIndex).line;
  const closeLine = model.lines.positionAt(list.endIndex - 1).line;
  // one argument per line: the new one gets a line of its own, with the same trailing-comma style
  if (closeLine > lastLine && model.lines.positionAt(list.startIndex).line < lastLine) {
    return model.lines.edit(at, at, `${comma ? '' : ','}${model.lines.eol}${model.lines.indentOf(lastLine)}${text}${comma ? ',' : ''}`);
  }
  return model.lines.edit(at, at, `${comma ? ' ' : ', '}${text}`);
}
