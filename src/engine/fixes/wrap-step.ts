// "Wrap this call in a step", in its three forms: inline DBOS.run_step, a new @DBOS.step()
// function, or @DBOS.step() on a helper of the same file.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import { atLeast } from '../version';
import type { Fix, TextEdit } from '../types';
import { Enclosing, holds, parentOf } from '../syntax/enclosing';
import { dbosName, freshName, identifierFrom, indentUnitOf, topLevelStatementOf } from './common';

/** The expression a wrap replaces: the call, its `await`, or a method chain on its result. */
interface Target {
  node: Node;
  /** The call expression was awaited (`await client.get(url)`). */
  awaited: boolean;
  /** The target is exactly the call (or its await): the callee and arguments can be passed directly. */
  direct: boolean;
}

function findTarget(call: CallInfo): Target {
  const parent = parentOf(call.node);
  if (parent?.type === 'await') return { node: parent, awaited: true, direct: true };
  let cur: Node = call.node;
  // extend over method calls on the result: requests.get(url).json()
  for (let p = parent; p && p.type === 'attribute' && p.childForFieldName('object')?.id === cur.id; ) {
    const pp = parentOf(p);
    if (!pp || pp.type !== 'call' || pp.childForFieldName('function')?.id !== p.id) break;
    cur = pp;
    p = parentOf(cur);
  }
  return { node: cur, awaited: false, direct: cur.id === call.node.id };
}

/** Whether an expression replacing `node` needs parentheses when it starts with `await`. */
function needsParens(node: Node): boolean {
  const p = parentOf(node);
  if (!p) return false;
  if (p.type === 'attribute' || p.type === 'subscript') return p.namedChildren[0]?.id === node.id;
  if (p.type === 'call') return p.childForFieldName('function')?.id === node.id;
  return p.type === 'unary_operator';
}

function pyString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Inside a generator expression of the workflow: an `await` there would make it an async generator
 * (`sum(... for ...)` then fails), so an async workflow gets no wrap there.
 */
function inGeneratorExpression(node: Node, workflow: FunctionInfo): boolean {
  return around(node, workflow).some((p) => p.type === 'generator_expression');
}

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/**
 * The comprehensions and lambdas of each workflow, found from offsets (a `.parent` loop is quadratic
 * on deep expressions); read from the workflow's own subtree, the only place `around` looks.
 */
const binders = new WeakMap<FunctionInfo, Enclosing>();

/** The comprehensions and lambdas around `node` inside the workflow, innermost first. */
function around(node: Node, workflow: FunctionInfo): Node[] {
  let ix = binders.get(workflow);
  if (!ix) binders.set(workflow, (ix = new Enclosing(workflow.node.descendantsOfType([...COMPREHENSIONS, 'lambda']).filter((n) => n?.isNamed))));
  const out: Node[] = [];
  for (const p of ix.around(node.startIndex, node.endIndex)) {
    if (p.id === node.id) continue;
    if (p.id === workflow.node.id || !holds(workflow.node, p)) break;
    out.push(p);
  }
  return out;
}

/** What a wrap needs of the rule's context: the model, the target DBOS version, the line length. */
export interface WrapContext {
  model: ModuleModel;
  version: [number, number] | null;
  config: { lineLength: number };
}

/** The arguments of a call as written, one text each (comments left out); null when they cannot be passed on. */
function argTexts(model: ModuleModel, call: CallInfo): string[] | null {
  const args = call.args;
  if (!args) return [];
  if (args.type !== 'argument_list') return null; // generator argument: f(x for x in y)
  const out: string[] = [];
  for (const a of args.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name');
      if (k && (model.textOf(k) === 'func' || model.textOf(k) === 'dbos_step_options')) return null;
    }
    out.push(model.textOf(a));
  }
  return out;
}

/**
 * `head(arg, arg, ...)` replacing `node`, laid out as Black and Ruff would: on the line when it fits
 * in `lineLength`, else the arguments on one indented line between the brackets, else one argument
 * per line with a trailing comma.
 */
export function callLayout(model: ModuleModel, node: Node, head: string, args: string[], lineLength: number, close = ')'): string {
  const one = `${head}(${args.join(', ')}${close}`;
  const startLine = model.lines.positionAt(node.startIndex).line;
  const endLine = model.lines.positionAt(node.endIndex).line;
  const before = model.text.slice(model.lines.starts[startLine], node.startIndex);
  const after = model.text.slice(node.endIndex, model.lines.lineEnd(endLine));
  const multiline = args.some((a) => a.includes('\n'));
  // a trailing comment counts, as it does for Black and Ruff
  if (!multiline && startLine === endLine && (before + one + after).replace(/\s+$/, '').length <= lineLength) return one;
  const eol = model.lines.eol;
  const indent = model.lines.indentOf(startLine);
  const inner = indent + indentUnitOf(model);
  const joined = `${inner}${args.join(', ')}`;
  if (!multiline && joined.length <= lineLength) return `${head}(${eol}${joined}${eol}${indent}${close}`;
  return `${head}(${eol}${args.map((a) => `${inner}${a},`).join(eol)}${eol}${indent}${close}`;
}

