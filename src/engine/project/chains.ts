// The chain search of the workspace index: the shortest chain of plain helpers, across modules,
// from a function down to a call of a given kind (an effect, a workflow start, a workflow-only call).
import type { ApiCatalog, ApiEntry } from '../data/catalog';
import {
  CALL_CONSTRUCTS_DBOS,
  CALL_EXPECTS_FAILURE,
  CALL_QUIET_ND,
  CALL_STARTS_WORKFLOW,
  CALL_TOLERATED_ND,
  CALL_ZERO_SLEEP,
  workflowForbiddenName,
  workflowOnlyName,
  type CallSummary,
  type FunctionSummary,
  type ModuleSummary,
} from '../facts/summary';
import type { IndexedFunction, ModuleResolver } from './resolution';
import { rangeIn } from '../facts/positions';
import { forwardedInto, passes, type FallbackParam, type PassedArgs } from '../facts/fallback';
import type { ReadTracker } from './tracking';
import { checkTime } from '../budget';
import { classifyDbosMethod } from '../model/async-api';
import { fluentType } from '../model/fluent-types';
import { landsOnCalled, type HandedReference } from '../facts/handed-callables';

/**
 * What a chain can end in: the effect rules' kinds, plus the step-side ones. `nondeterministic`
 * leaves out values that only reach checkpointed DBOS calls or nothing (CALL_TOLERATED_ND);
 * `nondeterministicTolerated` takes them too (asked when the first finds nothing). `syncDbos`: a
 * sync DBOS method that has an `_async` twin (model/async-api.ts), through sync helpers only (the
 * chain from a coroutine's call: an `async def` helper runs where it is awaited, not here).
 * `construct` and `launch`: `DBOS(...)` constructed (not handed a web app), `DBOS.launch()`.
 * `workflowForbidden`: a DBOS API that raises inside a workflow (`DBOS.apply_schedules`).
 */
export type ChainKind = 'nondeterministic' | 'nondeterministicTolerated' | 'io' | 'database' | 'sleep' | 'start' | 'workflowOnly' | 'workflowForbidden' | 'syncDbos' | 'construct' | 'launch';

export interface ChainLink extends IndexedFunction {
  /** The call that enters `fn`, in the previous link's module (`viaModule`). */
  via: CallSummary;
  viaModule: ModuleSummary;
  /** For a function handed to a helper that calls it (`_fetch_optional(storage.read, key)`): that helper. */
  handedTo?: IndexedFunction;
}

export interface ChainLeaf {
  module: ModuleSummary;
  call: CallSummary;
  /** The catalog entry for the effect kinds; absent for `start` and `workflowOnly`. */
  entry?: ApiEntry;
  /** For a workflow called directly (kind `start`): that workflow, and its module. */
  workflow?: IndexedFunction;
}

/** From a helper (the first function, not a link) down to the leaf call. */
export interface Chain {
  first: IndexedFunction;
  links: ChainLink[];
  leaf: ChainLeaf;
  /**
   * Asked with `all`: the other calls of the kind the same walk reaches (one per line of a module,
   * nearest first, at most OTHER_LEAVES_KEPT), and how many there are in all.
   */
  others?: { leaves: ChainLeaf[]; total: number };
}

/** How many other leaves a chain asked with `all` keeps (the rules show fewer). */
const OTHER_LEAVES_KEPT = 20;

/**
 * The breadth-first search behind `WorkspaceIndex.chainFrom` (see there); reads are recorded by
 * `tracker`. `passed`: the arguments of the call that enters `start`, when known (a call that only
 * stands in for a parameter the caller gives is not a leaf).
 */
