// What other files can see of one module: its functions with their kinds, their calls resolved to
// qualified names, and the facts about each call that the effect rules need. Built once from a
// ModuleModel; holds no tree node, so the tree can be freed right after.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo, FunctionKind } from '../model/types';
import { isPlain, isStepLike, isWorkflow, DBOS } from '../model/kinds';
import { dbosMethodName } from '../model/names';
import { buildApiCatalog, type ApiList } from '../data/catalog';
import { quietValue, returnedValue, toleratedValue } from '../model/usage';
import { EXTERNAL, argCount, seededReceiver } from './calls';
import { DBOS_ENQUEUE, DBOS_START, numericLiteral, positionalArgs, workflowStart } from '../model/workflow-starts';
import { addImportEdit } from '../fixes/common';
import { isConstruction, lifecycleFacts, runsAtImport } from '../model/lifecycle';
import { keywordArgument } from '../syntax/arguments';
import { whyNotAStep } from '../model/step-validity';
import type { TextEdit } from '../types';
import { fallbackParam, guardParam, optionalParameters, passedArgs, type FallbackParam, type PassedArgs } from './fallback';
import { calledParameters, handedReferences, type HandedReference } from './handed-callables';
import { checkTime } from '../budget';
import { isStubBody } from '../syntax/statements';
import { SummaryReuse, reuseStats } from './reuse';

/** Call facts, as bits of `CallSummary.flags`. */
export const CALL_QUIET_ND = 1; // a non-deterministic value that is only logged, or a seeded generator
export const CALL_STARTS_WORKFLOW = 2; // DBOS.start_workflow, enqueue, queue.enqueue, debounce
export const CALL_EXPECTS_FAILURE = 4; // inside pytest.raises and the like
export const CALL_ZERO_SLEEP = 8; // DBOS.sleep(0): returns at once
export const CALL_TOLERATED_ND = 16; // a non-deterministic value that only reaches checkpointed DBOS calls, or nothing
export const CALL_CONSTRUCTS_DBOS = 32; // DBOS(...) constructed, not handed a web app (DBOS(fastapi=app) belongs at import)
export const CALL_RETURNED_ND = 64; // a non-deterministic value that only goes back to the caller (what the caller does with it decides)

/** DBOS APIs that only work in a workflow body, with the error DBOS raises elsewhere (DBOS207). */
export const WORKFLOW_ONLY_API: Readonly<Record<string, string>> = {
  recv: 'DBOSException: recv() must be called from within a workflow',
  recv_async: 'DBOSException: recv() must be called from within a workflow',
  sleep: 'AssertionError: sleep() must be called from within a workflow',
  sleep_async: 'AssertionError: sleep() must be called from within a workflow',
  patch: 'DBOSException: DBOS.patch must be called from a workflow',
  patch_async: 'DBOSException: DBOS.patch_async must be called from a workflow',
  deprecate_patch: 'DBOSException: DBOS.deprecate_patch must be called from a workflow',
  deprecate_patch_async: 'DBOSException: DBOS.deprecate_patch_async must be called from a workflow',
};

/**
 * DBOS APIs that raise when called inside a workflow (`dbos/_dbos.py` at HEAD: "DBOS.apply_schedules
 * cannot be called from within a workflow"; `apply_schedules_async` runs it in a thread that keeps
 * the workflow's context), by name.
 */
export const WORKFLOW_FORBIDDEN_API: ReadonlySet<string> = new Set(['apply_schedules', 'apply_schedules_async', 'backfill_schedule', 'trigger_schedule']);

/** The name of a DBOS API that raises inside a workflow a qualified name denotes (`apply_schedules`), or null. */
export function workflowForbiddenName(fqn: string | null): string | null {
  const name = dbosMethodName(fqn);
  return name !== null && WORKFLOW_FORBIDDEN_API.has(name) ? name : null;
}

/** The name of a workflow-only DBOS API a qualified name denotes (`recv`), or null. */
export function workflowOnlyName(fqn: string | null): string | null {
  const name = dbosMethodName(fqn);
  return name !== null && Object.prototype.hasOwnProperty.call(WORKFLOW_ONLY_API, name) ? name : null;
}

export interface CallSummary {
  /** The callee's qualified name, null when unknown. */
  fqn: string | null;
  /** The callee as written (`requests.get`). */
  text: string;
  argc: number;
  start: number;
  end: number;
  flags: number;
  /** Qualified name inside this module of the function the call enters (`helper`, `Svc.fetch`). */
  local?: string;
  /** An effect call that only runs when the function it is in is not given this parameter (see facts/fallback.ts). */
  fallback?: FallbackParam;
  /** A call that only runs when the function it is in is given a true value for this parameter (facts/fallback.ts `guardParam`). */
  onlyIf?: FallbackParam;
  /** For a call that may enter a function: the arguments it passes (null: it unpacks `*args` or `**kwargs`). */
  passed?: PassedArgs | null;
  /** For an effect call of an injected callable (`self.clock()`): where its default is written (ModuleModel.injectedAt). */
  boundAt?: { start: number; end: number };
  /** For a call that may enter a function: the arguments that name a function (facts/handed-callables.ts). */
  handed?: HandedReference[];
}

