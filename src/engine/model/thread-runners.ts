// Calls that run a function they are handed, in a worker thread: `asyncio.to_thread(f, ...)`,
// `loop.run_in_executor(None, f, ...)`, `threading.Thread(target=f)`, `executor.submit(f, ...)`. The
// function runs when the caller does (the run-time questions of `model/run-time.ts`: `startedFunction`);
// where the caller waits for it in its own DBOS context, its effects are the caller's (the effect
// rules: `handedFunction`).
import type { ModuleModel } from './module';
import type { CallInfo } from './types';
import { keywordValue, positionalArgs } from '../syntax/arguments';

/**
 * Library calls that run a function they are handed: where it is (a position, else a keyword's name),
 * and whether the caller awaits it with its DBOS context (`asyncio.to_thread` copies the context
 * variables, so a step handed to it keeps its checkpoint; a `threading.Thread` or a pool's worker
 * starts with none: a step there is not part of the workflow).
 */
const RUNNERS: Readonly<Record<string, readonly [number, string | null, boolean]>> = {
  'asyncio.to_thread': [0, null, true],
  'anyio.to_thread.run_sync': [0, null, true],
  'starlette.concurrency.run_in_threadpool': [0, null, true],
  'fastapi.concurrency.run_in_threadpool': [0, null, true],
  'threading.Thread': [1, 'target', false],
  'threading.Timer': [1, 'function', false],
  'concurrent.futures.ThreadPoolExecutor().submit': [0, 'fn', false],
  'concurrent.futures.ThreadPoolExecutor().map': [0, 'fn', false],
  'concurrent.futures.ProcessPoolExecutor().submit': [0, 'fn', false],
  'concurrent.futures.ProcessPoolExecutor().map': [0, 'fn', false],
};

/**
 * `run_in_executor(executor, f, ...)` on any loop: the caller awaits it (the effect rules count it),
 * but unlike `asyncio.to_thread` it does not copy the context variables into the thread, so DBOS's
 * context does not reach `f`: a step there runs as a plain function (`dbos/_core.py`, the step
 * wrapper: no workflow context, `func(*args)`). `runnerWithoutContext` names it.
 */
const RUN_IN_EXECUTOR: readonly [number, string | null, boolean] = [1, null, true];

/**
 * For `asyncio.to_thread(f, *args)`, `loop.run_in_executor(executor, f, *args)` and the like, whose
 * caller awaits `f` in its own DBOS context, the call of `f` they make, as a call at the same place
 * (the callee is the reference `f`, the arguments unknown); null for any other call or when `f` is
 * not a plain name (a lambda, a call).
 */
export function handedFunction(model: ModuleModel, call: CallInfo): CallInfo | null {
  const hit = handed(model, call);
  return hit?.awaited ? hit.call : null;
}

/**
 * For a call `handedFunction` answers whose runner does not carry the caller's DBOS context into its
 * thread (`loop.run_in_executor`): the runner's name as written, for messages; null otherwise.
 */
export function runnerWithoutContext(model: ModuleModel, call: CallInfo): string | null {
  const hit = handed(model, call);
  return hit?.awaited && !hit.context ? `${model.textOf(call.callee)}` : null;
}

/** `handedFunction`, and also for the runners that start `f` on its own (`threading.Thread(target=f)`, `executor.submit(f)`). */
export function startedFunction(model: ModuleModel, call: CallInfo): CallInfo | null {
  return handed(model, call)?.call ?? null;
}

function handed(model: ModuleModel, call: CallInfo): Handed | null {
  // asked by each effect rule for every call of a workflow: one answer per call (and one object, so
  // that the caches keyed by call serve all the rules)
  let hit = handedCalls.get(call);
  if (hit === undefined) handedCalls.set(call, (hit = findHanded(model, call)));
  return hit;
}

/** The call of the handed function; whether the caller awaits it; whether its DBOS context goes with it. */
interface Handed {
  call: CallInfo;
  awaited: boolean;
  context: boolean;
}

const handedCalls = new WeakMap<CallInfo, Handed | null>();

function findHanded(model: ModuleModel, call: CallInfo): Handed | null {
  let where: readonly [number, string | null, boolean] | undefined;
  if (call.calleeType === 'attribute' && model.methodOf(call) === 'run_in_executor') where = RUN_IN_EXECUTOR;
  else {
    const fqn = model.calleeFqn(call);
    if (fqn && Object.prototype.hasOwnProperty.call(RUNNERS, fqn)) where = RUNNERS[fqn];
  }
  if (where === undefined) return null;
  const ref = positionalArgs(call)[where[0]] ?? (where[1] ? keywordValue(model, call, where[1]) : null);
  if (!ref || (ref.type !== 'identifier' && ref.type !== 'attribute')) return null;
  const run: CallInfo = { node: call.node, callee: ref, calleeType: ref.type, args: null, scope: call.scope, start: call.start, end: call.end, def: call.def };
  return { call: run, awaited: where[2], context: where[2] && where !== RUN_IN_EXECUTOR };
}