export function searchChain(
  start: IndexedFunction,
  kind: ChainKind,
  api: ApiCatalog,
  maxDepth: number,
  tracker: ReadTracker,
  resolver: ModuleResolver,
  passed?: PassedArgs | null,
  all = false,
): Chain | null {
  interface Node {
    at: IndexedFunction;
    links: ChainLink[];
    /** The arguments of the call that entered `at`. */
    passed?: PassedArgs | null;
    /** The node whose function made that call (none for `start`: the caller is the analysed file's). */
    parent?: Node;
    /** The class `self` is an instance of in `at`, when `at` is a method it inherits (IndexedFunction.receiver). */
    receiver?: { file: string; cls: string };
  }
  // the parameter with a false default of the function that made the call entering `n`, named `name` (null: none known)
  const callerParam = (n: Node, name: string | null): FallbackParam | null => {
    const optional = n.parent?.at.fn.optional;
    return name !== null && optional && Object.prototype.hasOwnProperty.call(optional, name) ? { name, index: optional[name] } : null;
  };
  // whether the call that entered `n` gives the parameter, itself or by forwarding one its caller was given
  const given = (n: Node, p: FallbackParam): boolean => {
    if (passes(n.passed, p)) return true;
    const up = callerParam(n, forwardedInto(n.passed, p));
    return up !== null && given(n.parent!, up);
  };
  // whether the call that entered `n` may give the parameter a true value (unknown arguments may)
  const mayBeTrue = (n: Node, p: FallbackParam): boolean => {
    if (!n.passed) return true;
    const forwarded = forwardedInto(n.passed, p, true);
    if (!forwarded) return passes(n.passed, p);
    const up = callerParam(n, forwarded);
    return up === null || mayBeTrue(n.parent!, up);
  };
  tracker.touch(start.module.file);
  if (!enterable(start.fn, api, kind)) return null;
  const seen = new Set<string>([start.module.file + '\0' + start.fn.qualname]);
  let layer: Node[] = [{ at: start, links: [], passed, receiver: start.receiver }];
  // with `all`: the shortest chain, and every other leaf of the walk (one per line), nearest first
  let found: Chain | null = null;
  const others: ChainLeaf[] = [];
  const lines = new Set<string>();
  let total = 0;
  const note = (leaf: ChainLeaf) => {
    const line = `${leaf.module.file}\0${rangeIn(leaf.module, leaf.call.start, leaf.call.start).start.line}`;
    if (lines.has(line)) return;
    lines.add(line);
    if (leaf.call === found?.leaf.call) return;
    total++;
    if (others.length < OTHER_LEAVES_KEPT) others.push(leaf);
  };
  for (let depth = 1; layer.length > 0 && depth <= maxDepth; depth++) {
    // direct effects of this layer first: the shortest chain wins
    for (const n of layer) {
      let leaf: ChainLeaf | null = null;
      const matches: ChainLeaf[] = [];
      for (const call of n.at.fn.calls) {
        checkTime();
        const entry = leafEntry(call, kind, api, () => typedFqn(n.at.module.file, call.fqn, resolver));
        if (entry === undefined || (call.fallback && given(n, call.fallback)) || (call.onlyIf && !mayBeTrue(n, call.onlyIf))) continue;
        const l: ChainLeaf = { module: n.at.module, call, entry: entry ?? undefined };
        if (all) matches.push(l);
        // `client.get(url).json()`: the inner `client.get` names the effect better than the chain
        if (!leaf || (leaf.call.text.includes('(') && !call.text.includes('(') && call.start >= leaf.call.start && call.end <= leaf.call.end)) leaf = l;
        if (!call.text.includes('(') && !all) break;
      }
      if (!leaf) continue;
      if (!all) return { first: start, links: n.links, leaf };
      if (!found) {
        found = { first: start, links: n.links, leaf };
        note(leaf);
      }
      for (const m of matches) note(m);
    }
    const next: Node[] = [];
    const enter = (target: IndexedFunction, call: CallSummary, n: Node, ownReceiver: Node['receiver'], handedTo?: IndexedFunction) => {
      if (depth === maxDepth || !enterable(target.fn, api, kind) || (call.onlyIf && !mayBeTrue(n, call.onlyIf))) return;
      // a memoised function (`@functools.lru_cache`) runs once per process: its I/O is set-up, not
      // repeated by a replay (a non-deterministic value it caches still differs in the next process)
      if (target.fn.memoized && (kind === 'io' || kind === 'database')) return;
      const k = target.module.file + '\0' + target.fn.qualname;
      if (seen.has(k)) return;
      seen.add(k);
      tracker.touch(target.module.file);
      const receiver = target.receiver ?? ownReceiver;
      const link: ChainLink = { ...target, via: call, viaModule: n.at.module };
      if (handedTo) link.handedTo = handedTo;
      // a handed function's parameters are what the helper passes, unknown here
      next.push({ at: target, links: [...n.links, link], passed: handedTo ? null : call.passed, parent: n, receiver });
    };
    for (const n of layer) {
      for (const call of n.at.fn.calls) {
        checkTime();
        // `self.m()` in a method `self`'s class inherits: that class's `m` (an override), else the usual target
        const own = n.receiver ? SELF_CALL.exec(call.text) : null;
        const selfTarget = own && n.receiver ? resolver.resolveFrom(n.receiver.file, `${n.receiver.cls}().${own[1]}`, 0) : null;
        for (const target of selfTarget ? [selfTarget] : targetsOf(n.at.module, call, api, resolver)) {
          // `_fetch_optional(storage.read_html, key)` where `_fetch_optional` calls its parameter: the
          // handed function runs there too, entered at this call
          for (const handed of handedInto(n.at.module, call.handed, target, resolver)) {
            if (kind === 'start' && handed.fn.workflow && !(call.flags & CALL_EXPECTS_FAILURE)) return { first: start, links: n.links, leaf: { module: n.at.module, call, workflow: handed } };
            enter(handed, call, n, undefined, target);
          }
          if (kind === 'start' && target.fn.workflow && !(call.flags & CALL_EXPECTS_FAILURE)) {
            return { first: start, links: n.links, leaf: { module: n.at.module, call, workflow: target } };
          }
          enter(target, call, n, own ? n.receiver : undefined);
        }
      }
    }
    layer = next;
  }
  return found ? { ...found, others: { leaves: others, total } } : null;
}

