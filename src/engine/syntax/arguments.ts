// The argument reader: the arguments of a call, positional and by keyword, read from the tree.
import type { Node } from 'web-tree-sitter';

/** What reads the source text of a node (the module model remembers them). */
export interface SourceText {
  textOf(node: Node): string;
}

/** A call whose argument lists are read once and kept on it (the model's calls). */
export interface CallArgsHolder {
  callee: Node;
  readonly args: Node | null;
  argList?: Node[];
  positionalArgs?: Node[];
}

/** Arguments of a call (a CallInfo or a `call` node), comments left out; [] for `f(x for x in y)`. */
export function argList(call: CallArgsHolder | Node): Node[] {
  if ('callee' in call) {
    // read once per call of the model and shared by every rule (the caller must not mutate it)
    if (!call.argList) call.argList = readArgs(call.args);
    return call.argList;
  }
  return readArgs((call as Node).childForFieldName('arguments'));
}

function readArgs(args: Node | null): Node[] {
  if (!args || args.type !== 'argument_list') return [];
  return args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
}

/** Positional arguments (no keywords, no `*args` / `**kwargs`). */
export function positionalArgs(call: CallArgsHolder | Node): Node[] {
  if ('callee' in call) {
    if (!call.positionalArgs) call.positionalArgs = argList(call).filter(isPositional);
    return call.positionalArgs;
  }
  return argList(call).filter(isPositional);
}

function isPositional(a: Node): boolean {
  return a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat';
}

/** The `keyword_argument` node named `name`. */
export function keywordArgument(model: SourceText, call: CallArgsHolder | Node, name: string): Node | null {
  for (const a of argList(call)) {
    if (a.type === 'keyword_argument' && model.textOf(a.childForFieldName('name')!) === name) return a;
  }
  return null;
}

/** The value of the keyword argument `name` (`x` in `f(name=x)`). */
export function keywordValue(model: SourceText, call: CallArgsHolder | Node, name: string): Node | null {
  return keywordArgument(model, call, name)?.childForFieldName('value') ?? null;
}

/** The value of a plain string literal (no f-string, no implicit concatenation), else null. */
export function stringValue(model: SourceText, node: Node | null | undefined): string | null {
  if (!node || node.type !== 'string') return null;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  const m = /^([rRbBuU]*)('''|"""|'|")([\s\S]*)\2$/.exec(model.textOf(node));
  if (!m || /[fF]/.test(m[1])) return null;
  const body = m[3];
  return /[rR]/.test(m[1]) ? body : body.replace(/\\(.)/g, '$1');
}
