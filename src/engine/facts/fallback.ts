// Calls that run or not depending on whether a parameter was given. A fallback runs only when it was
// not: `(when or date.today())`, `datetime.now() if at is None else at`, `if at is None: at =
// datetime.now()`, and the call of a parameter whose default names the function (`def stamp(now=
// time.time): now()`). A helper written so makes a non-deterministic (or I/O) call only when its
// caller leaves that argument out, so a chain from a workflow that passes it does not reach the call.
// A guarded call runs only when it was given a true value: `if not force: return base` then
// `uuid.uuid4()`, or the call inside `if force:`, with `force=False` the default; a chain from a
// workflow that leaves it out does not reach the call.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import { parentOf } from '../syntax/enclosing';
import { escapeRegExp } from '../text';

/** The parameter a call stands in for: its name, and its position among the positional arguments of a call (null: keyword-only). */
export interface FallbackParam {
  name: string;
  index: number | null;
}

/** The arguments a call passes: how many positional ones (and which of them may be `None`), and the keywords surely given a value. */
export interface PassedArgs {
  positional: number;
  nones: readonly number[];
  keywords: readonly string[];
  /**
   * Arguments that forward a parameter of the calling function defaulting to `None` (`day=day` in
   * `def label(day=None)`): given exactly when that parameter is. `at`: the position or the keyword.
   * `falsy`: the parameter defaults to another false value (`force=force` in `def k(force=False)`):
   * the argument is given (it is also in `keywords` or counted positionally, never `None`), and true
   * only when that parameter is given a true value.
   */
  forwards: readonly { at: number | string; param: string; falsy?: true }[];
}

function unwrap(n: Node | null): Node | null {
  while (n && n.type === 'parenthesized_expression') n = n.namedChildren.find((c) => c?.type !== 'comment') ?? null;
  return n;
}

/** `P is None` (true), `P is not None` (false) or `not P` (true) / `P` (false): whether the condition holds when P is missing. */
function missingTest(model: ModuleModel, cond: Node | null): { name: string; whenMissing: boolean } | null {
  const c = unwrap(cond);
  if (!c) return null;
  if (c.type === 'identifier') return { name: model.textOf(c), whenMissing: false };
  if (c.type === 'not_operator') {
    const arg = unwrap(c.childForFieldName('argument'));
    return arg?.type === 'identifier' ? { name: model.textOf(arg), whenMissing: true } : null;
  }
  if (c.type === 'comparison_operator') {
    const m = /^([A-Za-z_]\w*)\s+is\s+(not\s+)?None$/.exec(model.textOf(c));
    if (m) return { name: m[1], whenMissing: !m[2] };
  }
  return null;
}

/** The position of a parameter among the positional arguments of a call of `fn` (after self or cls); null when keyword-only or absent. */
function positionOf(model: ModuleModel, fn: FunctionInfo, name: string): number | null {
  const params = fn.node.childForFieldName('parameters');
  if (!params) return null;
  const bound = fn.cls && !fn.decorators.some((d) => d.fqn === 'builtins.staticmethod' || model.textOf(d.expr) === 'staticmethod') ? 1 : 0;
  let i = 0;
  for (const p of params.namedChildren) {
    if (!p || p.type === 'comment') continue;
    if (p.type === 'list_splat_pattern' || p.type === 'keyword_separator' || p.type === 'dictionary_splat_pattern') return null;
    if (p.type === 'positional_separator') continue;
    const id = p.type === 'identifier' ? p : p.namedChildren.find((c) => c?.type === 'identifier');
    if (id && model.textOf(id) === name) return i - bound >= 0 ? i - bound : null;
    i++;
  }
  return null;
}

