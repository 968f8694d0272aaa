// Shared facts for the registration, testing-fixture and client-name rules (DBOS105, DBOS110, DBOS701,
// DBOS704, DBOS803, DBOS805, DBOS806): the names under which this file registers its workflows, the
// application names it configures, and small argument edits.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import type { TextEdit } from '../types';
import { isWorkflow } from './kinds';
import { lifecycleFacts } from './lifecycle';
import { argList, keywordArgument, positionalArgs, stringValue } from '../syntax/arguments';
import { singleBindingValue } from './dbos-calls';
import { dictLiteral } from './queues';

/** A workflow registered by this file, with the name DBOS records for it. */
export interface RegisteredWorkflow {
  fn: FunctionInfo;
  /** `name=` of the decorator, else the function's `__qualname__`. Null when `name=` is not a literal. */
  name: string | null;
  /** The class when the workflow is a method; null for functions. */
  cls: string | null;
  method: 'static' | 'class' | 'instance' | null;
  /** The name DBOS registers the class under (`@DBOS.dbos_class(class_name=...)` or its qualname); null when not literal. */
  className: string | null;
}

/** Workflows this file defines (DBOS registers nested ones under their `outer.<locals>.name` qualname). */
export function registeredWorkflows(model: ModuleModel): RegisteredWorkflow[] {
  const out: RegisteredWorkflow[] = [];
  for (const fn of model.functions) {
    if (!isWorkflow(fn) || fn.isLambda) continue;
    // registered through `DBOS.workflow(...)(impl)` or another wrapper: the name is not known
    let name: string | null = null;
    for (const d of fn.decorators) {
      if (d.fqn !== 'dbos.DBOS.workflow') continue;
      const kw = d.args && d.expr.type === 'call' ? keywordArgument(model, d.expr, 'name') : null;
      name = kw ? stringValue(model, kw.childForFieldName('value')) : fn.qualname;
    }
    let method: RegisteredWorkflow['method'] = null;
    if (fn.cls) {
      method = 'instance';
      for (const d of fn.decorators) {
        if (d.fqn === 'builtins.staticmethod') method = 'static';
        if (d.fqn === 'builtins.classmethod') method = 'class';
      }
    }
    let className: string | null = fn.cls ? fn.cls.qualname : null;
    for (const d of fn.cls?.decorators ?? []) {
      if (d.fqn !== 'dbos.DBOS.dbos_class' || d.expr.type !== 'call') continue;
      const v = keywordArgument(model, d.expr, 'class_name')?.childForFieldName('value') ?? positionalArgs(d.expr)[0];
      if (v) className = stringValue(model, v);
    }
    out.push({ fn, name, cls: fn.cls ? fn.cls.name : null, method, className });
  }
  return out;
}

/** Literal application names this file gives DBOS (`DBOS(config={"name": ...})`, `DBOSConfig(name=...)`). */
export function configuredAppNames(model: ModuleModel): Set<string> {
  const names = new Set<string>();
  for (const c of lifecycleFacts(model).constructions) {
    let cfg: Node | null = keywordArgument(model, c, 'config')?.childForFieldName('value') ?? positionalArgs(c)[0] ?? null;
    if (cfg?.type === 'identifier') cfg = singleBindingValue(model, cfg, c.scope);
    if (!cfg) continue;
    if (cfg.type === 'call' && model.resolve(cfg.childForFieldName('function')) === 'dbos.DBOSConfig') {
      const v = stringValue(model, keywordArgument(model, cfg, 'name')?.childForFieldName('value'));
      if (v) names.add(v);
      continue;
    }
    const d = dictLiteral(model, cfg);
    const v = stringValue(model, d?.entries.get('name')?.value);
    if (v) names.add(v);
  }
  return names;
}

/**
 * The literal `application_name=` of the `DBOSClient(...)` a client method is called on
 * (`client.enqueue(...)` with `client` bound once, or `DBOSClient(...).enqueue(...)`); null when unknown.
 */