/**
 * The name a step is recorded under, from the callee's text: a dotted name as written
 * (`requests.get`, `make_client().get`), calls' arguments left out (`sqlite3.connect().execute`), else
 * the method's own name (`(base / "seen").touch` -> `touch`) rather than an expression a reader has
 * to unescape.
 */
function readableStepName(callee: string): string {
  let name = callee.replace(/\s+/g, '');
  for (let before = ''; before !== name; ) {
    before = name;
    name = name.replace(/\([^()]*\)/g, '()');
  }
  if (/^[A-Za-z_][\w.]*(\(\)[\w.]*)*$/.test(name) && !name.includes('..')) return name;
  return /(\w+)\s*$/.exec(callee)?.[1] ?? callee;
}

/** `x = DBOS.run_step({"name": "requests.get"}, requests.get, url)` (or `await DBOS.run_step_async`). */
export function wrapInlineFix(ctx: WrapContext, call: CallInfo, workflow: FunctionInfo, stepName: string): Fix | null {
  const { model } = ctx;
  if (!atLeast(ctx.version, 2, 9)) return null;
  const t = findTarget(call);
  if (workflow.isAsync && !t.awaited && inGeneratorExpression(t.node, workflow)) return null;
  const dbos = dbosName(model);
  const opts = `{"name": ${pyString(readableStepName(stepName))}}`;
  let args: string[];
  const passed = t.direct ? argTexts(model, call) : null;
  if (t.direct && passed !== null) {
    args = [opts, model.textOf(call.callee), ...passed];
  } else if (t.awaited) {
    return null; // an awaited call with arguments we cannot pass through: extraction handles it
  } else {
    args = [opts, `lambda: ${model.textOf(t.node)}`];
  }
  const parens = workflow.isAsync && needsParens(t.node);
  const head = workflow.isAsync ? `${parens ? '(' : ''}await ${dbos.text}.run_step_async` : `${dbos.text}.run_step`;
  const text = callLayout(model, t.node, head, args, ctx.config.lineLength, parens ? '))' : ')');
  return {
    title: `Wrap in a step: ${workflow.isAsync ? 'await DBOS.run_step_async' : 'DBOS.run_step'}(…)`,
    safe: false,
    preferred: true,
    edits: [...dbos.edits, model.lines.edit(t.node.startIndex, t.node.endIndex, text)],
  };
}

/** Callee names that say little alone: their object names the step with them (`requests.get` -> `requests_get`). */
const GENERIC = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'request', 'run', 'call', 'create', 'now', 'utcnow', 'today', 'time', 'send', 'read', 'write', 'open', 'execute', 'fetch', 'query', 'load', 'invoke', 'random']);

/** `requests.get` -> `requests.get`, `uuid.uuid4` -> `uuid4`, `client.chat.completions.create` -> `completions.create`. */
function calleeStem(text: string): string {
  const parts = text.replace(/\(\)/g, '').split('.').filter(Boolean);
  const last = parts[parts.length - 1] ?? text;
  const prev = parts[parts.length - 2];
  if (!prev || !GENERIC.has(last) || prev.startsWith('_')) return last;
  return `${prev}.${last}`;
}

/**
 * The name of a step extracted from an expression: from what it is assigned to (`order_id = ...` ->
 * `get_order_id`), else from the function given (`make_token` -> `make_token_step`; a name that
 * already ends in `step` gets `run_`).
 */
