// DBOS methods seen from async code (DBOS901, DBOS902): which sync methods raise in a running event
// loop, which only block it, their `_async` twins, and the "use the async twin" fix.
import type { Node } from 'web-tree-sitter';
import api from '../data/dbos-api.json';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import type { Fix, TextEdit } from '../types';
import { parentOf } from '../syntax/enclosing';
import { parseVersion } from '../version';

export type Receiver = 'DBOS' | 'queue' | 'client';

export interface DbosMethodCall {
  /** `raising`: calls check_async (RuntimeError in a running loop); `blocking`: only blocks the loop. */
  kind: 'raising' | 'blocking';
  receiver: Receiver;
  /** The sync method name (`get_event`). */
  name: string;
  /** For raising methods: the first DBOS version whose method raises. */
  since: [number, number] | null;
}

// the data file gives "2.10"-style versions
const RAISING = new Map<string, [number, number]>(Object.entries(api.raising).map(([k, v]) => [k, parseVersion(v) ?? [0, 0]]));
const BLOCKING = new Set(api.blocking);
const RETURNS_HANDLE = new Set(api.returnsHandle);
const QUEUE_OBJECTS = new Set(api.queueObjects);
const QUEUE_BLOCKING = new Set(api.queueBlocking);
const CLIENT_OBJECTS = new Set(api.clientObjects);
const CLIENT_BLOCKING = new Set(api.clientBlocking);
const GENERATORS = new Set(api.generators);
const ASYNC_HANDLE_METHODS = new Set(api.asyncHandleMethods);
const ASYNC_HANDLE_SOURCES = new Set(api.asyncHandleSources.filter((s) => !s.startsWith('{queue}')));
const QUEUE_ASYNC_HANDLE = api.asyncHandleSources.filter((s) => s.startsWith('{queue}')).map((s) => s.slice('{queue}'.length));

export function isQueueObject(fqn: string | null): boolean {
  return !!fqn && QUEUE_OBJECTS.has(fqn);
}

export function isClientObject(fqn: string | null): boolean {
  return !!fqn && CLIENT_OBJECTS.has(fqn);
}

const METHOD_NAMES = new Set([...RAISING.keys(), ...BLOCKING, ...QUEUE_BLOCKING, ...CLIENT_BLOCKING]);

/** Whether a name's last segment is the name of a sync DBOS, queue or client method with an async twin (a cheap test before resolving more). */
export function mayBeDbosMethod(fqn: string): boolean {
  return METHOD_NAMES.has(fqn.slice(fqn.lastIndexOf('.') + 1));
}

/** Splits `a.b.c` into `a.b` and `c` (the receiver and the method). */
function split(fqn: string): [string, string] | null {
  const i = fqn.lastIndexOf('.');
  return i < 0 ? null : [fqn.slice(0, i), fqn.slice(i + 1)];
}

/** What a resolved callee is among the DBOS sync methods that have an async twin. */
export function classifyDbosMethod(fqn: string | null): DbosMethodCall | null {
  if (!fqn) return null;
  const parts = split(fqn);
  if (!parts) return null;
  const [obj, name] = parts;
  if (obj === api.dbos) {
    const since = RAISING.get(name);
    if (since) return { kind: 'raising', receiver: 'DBOS', name, since };
    if (BLOCKING.has(name)) return { kind: 'blocking', receiver: 'DBOS', name, since: null };
    return null;
  }
  if (QUEUE_OBJECTS.has(obj) && QUEUE_BLOCKING.has(name)) return { kind: 'blocking', receiver: 'queue', name, since: null };
  if (CLIENT_OBJECTS.has(obj) && CLIENT_BLOCKING.has(name)) return { kind: 'blocking', receiver: 'client', name, since: null };
  return null;
}

/** Whether an object FQN is a `WorkflowHandleAsync` (the awaited result of an async starter). */
export function isAsyncHandle(fqn: string | null): boolean {
  if (!fqn) return false;
  if (ASYNC_HANDLE_SOURCES.has(fqn)) return true;
  for (const suffix of QUEUE_ASYNC_HANDLE) {
    if (fqn.endsWith(suffix) && QUEUE_OBJECTS.has(fqn.slice(0, -suffix.length))) return true;
  }
  return false;
}

/**
 * What kind of sync `WorkflowHandle` an object FQN is (what a sync starter returns:
 * `dbos.DBOS.start_workflow()`, `<queue>.enqueue()`): 'dbos' for DBOS's handles, whose `get_status()`
 * calls `DBOS.get_workflow_status` (it raises in a running event loop) and whose `get_result()` waits
 * on the calling thread; 'client' for a `DBOSClient`'s, whose methods only block; else null. `source`
 * names the starter as messages show it, `starter` is its method name.
 */