export function clientApplication(model: ModuleModel, call: CallInfo): string | null {
  if (call.calleeType !== 'attribute') return null;
  let obj: Node | null = call.callee.childForFieldName('object');
  if (obj?.type === 'identifier') obj = singleBindingValue(model, obj, call.scope);
  if (obj?.type !== 'call' || model.resolve(obj.childForFieldName('function')) !== 'dbos.DBOSClient') return null;
  return stringValue(model, keywordArgument(model, obj, 'application_name')?.childForFieldName('value'));
}

/** An edit appending `text` (a keyword argument) to a call's argument list; null for unusual shapes. */
export function appendArgumentEdit(model: ModuleModel, call: CallInfo, text: string): TextEdit | null {
  const args = call.args;
  if (!args || args.type !== 'argument_list') return null;
  const items = argList(call);
  if (items.length === 0) return model.lines.edit(args.startIndex + 1, args.startIndex + 1, text);
  const last = items[items.length - 1];
  return model.lines.edit(last.endIndex, last.endIndex, `, ${text}`);
}

/** A Python string literal for a plain value. */
/** A literal options dict with a literal `"workflow_name"`: the name, its value node, the keys, and an edit that adds a key at the end. */
export interface WorkflowNameDict {
  name: string;
  node: Node;
  has(key: string): boolean;
  /** Keys that cannot be read (`**opts`, computed keys). */
  open: boolean;
  add(key: string, value: string): TextEdit;
}

export function workflowNameDict(model: ModuleModel, node: Node | null | undefined): WorkflowNameDict | null {
  const d = dictLiteral(model, node);
  if (!d) return null;
  const v = d.entries.get('workflow_name')?.value;
  const name = stringValue(model, v);
  if (name === null || !v) return null;
  const pairs = d.node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = pairs[pairs.length - 1];
  return {
    name,
    node: v,
    has: (k) => d.entries.has(k),
    open: d.splat,
    add: (k, val) => model.lines.edit(last.endIndex, last.endIndex, `, ${pyString(k)}: ${pyString(val)}`),
  };
}

export function pyString(value: string): string {
  return JSON.stringify(value);
}

// ------------------------------------------------------------------ pytest fixtures

/** pytest's own fixtures (they never touch DBOS). */
export const PYTEST_BUILTINS = new Set([
  'request', 'tmp_path', 'tmp_path_factory', 'tmpdir', 'tmpdir_factory', 'monkeypatch', 'capsys', 'capfd', 'caplog',
  'pytestconfig', 'recwarn', 'cache', 'record_property', 'testrun_uid', 'worker_id', 'event_loop', 'anyio_backend', 'self', 'cls',
]);

/** The module-level fixture of this file named `name`, if any. */
export function fixtureNamed(model: ModuleModel, name: string): FunctionInfo | null {
  return model.functions.find((g) => g.name === name && g.kinds.has('fixture') && !g.parent) ?? null;
}

/** The call is `fqn`, or enters a local helper that makes it (two levels). */
export function reaches(model: ModuleModel, call: CallInfo, fqn: string, depth = 0): boolean {
  if (model.calleeFqn(call) === fqn) return true;
  if (depth >= 2) return false;
  const f = model.targetFunction(call);
  return !!f && f.calls.some((c) => reaches(model, c, fqn, depth + 1));
}

/**
 * Fixture parameters of `fn` (and theirs, through fixtures of this file), builtins and `self` left out.
 * `visit` gets each parameter name and its fixture in this file (null when defined elsewhere); returning
 * true stops the walk and makes the result true.
 */
export function someParamFixture(model: ModuleModel, fn: FunctionInfo, visit: (name: string, f: FunctionInfo | null) => boolean, seen = new Set<FunctionInfo>()): boolean {
  seen.add(fn);
  for (const p of fn.params) {
    if (p === 'self' || p === 'cls') continue;
    const f = fixtureNamed(model, p);
    if (visit(p, f)) return true;
    if (f && !seen.has(f) && someParamFixture(model, f, visit, seen)) return true;
  }
  return false;
}
