// Reading Python syntax shared by the rules: call arguments and literal values.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';

/** Arguments of a call (a CallInfo or a `call` node), comments left out; [] for `f(x for x in y)`. */
export function argList(call: CallInfo | Node): Node[] {
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
export function positionalArgs(call: CallInfo | Node): Node[] {
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
export function keywordArgument(model: ModuleModel, call: CallInfo | Node, name: string): Node | null {
  for (const a of argList(call)) {
    if (a.type === 'keyword_argument' && model.textOf(a.childForFieldName('name')!) === name) return a;
  }
  return null;
}

/** The value of a plain string literal (no f-string, no implicit concatenation), else null. */
export function stringValue(model: ModuleModel, node: Node | null | undefined): string | null {
  if (!node || node.type !== 'string') return null;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  const m = /^([rRbBuU]*)('''|"""|'|")([\s\S]*)\2$/.exec(model.textOf(node));
  if (!m || /[fF]/.test(m[1])) return null;
  const body = m[3];
  return /[rR]/.test(m[1]) ? body : body.replace(/\\(.)/g, '$1');
}