export function extractedStepName(model: ModuleModel, node: Node, fallback: string): string {
  let n = node;
  const up = parentOf(n);
  if (up?.type === 'await') n = up;
  const p = parentOf(n);
  if (p && (p.type === 'assignment' || p.type === 'augmented_assignment') && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    let target: string | null = null;
    if (left?.type === 'identifier') target = model.textOf(left);
    else if (left?.type === 'attribute') target = model.textOf(left.childForFieldName('attribute')!);
    else if (left?.type === 'subscript') {
      const key = left.childForFieldName('subscript');
      const m = key ? /^["']([A-Za-z_]\w*)["']$/.exec(model.textOf(key)) : null;
      if (m) target = m[1];
    }
    const id = target ? identifierFrom(target) : '';
    // a name of one or two letters (`r = requests.get(...)`) says nothing: the callee names the step better
    if (id.length > 2 && !id.startsWith('step_')) return `get_${id}`;
  }
  const base = identifierFrom(calleeStem(fallback));
  return /(^|_)step$/.test(base) ? `run_${base}` : `${base}_step`;
}

/** Names bound between the expression and the workflow: comprehension variables, lambda parameters. */
function boundAround(model: ModuleModel, node: Node, workflow: FunctionInfo): Set<string> {
  const out = new Set<string>();
  for (const p of around(node, workflow)) {
    if (COMPREHENSIONS.has(p.type)) {
      for (const clause of p.namedChildren) {
        if (clause?.type !== 'for_in_clause') continue;
        const left = clause.childForFieldName('left');
        if (!left) continue;
        for (const id of left.type === 'identifier' ? [left] : left.descendantsOfType('identifier')) if (id) out.add(model.textOf(id));
      }
    } else if (p.type === 'lambda') {
      for (const id of p.childForFieldName('parameters')?.descendantsOfType('identifier') ?? []) if (id) out.add(model.textOf(id));
    }
  }
  return out;
}

/** An identifier of a workflow: where it is, its name, and whether it names an attribute or a keyword instead of reading a variable. */
interface Identifier {
  start: number;
  end: number;
  name: string;
  /** `x.attr`'s `attr`. */
  attribute: boolean;
  /** `f(key=v)`'s `key`. */
  keyword: boolean;
}

/**
 * The identifiers of each workflow in document order, read once per workflow: each expression a fix
 * moves takes its slice by offsets, instead of a walk over its nodes and a `.parent` per identifier
 * (quadratic or worse when the findings' expressions nest, `f(f(f(...)))`).
 */
const identifierTables = new WeakMap<FunctionInfo, Identifier[]>();

function identifiersIn(model: ModuleModel, workflow: FunctionInfo, node: Node): Identifier[] {
  let table = identifierTables.get(workflow);
  if (!table) {
    const attributes = new Set<number>();
    const keywords = new Set<number>();
    for (const n of workflow.node.descendantsOfType(['attribute', 'keyword_argument'])) {
      const field = n?.childForFieldName(n.type === 'attribute' ? 'attribute' : 'name');
      if (field) (n!.type === 'attribute' ? attributes : keywords).add(field.id);
    }
    table = [];
    for (const id of workflow.node.descendantsOfType('identifier')) {
      if (!id) continue;
      table.push({ start: id.startIndex, end: id.endIndex, name: model.textOf(id), attribute: attributes.has(id.id), keyword: keywords.has(id.id) });
    }
    identifierTables.set(workflow, table);
  }
  let lo = 0;
  let hi = table.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (table[mid].start < node.startIndex) lo = mid + 1;
    else hi = mid;
  }
  const last = node.endIndex;
  let end = lo;
  while (end < table.length && table[end].end <= last) end++;
  return table.slice(lo, end);
}

/** Names read by an expression that are local to the workflow (they become the step's parameters). */
function freeVariables(model: ModuleModel, node: Node, workflow: FunctionInfo): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const around = boundAround(model, node, workflow);
  for (const id of identifiersIn(model, workflow, node)) {
    if (id.attribute || id.keyword || seen.has(id.name)) continue;
    const name = id.name;
    seen.add(name);
    let local = around.has(name);
    for (let f: FunctionInfo | null = workflow; f && !local; f = f.parent) {
      if (f.bindings.has(name) || f.imports.has(name)) {
        local = !f.imports.has(name);
        break;
      }
    }
    if (local) out.push(name);
  }
  return out;
}

/** Offset of the first line of the comments directly above a statement. */
function startWithComments(model: ModuleModel, stmt: Node): number {
  let start = stmt.startIndex;
  for (let prev = stmt.previousSibling; prev && prev.type === 'comment'; prev = prev.previousSibling) {
    const gap = model.text.slice(prev.endIndex, start);
    if (/\n[ \t]*\r?\n/.test(gap)) break;
    start = prev.startIndex;
  }
  return model.lines.starts[model.lines.positionAt(start).line];
}

const PRIVATE = /^__\w*[^_\W]_?$/;

/**
 * The expression's text as it must read outside its class: `self.__key` is `self._Class__key` there
 * (Python mangles private names only inside the class body). Null when the expression cannot move
 * out of the class: zero-argument `super()`, `__class__`, or a private bare name that is not a parameter.
 */