export interface FunctionSummary {
  name: string;
  qualname: string;
  fqn: string;
  kinds: FunctionKind[];
  plain: boolean;
  workflow: boolean;
  stepLike: boolean;
  isLambda: boolean;
  /** `async def`: calling it makes a coroutine, its body runs where it is awaited. */
  isAsync: boolean;
  /** Offset of the `def` (or `async def`) keyword, and the indentation of its line. */
  defStart: number;
  indent: string;
  calls: CallSummary[];
  /** Parameters with a false default (`None`, `False`, `0`, `""`), with their positions among a call's positional arguments (null: keyword-only). */
  optional?: Record<string, number | null>;
  /** Why a plain function cannot be a step as written (analysis/step-validity.ts), if it cannot. */
  notAStep?: string;
  /** `@functools.lru_cache` / `@functools.cache`: it runs once per process and arguments (a set-up, not an effect per replay). */
  memoized?: boolean;
  /** What a call of it gives, from its return annotation (`sqlalchemy.orm.Session()`; see ModuleModel.returnedInstance). */
  returns?: string;
  /**
   * The instances of several classes its returns give (a factory; ModuleModel.returnedInstances): a
   * method called on its result may be any of theirs.
   */
  returnsEach?: string[];
  /**
   * A method with no body of its own (`@abstractmethod`, or only `...`, `pass`, `raise
   * NotImplementedError`): a call of it on an instance of its class runs a subclass's override.
   */
  abstract?: boolean;
  /** Parameters it calls as functions (`func(*args)`): a function handed there runs where it is called. */
  callsParams?: FallbackParam[];
}

export interface ModuleSummary {
  file: string;
  moduleName: string;
  hash: string;
  functions: Map<string, FunctionSummary>;
  /** Qualified names of the classes the module defines. */
  classes: Set<string>;
  /**
   * Module-level names bound to something known elsewhere: imports, `svc = Service()`; and, keyed
   * `Class.method`, the methods of top-level classes that make DBOS decorators (`Durable.workflow`).
   */
  aliases: Map<string, string>;
  starImports: string[];
  /**
   * Offsets of line starts, for positions of calls and definitions: 4 bytes a line (kept for every
   * module of the workspace for the whole session; a number array takes twice that).
   */
  lineStarts: Uint32Array;
  eol: string;
  /** How this module names DBOS, and the import to add when it does not. */
  dbosText: string;
  dbosImport: TextEdit | null;
  /** The module calls the `DBOS(...)` constructor somewhere (DBOS104: a launch elsewhere has an instance). */
  constructsDbos: boolean;
  /** The qualified names of each class's bases (null: a base that does not resolve), by class qualname. */
  classBases: Map<string, (string | null)[]>;
  /** `DBOS.launch()` runs when the module is imported (module level, outside the main guard). */
  launchesAtImport: boolean;
}

export { sameSignature, signature, type Signature } from './signature';

const DEFAULTS = buildApiCatalog();
const DEFAULT_LISTS = [DEFAULTS.nondeterministic, DEFAULTS.io, DEFAULTS.database, DEFAULTS.sleep];

/**
 * The lists a summary's call facts are computed against: the catalog's defaults and every list the
 * project's configurations add (`extra-nondeterministic`, `extra-io`), so that a user's function is
 * known to be only logged or a fallback exactly like a built-in one.
 */
export interface EffectLists {
  nondeterministic: readonly ApiList[];
  all: readonly ApiList[];
}

export const DEFAULT_EFFECT_LISTS: EffectLists = { nondeterministic: [DEFAULTS.nondeterministic], all: DEFAULT_LISTS };
const NOT_HELPERS: FunctionKind[] = ['test', 'fixture', 'http'];
const MEMOIZING = /^functools\.(lru_cache|cache)$/;
const START_METHOD = /\.(enqueue|enqueue_async|debounce|debounce_async)$/;

const argsMatterCache = new Map<string, boolean>();
/** Whether the catalog entry for a name depends on the number of arguments (reading them costs). */
function argsMatter(fqn: string): boolean {
  let hit = argsMatterCache.get(fqn);
  if (hit === undefined) {
    hit = DEFAULT_LISTS.some((l) => {
      const e = l.match(fqn, 0);
      return !!e && (e.maxArgs !== undefined || !!e.seededOk);
    });
    if (argsMatterCache.size > 50_000) argsMatterCache.clear();
    argsMatterCache.set(fqn, hit);
  }
  return hit;
}