/**
 * The functions of `refs` (the arguments of a call that name a function, facts/handed-callables.ts)
 * that land on a parameter `target` calls: they run inside `target`. `module` is the calling module,
 * where a local reference is found; any other is resolved from it.
 */
export function handedInto(module: ModuleSummary, refs: readonly HandedReference[] | undefined, target: IndexedFunction, resolver: ModuleResolver): IndexedFunction[] {
  const called = target.fn.callsParams;
  if (!refs || !called) return NONE;
  const out: IndexedFunction[] = [];
  for (const ref of refs) {
    if (!landsOnCalled(ref, called)) continue;
    const fn = ref.local ? module.functions.get(ref.local) : undefined;
    const found = fn ? { module, fn } : ref.fqn ? resolver.resolveFrom(module.file, ref.fqn, 0) : null;
    if (found) out.push(found);
  }
  return out;
}

/** A chain without its other leaves (asked without `all`): one object per chain. */
const nearest = new WeakMap<Chain, Chain>();
export function nearestOf(chain: Chain | null): Chain | null {
  if (!chain?.others) return chain;
  let hit = nearest.get(chain);
  if (!hit) nearest.set(chain, (hit = { first: chain.first, links: chain.links, leaf: chain.leaf }));
  return hit;
}

const NONE: IndexedFunction[] = [];

/** A call of a method on `self` (group 1: its name). */
const SELF_CALL = /^self\s*\.\s*([A-Za-z_]\w*)$/;

function enterable(fn: FunctionSummary, api: ApiCatalog, kind: ChainKind): boolean {
  return fn.plain && !api.allow.has(fn.fqn) && !(kind === 'syncDbos' && fn.isAsync);
}

/**
 * A name as the project's modules define it: a value a module binds (`app.clients.http.get` ->
 * `httpx.Client().get` with `http = httpx.Client()` in `app/clients.py`), and calls of project
 * functions replaced by what they return, from their return annotations or returns
 * (`app.db.get_session().execute` -> `sqlalchemy.orm.Session().execute`;
 * `app.api.Client()._api().delete` -> `sdk.API().delete`; `app.jobs.start()` -> `dbos.DBOS.start_workflow()`;
 * `app.db.AsyncSessionFactory().commit` -> `sqlalchemy.ext.asyncio.AsyncSession().commit`, model/fluent-types.ts):
 * each `()` from the left, the function
 * found by the same resolution as a helper, in this module or another one. The name itself when
 * nothing is known.
 */
export function typedFqn(fromFile: string, fqn: string | null, resolver: ModuleResolver): string | null {
  if (!fqn || !fqn.includes('.')) return fqn;
  let name = resolver.valueOf(fromFile, fqn, 0) ?? fqn;
  // each `()` followed by an attribute or ending the name (`app.jobs.start()`: what `start` returns)
  const next = (from: number) => {
    for (let at = name.indexOf('()', from); at >= 0; at = name.indexOf('()', at + 2)) if (at + 2 === name.length || name[at + 2] === '.') return at;
    return -1;
  };
  for (let at = next(0), hops = 0; at >= 0 && hops < 4; at = next(at + 2), hops++) {
    const made = resolver.resolveFrom(fromFile, name.slice(0, at), 0);
    if (!made?.fn.returns) continue;
    const rest = name.slice(at + 2);
    name = made.fn.returns + rest;
    // what it returns may itself be a call of a project function (`return await jobs.start(...)`)
    at = -2;
  }
  // a session another module's factory makes (`app.db.SessionLocal().add` -> `sqlalchemy.orm.sessionmaker()().add`)
  return fluentType(name);
}