function outsideClassText(model: ModuleModel, node: Node, workflow: FunctionInfo, params: string[]): string | null {
  const text = model.textOf(node);
  // the innermost class around the expression, from offsets
  let cls: Node | null = null;
  for (const c of model.classes) if (holds(c.node, node) && (!cls || holds(cls, c.node))) cls = c.node;
  if (!cls) return text;
  if (/\bsuper\s*\(\s*\)|\b__class__\b/.test(text)) return null;
  if (!text.includes('__')) return text;
  const owner = model.textOf(cls.childForFieldName('name')!).replace(/^_+/, '');
  const edits: { start: number; end: number; text: string }[] = [];
  for (const id of identifiersIn(model, workflow, node)) {
    const name = id.name;
    if (!PRIVATE.test(name)) continue;
    if (!id.attribute) {
      if (params.includes(name)) continue;
      return null;
    }
    if (!owner) continue;
    edits.push({ start: id.start - node.startIndex, end: id.end - node.startIndex, text: `_${owner}${name}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Extracts the expression into a new module-level `@DBOS.step()` function and calls it (null where `await` cannot go). */
export function extractStepFix(model: ModuleModel, call: CallInfo, workflow: FunctionInfo, baseName: string): Fix | null {
  const t = findTarget(call);
  if (workflow.isAsync && !t.awaited && inGeneratorExpression(t.node, workflow)) return null;
  const dbos = dbosName(model);
  const eol = model.lines.eol;
  // a local of the workflow (or of a function around it) with that name would hide the new step at the call
  const name = freshName(model, extractedStepName(model, t.node, baseName), (n) => {
    for (let f: FunctionInfo | null = workflow; f; f = f.parent) if (f.bindings.has(n) || f.imports.has(n)) return true;
    return false;
  });
  const params = freeVariables(model, t.node, workflow);
  const exprText = outsideClassText(model, t.node, workflow, params);
  if (exprText === null) return null;
  const isAsync = workflow.isAsync;
  const body = exprText.includes('\n') && !/^[\w.]+\(/.test(exprText) ? `(${exprText})` : exprText;
  const def =
    `@${dbos.text}.step()${eol}` +
    `${isAsync ? 'async ' : ''}def ${name}(${params.join(', ')}):${eol}` +
    `${indentUnitOf(model)}return ${body}${eol}${eol}${eol}`;
  // before the workflow, and before a module-level DBOS.launch() above it: a step registered after
  // launch would be missing when launch recovers workflows (DBOS105)
  let stmt = topLevelStatementOf(workflow.statement);
  const launch = moduleLaunchBefore(model, stmt.startIndex);
  const beforeLaunch = !!launch;
  if (launch) stmt = topLevelStatementOf(launch.node);
  const at = startWithComments(model, stmt);
  // two blank lines before the new function when code comes right before it
  const lead = beforeLaunch && !/(^|\n)[ \t]*\r?\n$/.test(model.text.slice(Math.max(0, at - 200), at)) && at > 0 ? eol + eol : '';
  let callText = `${name}(${params.join(', ')})`;
  if (isAsync) {
    callText = `await ${callText}`;
    if (needsParens(t.node)) callText = `(${callText})`;
  }
  const edits: TextEdit[] = [...dbos.edits, model.lines.edit(at, at, lead + def), model.lines.edit(t.node.startIndex, t.node.endIndex, callText)];
  return { title: `Extract into a new step \`${name}\``, safe: false, edits };
}

/** The first `DBOS.launch()` that runs at import, above `offset` (not in a class, nor under `if __name__ == "__main__":`). */
function moduleLaunchBefore(model: ModuleModel, offset: number): CallInfo | null {
  for (const c of model.moduleCalls) {
    if (c.start < offset && !c.scope.cls && !c.scope.mainGuard && model.calleeFqn(c) === 'dbos.DBOS.launch') return c;
  }
  return null;
}

/**
 * Adds `@DBOS.step()` above a helper function of the same file; null when the helper is defined
 * below a `DBOS.launch()` that runs at import (the step would be registered after launch: DBOS105).
 */
export function decorateHelperFix(model: ModuleModel, helper: FunctionInfo): Fix | null {
  if (moduleLaunchBefore(model, topLevelStatementOf(helper.statement).startIndex)) return null;
  const dbos = dbosName(model);
  const line = model.lines.positionAt(helper.node.startIndex).line;
  const indent = model.lines.indentOf(line);
  return {
    title: `Make \`${helper.name}\` a step (add @DBOS.step())`,
    safe: false,
    preferred: true,
    edits: [...dbos.edits, model.lines.edit(helper.node.startIndex, helper.node.startIndex, `@${dbos.text}.step()${model.lines.eol}${indent}`)],
  };
}