export function syncHandleOf(fqn: string | null): { kind: 'dbos' | 'client'; source: string; starter: string } | null {
  if (!fqn?.endsWith('()')) return null;
  const parts = split(fqn.slice(0, -2));
  if (!parts || !RETURNS_HANDLE.has(parts[1])) return null;
  const starter = parts[1];
  if (parts[0] === api.dbos) return { kind: 'dbos', source: `DBOS.${starter}`, starter };
  if (QUEUE_OBJECTS.has(parts[0])) return { kind: 'dbos', source: `Queue.${starter}`, starter };
  if (CLIENT_OBJECTS.has(parts[0])) return { kind: 'client', source: `client.${starter}`, starter };
  return null;
}

export function isAsyncHandleMethod(name: string): boolean {
  return ASYNC_HANDLE_METHODS.has(name);
}

export function isGeneratorMethod(name: string): boolean {
  return GENERATORS.has(name);
}

export function returnsHandle(name: string): boolean {
  return RETURNS_HANDLE.has(name);
}

/** The innermost async function whose own body runs the call (nested sync defs/lambdas excluded by the model). */
export function asyncFunctionOf(call: CallInfo): FunctionInfo | null {
  const fn = call.scope.fn;
  return fn && fn.isAsync ? fn : null;
}

export function isAwaited(node: Node): boolean {
  let p = parentOf(node);
  while (p?.type === 'parenthesized_expression') p = parentOf(p);
  return p?.type === 'await';
}

/** Whether `await <expr>` replacing `node` needs parentheses. */
export function awaitNeedsParens(node: Node): boolean {
  const p = node.parent;
  if (!p) return false;
  if (p.type === 'attribute') return p.childForFieldName('object')?.id === node.id;
  if (p.type === 'subscript') return p.childForFieldName('value')?.id === node.id;
  if (p.type === 'call') return p.childForFieldName('function')?.id === node.id;
  return false;
}

/** An edit that puts `await ` before an expression (with parentheses when the expression is a receiver). */
export function addAwaitEdits(model: ModuleModel, node: Node): TextEdit[] {
  if (awaitNeedsParens(node)) {
    return [model.lines.edit(node.startIndex, node.startIndex, '(await '), model.lines.edit(node.endIndex, node.endIndex, ')')];
  }
  return [model.lines.edit(node.startIndex, node.startIndex, 'await ')];
}

/** Inside a generator expression of the function (an `await` there would turn it into an async generator). */
function inGeneratorExpression(node: Node, fn: FunctionInfo): boolean {
  for (let p = parentOf(node); p && p.id !== fn.node.id; p = parentOf(p)) {
    if (p.type === 'generator_expression') return true;
  }
  return false;
}

/**
 * How the result of a handle-returning call is used: true when the switch to a `WorkflowHandleAsync`
 * cannot change behaviour (the result is dropped, or only its workflow ID is read).
 */
export function handleUseIsSafe(model: ModuleModel, call: CallInfo, fn: FunctionInfo): boolean {
  let n: Node = call.node;
  let p = parentOf(n);
  while (p?.type === 'parenthesized_expression' || p?.type === 'await') p = parentOf((n = p));
  if (!p) return false;
  if (p.type === 'expression_statement') return true;
  if (p.type === 'attribute' && p.childForFieldName('object')?.id === n.id) {
    const attr = p.childForFieldName('attribute');
    return !!attr && /^(workflow_id|get_workflow_id)$/.test(model.textOf(attr));
  }
  if (p.type === 'assignment' && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    if (!left || left.type !== 'identifier' || !fn.body) return false;
    const name = model.textOf(left);
    for (const id of model.identifiersNamed(name, fn.body)) {
      if (!id || id.startIndex <= left.startIndex || model.textOf(id) !== name) continue;
      const ip = id.parent;
      if (ip?.type === 'attribute' && ip.childForFieldName('object')?.id === id.id) {
        const attr = ip.childForFieldName('attribute');
        if (attr && /^(workflow_id|get_workflow_id)$/.test(model.textOf(attr))) continue;
      }
      if (ip?.type === 'attribute' && ip.childForFieldName('attribute')?.id === id.id) continue;
      if (ip?.type === 'keyword_argument' && ip.childForFieldName('name')?.id === id.id) continue;
      return false;
    }
    return true;
  }
  return false;
}

/**
 * "Use `await <recv>.<name>_async(...)`": renames the method and awaits the call. `read_stream` in a
 * `for` becomes `async for ... in <recv>.read_stream_async(...)`. Null when the call cannot be
 * rewritten locally (the callee is not `x.name`, a stream read outside a `for`, a generator expression).
 */