/** The parameter of `fn` that the call at `node` only stands in for, or null when the call runs whatever the arguments. */
export function fallbackParam(model: ModuleModel, node: Node, fn: FunctionInfo): FallbackParam | null {
  // `now()` with `now=time.time` a parameter: the default runs only when the caller leaves it out
  const callee = node.type === 'call' ? node.childForFieldName('function') : null;
  if (callee?.type === 'identifier') {
    const name = model.textOf(callee);
    if (fn.params.includes(name) && fn.bindings.get(name)?.some((b) => b.defaultRef)) return { name, index: positionOf(model, fn, name) };
  }
  let child = node;
  let p = parentOf(node);
  while (p && p.type === 'parenthesized_expression') {
    child = p;
    p = parentOf(p);
  }
  let name: string | null = null;
  if (p?.type === 'boolean_operator' && p.childForFieldName('right')?.id === child.id && /^\s*or\s*$/.test(model.textOf(p.childForFieldName('operator')!))) {
    const left = unwrap(p.childForFieldName('left'));
    if (left?.type === 'identifier') name = model.textOf(left);
  } else if (p?.type === 'conditional_expression') {
    // `a if cond else b`: the named children are a, cond, b
    const [a, cond, b] = p.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const t = missingTest(model, cond);
    if (t && ((a?.id === child.id && t.whenMissing) || (b?.id === child.id && !t.whenMissing))) name = t.name;
  } else {
    // `if P is None: P = call(...)` (the call anywhere in the assigned value)
    for (let n: Node | null = p, c: Node = child; n; c = n, n = parentOf(n)) {
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        if (n.childForFieldName('right')?.id !== c.id || left?.type !== 'identifier') break;
        const up = parentOf(n);
        const stmt = up?.type === 'expression_statement' ? up : null;
        const block = stmt ? parentOf(stmt) : null;
        const ifs = block?.type === 'block' ? parentOf(block) : null;
        if (ifs?.type !== 'if_statement' || ifs.childForFieldName('consequence')?.id !== block!.id) break;
        const t = missingTest(model, ifs.childForFieldName('condition'));
        if (t?.whenMissing && t.name === model.textOf(left)) name = t.name;
        break;
      }
      if (n.type === 'block' || n.type.endsWith('_statement') || n.type === 'lambda' || n.type === 'function_definition') break;
    }
  }
  if (!name || !fn.params.includes(name)) return null;
  return { name, index: positionOf(model, fn, name) };
}

/**
 * The parameter of `fn` that the call at `node` needs given a true value, or null: the call sits in
 * `if P:` (or the `else:` of `if not P:`), after an early `if not P: return ...` of the function's
 * body, or in `P and call()`, with P a parameter whose default is false (`None` too when the test is
 * `P is None`). Left out by its caller, P keeps its default and the call does not run.
 */
export function guardParam(model: ModuleModel, node: Node, fn: FunctionInfo): FallbackParam | null {
  const defaults = falseDefaults(model, fn);
  if (defaults.size === 0 || !testsAParameter(model, fn, defaults)) return null;
  const body = fn.node.childForFieldName('body');
  const param = (t: { name: string; whenMissing: boolean; none?: boolean } | null, needGiven: boolean) => {
    if (!t || t.whenMissing === needGiven) return null;
    const d = defaults.get(t.name);
    return d && (!t.none || d === 'none') ? t.name : null;
  };
  let child = node;
  for (let p = parentOf(node); p && p.id !== fn.node.id; child = p, p = parentOf(p)) {
    let name: string | null = null;
    if (p.type === 'if_statement') {
      const cond = missingOrNone(model, p.childForFieldName('condition'));
      if (p.childForFieldName('consequence')?.id === child.id) name = param(cond, true);
      else if (child.type === 'else_clause' && !p.namedChildren.some((c) => c?.type === 'elif_clause')) name = param(cond && { ...cond, whenMissing: !cond.whenMissing }, true);
    } else if (p.type === 'boolean_operator' && p.childForFieldName('right')?.id === child.id && /^\s*and\s*$/.test(model.textOf(p.childForFieldName('operator')!))) {
      name = param(missingOrNone(model, p.childForFieldName('left')), true);
    } else if (p.type === 'conditional_expression') {
      const [a, cond, b] = p.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      const t = missingOrNone(model, cond);
      if (a?.id === child.id) name = param(t, true);
      else if (b?.id === child.id) name = param(t && { ...t, whenMissing: !t.whenMissing }, true);
    } else if (p.id === body?.id) {
      // an early exit before the call's statement: `if not force: return base`
      for (const stmt of p.namedChildren) {
        if (!stmt || stmt.startIndex >= child.startIndex) break;
        if (stmt.type !== 'if_statement' || stmt.namedChildren.some((c) => c?.type === 'elif_clause' || c?.type === 'else_clause')) continue;
        const last = stmt.childForFieldName('consequence')?.lastNamedChild;
        if (last?.type !== 'return_statement' && last?.type !== 'raise_statement') continue;
        name = param(missingOrNone(model, stmt.childForFieldName('condition')), false);
        if (name) break;
      }
    }
    if (name && fn.params.includes(name)) return { name, index: positionOf(model, fn, name) };
  }
  return null;
}

