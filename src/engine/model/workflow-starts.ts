// Shared helpers for the Workflow rules (DBOS203-DBOS215): workflow starts, spawn primitives,
// context-manager blocks and small argument utilities.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo, WithInfo } from './types';
import { isStepLike, isWorkflow } from './kinds';
import { expandBraces } from '../data/catalog';
import { isQueueObject } from './queues';
import spawnData from '../data/spawn.json';
import { argList, positionalArgs, keywordValue } from '../syntax/arguments';
import { parentOf } from '../syntax/enclosing';

export const DBOS_START = new Set(['dbos.DBOS.start_workflow', 'dbos.DBOS.start_workflow_async']);
export const DBOS_ENQUEUE = new Set([
  'dbos.DBOS.enqueue_workflow',
  'dbos.DBOS.enqueue_workflow_async',
  'dbos.DBOS.enqueue_workflow_with_options',
  'dbos.DBOS.enqueue_workflow_with_options_async',
]);
const DEBOUNCERS = new Set(['dbos.Debouncer.create()', 'dbos.Debouncer.create_async()']);

export type StartKind = 'start' | 'enqueue' | 'queue' | 'direct' | 'debounce';

export interface WorkflowStart {
  call: CallInfo;
  kind: StartKind;
  /** `DBOS.start_workflow`, `queue.enqueue`, the workflow's name... as written. */
  label: string;
  /** The local workflow a direct call enters. */
  workflow?: FunctionInfo;
}

/** Arguments of a call without comments. */
export { argList, positionalArgs };

export function hasSplatArgs(call: CallInfo | Node): boolean {
  return argList(call).some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat');
}

/** The receiver FQN of `obj.method(...)`, `method` being the call's (`ModuleModel.methodOf`). */
function receiverOf(model: ModuleModel, call: CallInfo, method: string): string | null {
  // `a.b.method` read from the text (what resolving the object node gives); the tree otherwise
  const text = model.textOf(call.callee);
  const dot = text.lastIndexOf('.');
  if (dot > 0 && text.slice(dot + 1).trim() === method) {
    const obj = model.resolveDotted(text.slice(0, dot).trim(), call.scope);
    if (obj !== undefined) return obj;
  }
  return model.resolve(call.callee.childForFieldName('object'), call.scope);
}

const startsOfCalls = new WeakMap<CallInfo, WorkflowStart | null>();
const RECEIVER_METHODS = new Set(['enqueue', 'enqueue_async', 'debounce', 'debounce_async']);

/** Whether a call starts or enqueues a workflow (or calls a workflow of this file directly). */
export function workflowStart(model: ModuleModel, call: CallInfo): WorkflowStart | null {
  // asked by several rules for every call: answered once per call of the model
  let s = startsOfCalls.get(call);
  if (s === undefined) startsOfCalls.set(call, (s = findWorkflowStart(model, call)));
  return s;
}

function findWorkflowStart(model: ModuleModel, call: CallInfo): WorkflowStart | null {
  const fqn = model.calleeFqn(call);
  if (fqn && DBOS_START.has(fqn)) return { call, kind: 'start', label: model.textOf(call.callee) };
  if (fqn && DBOS_ENQUEUE.has(fqn)) return { call, kind: 'enqueue', label: model.textOf(call.callee) };
  // the receiver is resolved only for the methods that can start a workflow
  const method = model.methodOf(call);
  if (method && RECEIVER_METHODS.has(method)) {
    const obj = receiverOf(model, call, method);
    if ((method === 'enqueue' || method === 'enqueue_async') && isQueueObject(obj)) return { call, kind: 'queue', label: model.textOf(call.callee) };
    if ((method === 'debounce' || method === 'debounce_async') && obj && DEBOUNCERS.has(obj)) return { call, kind: 'debounce', label: model.textOf(call.callee) };
  }
  const target = model.targetFunction(call);
  if (target && isWorkflow(target)) return { call, kind: 'direct', label: target.name, workflow: target };
  return null;
}

/** The function argument a start/enqueue call runs (`DBOS.start_workflow(F, ...)`), if it has one. */
export function startTarget(call: CallInfo, fqn: string | null): Node | null {
  if (!fqn) return null;
  if (DBOS_START.has(fqn)) return positionalArgs(call)[0] ?? null;
  if (fqn === 'dbos.DBOS.enqueue_workflow' || fqn === 'dbos.DBOS.enqueue_workflow_async') return positionalArgs(call)[1] ?? null;
  return null;
}

