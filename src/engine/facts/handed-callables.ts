// Functions handed to a helper that calls them: `_fetch_optional(storage.read_html, key)` with
// `def _fetch_optional(func, *args): return func(*args)`. The helper's call `func(*args)` names no
// function; the caller's argument does. A chain walk takes such an argument as a call made where
// the helper is called (project/chains.ts), so what `storage.read_html` does is found from the
// workflow that reaches `_fetch_optional`.
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import { argList } from '../syntax/arguments';
import { parameterPosition, type FallbackParam } from './fallback';

/** A function passed by reference: where (a position among the positional arguments, or a keyword) and what it names. */
export interface HandedReference {
  at: number | string;
  /** The function of the same module it names, by qualified name. */
  local?: string;
  /** Otherwise its qualified name (`app.store.Store().read`), for the project index to resolve. */
  fqn?: string;
}

/** Names that are never a project function worth following (builtins, typing, constants in capitals). */
const NOT_A_FUNCTION = /^(builtins|typing|typing_extensions|collections|enum|dataclasses)\.|\.[A-Z][A-Z0-9_]*$/;

/**
 * The arguments of `call` that name a function (a bare name or an attribute, not a call): a function
 * of this module, or a dotted name another module may define. Undefined when there is none. An
 * instance (`client`, resolved to `httpx.Client()`) is not a function.
 */
export function handedReferences(model: ModuleModel, call: CallInfo): HandedReference[] | undefined {
  let out: HandedReference[] | undefined;
  let position = 0;
  for (const a of argList(call)) {
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return out;
    let at: number | string = position;
    let value = a;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name');
      const v = a.childForFieldName('value');
      if (!name || !v) continue;
      at = model.textOf(name);
      value = v;
    } else position++;
    if (value.type !== 'identifier' && value.type !== 'attribute') continue;
    const fqn = model.resolve(value);
    if (!fqn || !fqn.includes('.') || fqn.endsWith(')') || NOT_A_FUNCTION.test(fqn)) continue;
    const own = model.functionsByFqn.get(fqn);
    (out ??= []).push(own ? { at, local: own.qualname } : { at, fqn });
  }
  return out;
}

/** The parameters `fn` calls as functions in its own body (`func(*args)`, `await fn()`), unless rebound there. */
export function calledParameters(model: ModuleModel, fn: FunctionInfo): FallbackParam[] | undefined {
  let out: FallbackParam[] | undefined;
  for (const c of fn.calls) {
    if (c.calleeType !== 'identifier' || c.scope.fn !== fn) continue;
    const name = model.textOf(c.callee);
    if (!fn.params.includes(name) || out?.some((p) => p.name === name) || reboundInBody(fn, name)) continue;
    (out ??= []).push(parameterPosition(model, fn, name));
  }
  return out;
}

/** A parameter assigned again in the function (`func = wrap(func)`): its calls may be another function. */
function reboundInBody(fn: FunctionInfo, name: string): boolean {
  const body = fn.body;
  return !!body && !!fn.bindings.get(name)?.some((b) => b.node.startIndex >= body.startIndex && b.node.endIndex <= body.endIndex);
}

/** Whether a reference handed at `ref.at` lands on one of the parameters `called`. */
export function landsOnCalled(ref: HandedReference, called: readonly FallbackParam[]): boolean {
  return called.some((p) => p.name === ref.at || (p.index !== null && p.index === ref.at));
}