const testedParams = new WeakMap<FunctionInfo, boolean>();

/**
 * Whether the function's text tests one of its false-default parameters the way `guardParam` reads
 * (`if P`, `if not P`, `P is None`, `P and`, `else`): most functions with such parameters do not, and
 * their calls then skip the walk up the tree (read from the text, once per function).
 */
function testsAParameter(model: ModuleModel, fn: FunctionInfo, defaults: Map<string, 'none' | 'falsy'>): boolean {
  let hit = testedParams.get(fn);
  if (hit === undefined) {
    const text = model.text.slice(fn.node.startIndex, fn.node.endIndex);
    const names = [...defaults.keys()].map(escapeRegExp).join('|');
    hit = new RegExp(`\\b(?:if|elif)\\s+(?:not\\s+)?\\(?\\s*(?:${names})\\b|\\b(?:${names})\\s+(?:and\\b|is\\s)`).test(text);
    testedParams.set(fn, hit);
  }
  return hit;
}

/** `missingTest`, and whether the test is against `None` (then only a `None` default makes it hold when the parameter is left out). */
function missingOrNone(model: ModuleModel, cond: Node | null): { name: string; whenMissing: boolean; none?: boolean } | null {
  const t = missingTest(model, cond);
  if (!t) return null;
  return unwrap(cond)?.type === 'comparison_operator' ? { ...t, none: true } : t;
}

const optionalParams = new WeakMap<FunctionInfo, Map<string, 'none' | 'falsy'>>();

/**
 * The parameters of a function whose default is false (a caller may leave them out): `None`
 * (`'none'`), or `False`, `0` or an empty string (`'falsy'`).
 */
function falseDefaults(model: ModuleModel, fn: FunctionInfo): Map<string, 'none' | 'falsy'> {
  let names = optionalParams.get(fn);
  if (names) return names;
  names = new Map();
  for (const p of fn.node.childForFieldName('parameters')?.namedChildren ?? []) {
    const type = p?.type;
    if (!p || (type !== 'default_parameter' && type !== 'typed_default_parameter')) continue;
    const name = p.childForFieldName('name');
    const value = p.childForFieldName('value');
    if (!name || !value) continue;
    if (value.type === 'none') names.set(model.textOf(name), 'none');
    else if (FALSY_LITERAL.test(model.textOf(value))) names.set(model.textOf(name), 'falsy');
  }
  optionalParams.set(fn, names);
  return names;
}

const FALSY_LITERAL = /^(False|0|""|'')$/;

/**
 * The arguments of a call, split at the top-level commas of its argument list as written (strings,
 * brackets and comments skipped); null when the text after the callee is not a parenthesised list.
 * Read from the text: a call's arguments are wanted for every call of every summarised function, and
 * the text costs no call into the parser's wasm.
 */