/** The function of this file an expression names (`wf`, `self.wf`, `Cls.wf`), if any. */
export function functionNamed(model: ModuleModel, node: Node | null | undefined, scopeFn: FunctionInfo | null): FunctionInfo | null {
  if (!node) return null;
  if (node.type === 'lambda') return model.functionOf(node) ?? null;
  const fqn = model.resolve(node);
  if (fqn) {
    const f = model.functionsByFqn.get(fqn);
    if (f) return f;
  }
  if (node.type === 'attribute') {
    const obj = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute');
    let cls = scopeFn?.cls ?? null;
    for (let f = scopeFn; f && !cls; f = f.parent) cls = f.cls;
    if (obj && attr && cls && (model.textOf(obj) === 'self' || model.textOf(obj) === 'cls')) {
      return cls.methods.find((m) => m.name === model.textOf(attr)) ?? null;
    }
  }
  return null;
}

// ---------------------------------------------------------------- context-manager blocks

/** `with X(...)` blocks whose item is a call of `ctorFqn`: the block and the call. */
export function withBlocks(model: ModuleModel, ctorFqn: string): { w: WithInfo; ctor: Node }[] {
  const out: { w: WithInfo; ctor: Node }[] = [];
  for (const w of model.withs) {
    for (const item of w.items) {
      if (item.value.type !== 'call') continue;
      if (model.resolve(item.value.childForFieldName('function')) === ctorFqn) out.push({ w, ctor: item.value });
    }
  }
  return out;
}

/** Calls inside a node, not inside nested functions, lambdas or classes. */
export function callsWithin(model: ModuleModel, node: Node): CallInfo[] {
  const out: CallInfo[] = [];
  const from = node.startIndex;
  const to = node.endIndex; // a call into the wasm module: read once
  for (const c of model.calls) {
    if (c.start < from || c.end > to) continue;
    // nested: the innermost def, lambda or class around the call lies inside `node` (or is below it)
    const d = c.def;
    if (d && d.id !== node.id && d.startIndex >= from && d.endIndex <= to) continue;
    out.push(c);
  }
  return out;
}

// ---------------------------------------------------------------- spawn primitives

export interface SpawnPrimitive {
  pattern: string;
  position?: number;
  keyword?: string;
  kind: string;
}

const SPAWN = new Map<string, SpawnPrimitive>();
for (const p of spawnData.primitives as { name: string; position?: number; keyword?: string; kind: string }[]) {
  for (const name of expandBraces(p.name)) SPAWN.set(name, { pattern: name, position: p.position, keyword: p.keyword, kind: p.kind });
}

export function spawnPrimitive(fqn: string | null): SpawnPrimitive | null {
  return fqn ? SPAWN.get(fqn) ?? null : null;
}

/** The function argument a spawn call runs. */
export function spawnTarget(model: ModuleModel, call: CallInfo, p: SpawnPrimitive): Node | null {
  if (p.keyword) {
    const kw = keywordValue(model, call, p.keyword);
    if (kw) return kw;
  }
  if (p.position === undefined) return null;
  return positionalArgs(call)[p.position] ?? null;
}

/** Step, transaction or workflow kinds in words. */
export function kindWord(fn: FunctionInfo): string {
  if (isWorkflow(fn)) return 'workflow';
  if (fn.kinds.has('transaction')) return 'transaction';
  if (fn.kinds.has('dstransaction')) return 'datasource transaction';
  if (isStepLike(fn)) return 'step';
  return 'function';
}

/** Whether the node sits inside a nested def/lambda/class below `fn`'s body. */
export function inOwnBody(node: Node, fn: FunctionInfo): boolean {
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (p.id === fn.node.id) return true;
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return false;
  }
  return false;
}

/** The numeric value of an int/float literal (also `-1`), else null. */
export function numericLiteral(model: ModuleModel, node: Node | null | undefined): number | null {
  if (!node) return null;
  if (node.type === 'integer' || node.type === 'float') {
    const v = Number(model.textOf(node).replace(/_/g, ''));
    return Number.isNaN(v) ? null : v;
  }
  if (node.type === 'unary_operator') {
    const arg = node.childForFieldName('argument');
    const v = numericLiteral(model, arg);
    const op = model.textOf(node).trim()[0];
    return v === null ? null : op === '-' ? -v : op === '+' ? v : null;
  }
  return null;
}

// ---------------------------------------------------------------- tests

/** A test file, or a file in a tests folder of the project (test support code mutates and sleeps on purpose). */
export function isTestPath(model: ModuleModel): boolean {
  return model.isTestFile;
}


/** Inside `with pytest.raises(...)` (or `self.assertRaises(...)`): the code is expected to fail. */
export function expectsFailure(model: ModuleModel, node: Node): boolean {
  return model.expectsFailure(node);
}