function callSummary(model: ModuleModel, fn: FunctionInfo, call: CallInfo, lists: EffectLists): CallSummary {
  const fqn = model.calleeFqn(call);
  const text = model.textOf(call.callee);
  const argc = fqn && argsMatter(fqn) ? argCount(call) : 0;
  let flags = 0;
  if (fqn && lists.nondeterministic.some((l) => l.match(fqn, argc))) {
    if (seededReceiver(model, call, fqn) || quietValue(model, call.node, fn, fqn)) flags |= CALL_QUIET_ND;
    else if (toleratedValue(model, call.node, fn)) flags |= CALL_TOLERATED_ND;
    else if (returnedValue(model, call.node, fn)) flags |= CALL_RETURNED_ND;
  }
  const wfOnly = workflowOnlyName(fqn);
  let risky = !!wfOnly;
  if ((fqn && (DBOS_START.has(fqn) || DBOS_ENQUEUE.has(fqn))) || START_METHOD.test(text)) {
    const s = workflowStart(model, call);
    if (s && s.kind !== 'direct') {
      flags |= CALL_STARTS_WORKFLOW;
      risky = true;
    }
  }
  if ((wfOnly?.startsWith('sleep') || (fqn && DEFAULTS.sleep.match(fqn, argc))) && numericLiteral(model, positionalArgs(call)[0]) === 0) flags |= CALL_ZERO_SLEEP;
  if (risky && model.expectsFailure(call.node)) flags |= CALL_EXPECTS_FAILURE;
  if (fqn === DBOS && isConstruction(model, call) && !keywordArgument(model, call, 'fastapi') && !keywordArgument(model, call, 'flask')) flags |= CALL_CONSTRUCTS_DBOS;
  const out: CallSummary = { fqn, text, argc, start: call.start, end: call.end, flags };
  const target = model.targetFunction(call);
  if (target && target !== fn) out.local = target.qualname;
  const effect = !!fqn && lists.all.some((l) => l.match(fqn, argc));
  if (effect || out.local || fqn) {
    const guard = guardParam(model, call.node, fn);
    if (guard) out.onlyIf = guard;
  }
  if (effect) {
    const fallback = fallbackParam(model, call.node, fn);
    if (fallback) out.fallback = fallback;
    // kept only inside the call's own top-level statement: reused facts move with that statement alone (reuse.ts)
    const bound = model.injectedAt(call);
    const top = outermost(fn);
    if (bound && bound.startIndex >= top.startIndex && bound.endIndex <= top.endIndex) out.boundAt = { start: bound.startIndex, end: bound.endIndex };
  } else if (out.local || (fqn && !EXTERNAL.test(fqn))) {
    // what a call passes matters only where it enters a function of the project: a library's
    // function (`builtins.print`, `dbos.DBOS.start_workflow`) is never entered (chains.ts `targetsOf`)
    out.passed = passedArgs(model, call);
    const handed = handedReferences(model, call);
    if (handed) out.handed = handed;
  }
  return out;
}

/** The top-level statement a function is part of (its own, or that of the class or function holding it). */
function outermost(fn: FunctionInfo): Node {
  let f = fn;
  for (;;) {
    if (f.parent) f = f.parent;
    else if (f.cls?.parentFunction) f = f.cls.parentFunction;
    else return f.cls ? f.cls.statement : f.node;
  }
}

/** The facts of one function (null: a lambda that is not a step, which nothing looks for). */
function functionSummary(model: ModuleModel, fn: FunctionInfo, start: number, lists: EffectLists): FunctionSummary | null {
  if (fn.isLambda && !isStepLike(fn)) return null;
  const lines = model.lines;
  const defLine = lines.positionAt(start).line;
  const f: FunctionSummary = {
    name: fn.name,
    qualname: fn.qualname,
    fqn: fn.fqn,
    kinds: [...fn.kinds],
    plain: isPlain(fn),
    workflow: isWorkflow(fn),
    stepLike: isStepLike(fn),
    isLambda: fn.isLambda,
    isAsync: fn.isAsync,
    defStart: start,
    indent: lines.indentOf(defLine),
    // chains only go through plain functions: the calls of workflows and steps are not needed, nor
    // those of tests, fixtures and HTTP handlers, which pytest and the web framework call
    calls: isPlain(fn) && !NOT_HELPERS.some((k) => fn.kinds.has(k)) ? fn.calls.map((c) => callSummary(model, fn, c, lists)) : [],
  };
  const optional = isPlain(fn) ? optionalParameters(model, fn) : undefined;
  if (optional) f.optional = optional;
  const notAStep = isPlain(fn) ? whyNotAStep(model, fn) : null;
  if (notAStep) f.notAStep = notAStep;
  if (fn.decorators.some((d) => d.fqn && MEMOIZING.test(d.fqn))) f.memoized = true;
  const returns = model.returnedInstance(fn);
  if (returns) f.returns = returns;
  const each = model.returnedInstances(fn);
  if (each.length > 0) f.returnsEach = [...each];
  if (fn.cls && !fn.isLambda && (fn.decorators.some((d) => d.fqn === 'abc.abstractmethod') || isStubBody(fn.body, (n) => model.textOf(n)))) f.abstract = true;
  const callsParams = isPlain(fn) ? calledParameters(model, fn) : undefined;
  if (callsParams) f.callsParams = callsParams;
  return f;
}