function argumentTexts(text: string): string[] | null {
  let i = 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '(' || text[text.length - 1] !== ')') return null;
  const out: string[] = [];
  let depth = 0;
  let from = i + 1;
  for (i = i + 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      for (i += close.length; i < text.length - 1 && !text.startsWith(close, i); i++) if (text[i] === '\\') i++;
      i += close.length - 1;
    } else if (c === '#') {
      while (i < text.length - 1 && text[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from, text.length - 1));
  return out.map((a) => a.replace(/#[^\n]*/g, '').trim()).filter((a) => a.length > 0);
}

const KEYWORD = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/;
const NAME = /^[A-Za-z_]\w*$/;

/**
 * What a call passes (see PassedArgs); null when it unpacks `*args` or `**kwargs` (anything may be
 * passed). An argument that forwards a parameter of the calling function defaulting to `None`
 * (`stamp(day=day)` in `def label(day=None)`) is listed in `forwards`: it may be left out upstream.
 */
export function passedArgs(model: ModuleModel, call: CallInfo): PassedArgs | null {
  // asked for the same call by the summary and by each effect rule: read once
  let hit = passedOfCalls.get(call);
  if (hit === undefined) passedOfCalls.set(call, (hit = readPassedArgs(model, call)));
  return hit;
}

const passedOfCalls = new WeakMap<CallInfo, PassedArgs | null>();

/** Kept by the project index for every call of every module: empty lists are one shared list. */
const NOTHING: readonly never[] = Object.freeze([]);

function readPassedArgs(model: ModuleModel, call: CallInfo): PassedArgs | null {
  const args = argumentTexts(model.text.slice(call.start + model.textOf(call.callee).length, call.end));
  const out = { positional: 0, nones: [] as number[], keywords: [] as string[], forwards: [] as PassedArgs['forwards'][number][] };
  if (!args) return positionalOnly(0, []);
  // the caller's false defaults are read only for an argument that is a bare name
  let optional: Map<string, 'none' | 'falsy'> | null | undefined;
  const forwarded = (v: string) => {
    if (!NAME.test(v)) return undefined;
    if (optional === undefined) optional = call.scope.fn ? falseDefaults(model, call.scope.fn) : null;
    return optional?.get(v);
  };
  for (const a of args) {
    if (a.startsWith('*')) return null;
    const k = KEYWORD.exec(a);
    if (k) {
      const kind = forwarded(k[2]);
      if (kind === 'none') out.forwards.push({ at: k[1], param: k[2] });
      else if (k[2] !== 'None') out.keywords.push(k[1]);
      if (kind === 'falsy') out.forwards.push({ at: k[1], param: k[2], falsy: true });
    } else {
      const kind = forwarded(a);
      if (kind) out.forwards.push(kind === 'none' ? { at: out.positional, param: a } : { at: out.positional, param: a, falsy: true });
      if (kind === 'none' || a === 'None') out.nones.push(out.positional);
      out.positional++;
    }
  }
  if (out.keywords.length === 0 && out.forwards.length === 0) return positionalOnly(out.positional, out.nones);
  return {
    positional: out.positional,
    nones: out.nones.length ? out.nones : NOTHING,
    keywords: out.keywords.length ? out.keywords : NOTHING,
    forwards: out.forwards.length ? out.forwards : NOTHING,
  };
}

/**
 * Arguments without keywords or forwards, one object per count and `None` positions: most calls
 * of every module pass such arguments, and the index keeps them all for the session (a shared
 * object is plain data nobody changes, without strings that would hold a file's text).
 */
function positionalOnly(positional: number, nones: number[]): PassedArgs {
  const key = nones.length ? `${positional}:${nones.join(',')}` : `${positional}`;
  let hit = POSITIONAL_ONLY.get(key);
  if (!hit) {
    hit = { positional, nones: nones.length ? nones : NOTHING, keywords: NOTHING, forwards: NOTHING };
    if (POSITIONAL_ONLY.size < 1000) POSITIONAL_ONLY.set(key, hit);
  }
  return hit;
}

const POSITIONAL_ONLY = new Map<string, PassedArgs>();

/**
 * The parameter of the calling function that the call forwards into `param`, if any: one defaulting
 * to `None` (given exactly when it is), or with `falsy` also one defaulting to another false value
 * (true exactly when it is given a true value).
 */
export function forwardedInto(passed: PassedArgs | null | undefined, param: FallbackParam, falsy = false): string | null {
  if (!passed) return null;
  return passed.forwards.find((f) => (falsy || !f.falsy) && (f.at === param.name || (param.index !== null && f.at === param.index)))?.param ?? null;
}

/** The parameters of `fn` with a false default (`None`, `False`, `0`, `""`), with their positions (for the summaries of other files). */
export function optionalParameters(model: ModuleModel, fn: FunctionInfo): Record<string, number | null> | undefined {
  const names = falseDefaults(model, fn);
  if (names.size === 0) return undefined;
  const out: Record<string, number | null> = {};
  for (const n of names.keys()) out[n] = positionOf(model, fn, n);
  return out;
}

/** The position of a parameter of `fn` among a call's positional arguments (see FallbackParam). */
export function parameterPosition(model: ModuleModel, fn: FunctionInfo, name: string): FallbackParam {
  return { name, index: positionOf(model, fn, name) };
}

/** Whether the arguments a call passes give the parameter (so the fallback does not run). */
export function passes(passed: PassedArgs | null | undefined, fallback: FallbackParam): boolean {
  if (!passed) return false;
  if (fallback.index !== null && passed.positional > fallback.index && !passed.nones.includes(fallback.index)) return true;
  return passed.keywords.includes(fallback.name);
}
