// Calls that run a function they are handed, in a worker thread: `asyncio.to_thread(f, ...)`,
// `loop.run_in_executor(None, f, ...)`, `threading.Thread(target=f)`, `executor.submit(f, ...)`. The
// function runs when the caller does (the run-time questions of `model/run-time.ts`: `startedFunction`);
// where the caller waits for it in its own DBOS context, its effects are the caller's (the effect
// rules: `handedFunction`).
import type { ModuleModel } from './module';
import type { CallInfo } from './types';
import { keywordValue, positionalArgs } from '../syntax/arguments';

/**
 * How a runner runs the function it is handed: awaited by the caller with the caller's context
 * variables copied into the thread (`asyncio.to_thread`: DBOS's workflow context goes along, so a
 * step handed to it keeps its checkpoint); awaited without them (`run_in_executor`: DBOS's context
 * does not reach the function, and a step there runs as a plain function, `dbos/_core.py`, the step
 * wrapper with no workflow context calling `func(*args)`); or started on its own (a
 * `threading.Thread`, a pool's worker: not part of the workflow).
 */
type RunKind = 'awaited-with-context' | 'awaited-without-context' | 'started';

/** Where a runner takes the function: a position, else a keyword's name; and how it runs it. */
type Runner = readonly [number, string | null, RunKind];

/** Library calls that run a function they are handed. */
const RUNNERS: Readonly<Record<string, Runner>> = {
  'asyncio.to_thread': [0, null, 'awaited-with-context'],
  'anyio.to_thread.run_sync': [0, null, 'awaited-with-context'],
  'starlette.concurrency.run_in_threadpool': [0, null, 'awaited-with-context'],
  'fastapi.concurrency.run_in_threadpool': [0, null, 'awaited-with-context'],
  'threading.Thread': [1, 'target', 'started'],
  'threading.Timer': [1, 'function', 'started'],
  'concurrent.futures.ThreadPoolExecutor().submit': [0, 'fn', 'started'],
  'concurrent.futures.ThreadPoolExecutor().map': [0, 'fn', 'started'],
  'concurrent.futures.ProcessPoolExecutor().submit': [0, 'fn', 'started'],
  'concurrent.futures.ProcessPoolExecutor().map': [0, 'fn', 'started'],
};

/** `run_in_executor(executor, f, ...)` on any loop (the effect rules count it; `runnerWithoutContext` names it). */
const RUN_IN_EXECUTOR: Runner = [1, null, 'awaited-without-context'];

/**
 * For `asyncio.to_thread(f, *args)`, `loop.run_in_executor(executor, f, *args)` and the like, whose
 * caller awaits `f` in its own DBOS context, the call of `f` they make, as a call at the same place
 * (the callee is the reference `f`, the arguments unknown); null for any other call or when `f` is
 * not a plain name (a lambda, a call).
 */
export function handedFunction(model: ModuleModel, call: CallInfo): CallInfo | null {
  const hit = handed(model, call);
  return hit && hit.kind !== 'started' ? hit.call : null;
}

/**
 * For a call `handedFunction` answers whose runner does not carry the caller's DBOS context into its
 * thread (`loop.run_in_executor`): the runner's name as written, for messages; null otherwise.
 */
export function runnerWithoutContext(model: ModuleModel, call: CallInfo): string | null {
  const hit = handed(model, call);
  return hit?.kind === 'awaited-without-context' ? model.textOf(call.callee) : null;
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

/** The call of the handed function, and how its runner runs it. */
interface Handed {
  call: CallInfo;
  kind: RunKind;
}

const handedCalls = new WeakMap<CallInfo, Handed | null>();

function findHanded(model: ModuleModel, call: CallInfo): Handed | null {
  let where: Runner | undefined;
  if (call.calleeType === 'attribute' && model.methodOf(call) === 'run_in_executor') where = RUN_IN_EXECUTOR;
  else {
    const fqn = model.calleeFqn(call);
    if (fqn && Object.prototype.hasOwnProperty.call(RUNNERS, fqn)) where = RUNNERS[fqn];
  }
  if (where === undefined) return null;
  const ref = positionalArgs(call)[where[0]] ?? (where[1] ? keywordValue(model, call, where[1]) : null);
  if (!ref || (ref.type !== 'identifier' && ref.type !== 'attribute')) return null;
  const run: CallInfo = { node: call.node, callee: ref, calleeType: ref.type, args: null, scope: call.scope, start: call.start, end: call.end, def: call.def };
  return { call: run, kind: where[2] };
}