/** The summary of a module, from its model (the model's tree must still be alive). */
export function summarize(model: ModuleModel, file: string, hash: string, lists: EffectLists = DEFAULT_EFFECT_LISTS, options: { reuse?: boolean } = {}): ModuleSummary {
  const functions = new Map<string, FunctionSummary>();
  const lines = model.lines;
  // the facts of functions an edit did not touch, from the file's last summary (facts/reuse.ts)
  const reuse = options.reuse ? SummaryReuse.begin(model, file, lists) : null;
  for (const fn of model.functions) {
    checkTime();
    const start = fn.node.startIndex;
    const kept = reuse?.reused(fn, start);
    if (kept !== undefined) {
      reuseStats.reused++;
      // a later definition of the same name wins, as in Python
      if (kept) functions.set(fn.qualname, kept);
      reuse!.note(fn, start, kept);
      continue;
    }
    const f = functionSummary(model, fn, start, lists);
    if (reuse && f) {
      reuseStats.computed++;
      reuseStats.lastComputed.push(fn.qualname);
    }
    if (f) functions.set(fn.qualname, f);
    reuse?.note(fn, start, f);
  }
  const aliases = new Map<string, string>(model.module.imports);
  const moduleScope = { fn: null, cls: null, mainGuard: false };
  for (const [name, bindings] of model.module.bindings) {
    if (bindings.length !== 1 || aliases.has(name)) {
      // `try: from dbos import DBOS` / `except ImportError: DBOS = None`, `dbos_step = DBOS.step` or
      // an identity stand-in: the name is the DBOS API when the binder says so
      const r = bindings.length > 1 ? model.resolveDotted(name, moduleScope) : null;
      if (r && r.startsWith('dbos.')) aliases.set(name, r);
      continue;
    }
    const v = bindings[0].value;
    if (!v || v.type === 'class_definition') continue;
    if (v.type === 'function_definition') {
      // `def dbos_step(**kw): return DBOS.step(**kw)`
      const fn = model.functionOf(v);
      const api = fn ? model.apiFactory(fn) : null;
      if (api) aliases.set(name, api);
      continue;
    }
    if (v.type !== 'call' && v.type !== 'identifier' && v.type !== 'attribute') continue;
    const r = model.resolve(v, moduleScope);
    if (r) aliases.set(name, r);
  }
  // a class's method that makes DBOS decorators (`Durable.workflow`), as `Durable.workflow` -> `dbos.DBOS.workflow`
  for (const c of model.classes) {
    if (c.parentFunction || c.qualname.includes('.')) continue;
    for (const m of c.methods) {
      const api = model.apiFactory(m);
      if (api) aliases.set(`${c.name}.${m.name}`, api);
    }
  }
  const classes = new Set(model.classes.map((c) => c.qualname));
  const classBases = new Map<string, (string | null)[]>();
  for (const c of model.classes) {
    const around = { fn: c.parentFunction, cls: null, mainGuard: false };
    classBases.set(c.qualname, c.bases.map((b) => model.resolve(b, around)));
  }
  const launchesAtImport = /launch/.test(model.text) && lifecycleFacts(model).launches.some((l) => runsAtImport(model, l));
  const dbosLocal = model.localNameFor(DBOS);
  reuse?.keep();
  return {
    file,
    moduleName: model.moduleName,
    hash,
    functions,
    classes,
    aliases,
    starImports: [...model.starImports],
    lineStarts: Uint32Array.from(lines.starts),
    eol: model.text.includes('\r') ? lines.eol : '\n',
    dbosText: dbosLocal ?? 'DBOS',
    dbosImport: dbosLocal ? null : addImportEdit(model, 'from dbos import DBOS'),
    constructsDbos: /dbos/i.test(model.text) && model.calls.some((c) => model.calleeFqn(c) === DBOS),
    classBases,
    launchesAtImport,
  };
}