/**
 * The project function a name enters, as resolved from `fromFile`; for a method of what a project
 * function returns, found through its type (`app.boot.get_store().update` with `def get_store() ->
 * Store` in `app/boot.py`: `app.store.Store().update`, `typedFqn`). Null for anything else.
 */
export function calledFunction(fromFile: string, fqn: string, resolver: ModuleResolver): IndexedFunction | null {
  const direct = resolver.resolveFrom(fromFile, fqn, 0);
  if (direct || !fqn.includes('().')) return direct;
  const typed = typedFqn(fromFile, fqn, resolver);
  return typed && typed !== fqn ? resolver.resolveFrom(fromFile, typed, 0) : null;
}

/**
 * undefined: the call is not a leaf of `kind`; null or an entry: it is. `typed`: the callee's name
 * with calls of project functions replaced by what they return (`typedFqn`), for the effect lists.
 */
function leafEntry(call: CallSummary, kind: ChainKind, api: ApiCatalog, typed: () => string | null): ApiEntry | null | undefined {
  switch (kind) {
    case 'start':
      return call.flags & CALL_STARTS_WORKFLOW && !(call.flags & CALL_EXPECTS_FAILURE) ? null : undefined;
    case 'construct':
      return call.flags & CALL_CONSTRUCTS_DBOS ? null : undefined;
    case 'launch':
      return call.fqn === 'dbos.DBOS.launch' ? null : undefined;
    case 'syncDbos':
      return (classifyDbosMethod(call.fqn) || classifyDbosMethod(typed())) && !(call.flags & CALL_EXPECTS_FAILURE) ? null : undefined;
    case 'workflowOnly':
      return workflowOnlyName(call.fqn) && !(call.flags & (CALL_EXPECTS_FAILURE | CALL_ZERO_SLEEP)) ? null : undefined;
    case 'workflowForbidden':
      return workflowForbiddenName(call.fqn) && !(call.flags & CALL_EXPECTS_FAILURE) ? null : undefined;
    case 'sleep':
      if (!call.fqn || api.allow.has(call.fqn) || call.flags & CALL_ZERO_SLEEP) return undefined;
      return api.sleep.match(call.fqn, call.argc) ?? undefined;
    case 'nondeterministic':
    case 'nondeterministicTolerated':
      if (!call.fqn || api.allow.has(call.fqn) || call.flags & CALL_QUIET_ND) return undefined;
      if (kind === 'nondeterministic' && call.flags & CALL_TOLERATED_ND) return undefined;
      return api.nondeterministic.match(call.fqn, call.argc) ?? undefined;
    default: {
      if (!call.fqn || api.allow.has(call.fqn)) return undefined;
      const entry = api[kind].match(call.fqn, call.argc);
      if (entry) return entry;
      const fqn = typed();
      return fqn && fqn !== call.fqn && !api.allow.has(fqn) ? (api[kind].match(fqn, call.argc) ?? undefined) : undefined;
    }
  }
}

/**
 * The functions a call of a summarised module may enter, in the same module or another one: the one
 * it names, or, when that one is abstract or the call is made on what a factory of several classes
 * returns, the methods that run instead (ModuleResolver.dispatch: the overrides of the project's
 * subclasses, the classes the factory returns).
 */
function targetsOf(module: ModuleSummary, call: CallSummary, api: ApiCatalog, resolver: ModuleResolver): IndexedFunction[] {
  let target: IndexedFunction | null = null;
  if (call.local) {
    const fn = module.functions.get(call.local);
    target = fn ? { module, fn } : null;
  } else if (call.fqn && !api.allow.has(call.fqn)) {
    target = calledFunction(module.file, call.fqn, resolver);
  }
  if (target && !target.fn.abstract) return [target];
  const fqn = call.fqn;
  if (!fqn || api.allow.has(fqn) || !fqn.includes('().')) return target ? [target] : [];
  const instead = resolver.dispatch(module.file, fqn, () => typedFqn(module.file, fqn, resolver));
  return instead.length > 0 ? instead : target ? [target] : [];
}