export function asyncTwinFix(model: ModuleModel, call: CallInfo, fn: FunctionInfo, name: string, safe: boolean): Fix | null {
  const callee = call.callee;
  if (callee.type !== 'attribute') return null;
  const attr = callee.childForFieldName('attribute');
  if (!attr || model.textOf(attr) !== name) return null;
  const recv = model.textOf(callee.childForFieldName('object')!);
  const twin = `${name}_async`;
  const rename = model.lines.edit(attr.startIndex, attr.endIndex, twin);
  if (inGeneratorExpression(call.node, fn)) return null;
  if (isGeneratorMethod(name)) {
    const p = call.node.parent;
    if (p && (p.type === 'for_statement' || p.type === 'for_in_clause') && p.childForFieldName('right')?.id === call.node.id) {
      if (/^async\b/.test(model.textOf(p))) return null;
      return {
        title: `Use \`async for ... in ${recv}.${twin}(...)\``,
        safe,
        preferred: true,
        edits: [model.lines.edit(p.startIndex, p.startIndex, 'async '), rename],
      };
    }
    return null;
  }
  const edits: TextEdit[] = [rename];
  if (!isAwaited(call.node)) edits.push(...addAwaitEdits(model, call.node));
  if (returnsHandle(name)) edits.push(...awaitHandleMethodEdits(model, call, fn));
  return { title: `Use \`await ${recv}.${twin}(...)\``, safe, preferred: true, edits };
}

/**
 * The twin returns a `WorkflowHandleAsync`: when the call's result is assigned to a variable, the
 * later `<var>.get_result()` / `<var>.get_status()` calls of the same function (up to the next
 * assignment of the variable) become coroutines, so they get an `await` too.
 */
function awaitHandleMethodEdits(model: ModuleModel, call: CallInfo, fn: FunctionInfo): TextEdit[] {
  let n: Node = call.node;
  let p = parentOf(n);
  while (p?.type === 'parenthesized_expression' || p?.type === 'await') p = parentOf((n = p));
  if (p?.type !== 'assignment' || p.childForFieldName('right')?.id !== n.id || !fn.body) return [];
  const left = p.childForFieldName('left');
  if (!left || left.type !== 'identifier') return [];
  const name = model.textOf(left);
  const edits: TextEdit[] = [];
  const ids = model.identifiersNamed(name, fn.body).filter((id) => !!id && id.startIndex > left.startIndex && model.textOf(id) === name);
  ids.sort((a, b) => a.startIndex - b.startIndex);
  for (const id of ids) {
    if (model.scopeOf(id).fn !== fn) continue;
    const ip = id.parent;
    // a new value for the variable: later uses are not this handle
    if (ip?.type === 'assignment' && ip.childForFieldName('left')?.id === id.id) break;
    if (ip?.type !== 'attribute' || ip.childForFieldName('object')?.id !== id.id) continue;
    const attr = ip.childForFieldName('attribute');
    const c = ip.parent;
    if (!attr || !isAsyncHandleMethod(model.textOf(attr)) || c?.type !== 'call' || c.childForFieldName('function')?.id !== ip.id) continue;
    if (isAwaited(c) || inGeneratorExpression(c, fn)) continue;
    edits.push(...addAwaitEdits(model, c));
  }
  return edits;
}

/** "Make the handler synchronous (def)": a FastAPI route that awaits nothing can be a plain def. */
export function makeSyncHandlerFix(model: ModuleModel, fn: FunctionInfo): Fix | null {
  if (!fn.kinds.has('http') || fn.kinds.has('workflow') || fn.kinds.has('step') || !fn.body) return null;
  if (!/^async\s+def\b/.test(model.textOf(fn.node))) return null;
  const body = fn.body;
  if (model.textHas(body, 'await') || model.textHas(body, 'yield')) {
    for (const n of body.descendantsOfType(['await', 'yield'])) {
      if (n && model.scopeOf(n).fn === fn) return null;
    }
  }
  if (/\basync\s+(for|with)\b/.test(model.textOf(body))) return null;
  const m = /^async\s+/.exec(model.textOf(fn.node))!;
  return {
    title: `Make \`${fn.name}\` synchronous (\`def\`): FastAPI runs it in a worker thread`,
    safe: false,
    edits: [model.lines.edit(fn.node.startIndex, fn.node.startIndex + m[0].length, '')],
  };
}

/** Whether the target version is known and older than `since`. */
export function olderThan(version: [number, number] | null, since: [number, number] | null): boolean {
  if (!version || !since) return false;
  return version[0] < since[0] || (version[0] === since[0] && version[1] < since[1]);
}

/** The call sits in `with pytest.raises(...)` (or `contextlib.suppress(...)`): the test expects the error. */
export function expectsRaise(model: ModuleModel, call: CallInfo): boolean {
  return model.expectsFailure(call.node);
}
