// Which argument of a call a parameter of the called function receives.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import { callArgs } from './queues';

/**
 * The parameter's position among those a caller fills by position (`self` of a method called
 * through an attribute left out), or null when it is keyword-only (after `*` or `*args`) or absent.
 */
function positionOf(model: ModuleModel, fn: FunctionInfo, param: string, boundSelf: boolean): number | null {
  const params = fn.node.childForFieldName('parameters');
  if (!params) return null;
  let i = 0;
  for (const p of params.namedChildren) {
    if (!p || p.type === 'comment' || p.type === 'positional_separator') continue;
    if (p.type === 'keyword_separator' || p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') return null;
    const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier') ?? null);
    if (id?.type !== 'identifier') return null; // `*args: T` and the like
    if (model.textOf(id) === param) return boundSelf ? i - 1 : i;
    i++;
  }
  return null;
}

/**
 * The argument `call` passes for parameter `param` of `fn` (by keyword or by position), or null when
 * the call leaves it out or unpacks `*args`/`**kwargs` where it could be. A method called through an
 * attribute (`self.make(...)`, `obj.make(...)`) has its first parameter bound already.
 */
export function argumentFor(model: ModuleModel, fn: FunctionInfo, call: CallInfo, param: string): Node | null {
  const args = callArgs(model, call.args);
  const kw = args.keywords.get(param);
  if (kw) return kw.value;
  if (args.splat) return null;
  const staticLike = fn.decorators.some((d) => /(^|\.)staticmethod$/.test(d.fqn ?? ''));
  const boundSelf = !!fn.cls && !staticLike && call.calleeType === 'attribute';
  const at = positionOf(model, fn, param, boundSelf);
  if (at === null || at < 0) return null;
  return args.positional[at] ?? null;
}
