// When a function of the module runs, relative to `DBOS.launch()` and how often: read from what the
// function is (a workflow, a step, an HTTP handler, a method) and, for a plain function, from its
// callers in the module (and the calls that hand it to a thread or task runner: `model/callers.ts`
// `runnersOf`), followed up through their own callers. What registers something with DBOS
// (a nested `@DBOS.workflow()`, a `Queue(name)`) asks it: registering once before launch is fine,
// after launch comes too late for recovery, and a second run registers again. The callers of a
// module-level function in other modules are the project index's to find (`project/callers.ts`):
// the rules hand its answer in as `Elsewhere`.
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import type { Range } from '../types';
import { isStepLike, isWorkflow } from './kinds';
import { launchBefore } from './lifecycle';
import { enclosingLoop } from '../syntax/enclosing';
import { runnersOf } from './callers';

/** Why a function runs late or repeatedly, and the call of the module that makes it so (null: what the function is). */
export interface RunReason {
  /** How a message says it, after "it is": "a workflow", "called from `serve` (line 8), which is called from HTTP handler `create` (line 12)". */
  why: string;
  /** The call that leads there, for a related location (the first call of the chain, in the function's caller). */
  at: CallInfo | null;
  /** That call when it is in another module (`at` is then null). */
  site?: CallSite;
  /** What starts the chain: a kind of `lateKind` (`method`...), `launch` (a call after `DBOS.launch()`) or `loop`. */
  root: string;
}

export interface RunTime {
  /** Why it can run after `DBOS.launch()`, or null (before launch, or unknown). */
  late: RunReason | null;
  /** Why it can run more than once, or null. */
  repeated: RunReason | null;
}

/** A call in another file: its absolute path and range, and how it runs the function (`howRun`). */
export interface CallSite {
  file: string;
  range: Range;
  how: string;
}

/**
 * When a module-level function of the module runs by its calls in other modules of the project
 * (`late`, `repeated`, `loop` as for one call, the first caller of each), or null when nothing calls
 * it there. The reasons name the other module's file and carry the call as `site`.
 */
export type Elsewhere = (fn: FunctionInfo) => CallTime | null;

const NONE: RunTime = { late: null, repeated: null };

/** What the function is, when that alone says it runs after launch, once per call: "workflow", "HTTP handler"... or null. */
export function lateKind(fn: FunctionInfo): string | null {
  if (fn.isLambda) return null;
  // hooks Python runs when a class is created (at import, for a module-level class), not per call
  if (fn.cls && CLASS_CREATION_HOOKS.has(fn.name)) return null;
  if (isWorkflow(fn)) return 'workflow';
  if (isStepLike(fn)) return 'step';
  if (fn.kinds.has('http')) return 'HTTP handler';
  if (fn.cls) return 'method';
  return null;
}

/** Methods Python calls while it creates a class (a subclass, an attribute of it): they run when the class statement does. */
const CLASS_CREATION_HOOKS = new Set(['__init_subclass__', '__set_name__', '__class_getitem__']);

function line(model: ModuleModel, call: CallInfo): number {
  return model.lines.positionAt(call.start).line + 1;
}

/**
 * When `fn` runs (see `RunTime`). A workflow, step, HTTP handler or method runs after launch, on
 * every call. A nested function runs when its enclosing function does. A plain function runs when
 * its callers do: late when a caller runs after a `DBOS.launch()` of the same body (or the caller
 * itself runs late), repeatedly when a call sits in a loop or a caller repeats (two calls of their
 * own are left to the caller of this: registering twice before launch is tolerated, declaring one
 * queue name twice is not). A module-level function is also run by its callers in other modules,
 * when `elsewhere` (the project index) is given. A function with no caller known (handed to a
 * framework, or no index) is neither: nothing says when it runs.
 */
export function runTimeOf(model: ModuleModel, fn: FunctionInfo, elsewhere?: Elsewhere): RunTime {
  return runTime(model, fn, new Set(), elsewhere);
}

/** Whether other modules can call the function by name: a `def` at module level (not a method, a lambda or a nested function). */
export function calledByName(fn: FunctionInfo): boolean {
  return !fn.parent && !fn.cls && !fn.isLambda;
}

function runTime(model: ModuleModel, fn: FunctionInfo, visiting: Set<FunctionInfo>, elsewhere: Elsewhere | undefined): RunTime {
  const kind = lateKind(fn);
  if (kind) {
    const reason = { why: `a ${kind}`, at: null, root: kind };
    return { late: reason, repeated: reason };
  }
  if (visiting.has(fn)) return NONE;
  visiting.add(fn);
  try {
    const callers = runnersOf(model, fn);
    // a nested function with no call of its own runs when its enclosing function does
    if (callers.length === 0 && fn.parent) {
      const outer = runTime(model, fn.parent, visiting, elsewhere);
      return { late: outer.late, repeated: outer.repeated };
    }
    let late: RunReason | null = null;
    let repeated: RunReason | null = null;
    for (const call of callers) {
      const at = callTime(model, call, visiting, howRun(model, call), elsewhere);
      late ??= at.late;
      repeated ??= at.loop ?? at.repeated;
      if (late && repeated) break;
    }
    if ((!late || !repeated) && elsewhere && calledByName(fn)) {
      const other = elsewhere(fn);
      late ??= other?.late ?? null;
      repeated ??= other?.loop ?? other?.repeated ?? null;
    }
    return { late, repeated };
  } finally {
    visiting.delete(fn);
  }
}

/** When one call runs: `late` and `repeated` as for a function (see `RunTime`); `loop`: the call sits in a loop of its own body. */
export interface CallTime {
  late: RunReason | null;
  /** Its function (or what calls that) runs repeatedly; a loop around the call itself is `loop`. */
  repeated: RunReason | null;
  loop: RunReason | null;
}

/**
 * When `call` runs: after a `DBOS.launch()` of its body, in a loop, or when its function runs late or
 * repeatedly (by its callers in the module, and in other modules through `elsewhere`). `how`: how the
 * reasons say it runs the function asked about (`howRun`). `file`: the call's file as the reasons
 * name it, when the function asked about is in another module (`in app/main.py`).
 */
export function callTimeOf(model: ModuleModel, call: CallInfo, how = 'called', elsewhere?: Elsewhere, file?: string): CallTime {
  return callTime(model, call, new Set(), how, elsewhere, file);
}

/** How a message says that `call` runs the function asked about: "called", or "handed to `asyncio.to_thread`" (a thread or task runner). */
export function howRun(model: ModuleModel, call: CallInfo): string {
  return model.targetFunction(call) ? 'called' : `handed to \`${model.textOf(call.callee)}\``;
}

function callTime(model: ModuleModel, call: CallInfo, visiting: Set<FunctionInfo>, how: string, elsewhere: Elsewhere | undefined, file?: string): CallTime {
  const host = call.scope.fn;
  const where = (host ? `\`${host.name}\`` : call.scope.mainGuard ? 'the `__main__` block' : 'module level') + (file ? ` ${host ? 'in' : 'of'} ${file}` : '');
  const n = line(model, call);
  let late: RunReason | null = launchBefore(model, host, call.node) ? { why: `${how} after \`DBOS.launch()\` in ${where} (line ${n})`, at: call, root: 'launch' } : null;
  const loop: RunReason | null = enclosingLoop(call.node) ? { why: `${how} in a loop in ${where} (line ${n})`, at: call, root: 'loop' } : null;
  let repeated: RunReason | null = null;
  if (host) {
    const hostKind = lateKind(host);
    if (hostKind) {
      const reason = { why: `${how} from ${hostKind} \`${hostKind === 'method' ? host.qualname : host.name}\`${file ? ` in ${file}` : ''} (line ${n})`, at: call, root: hostKind };
      late ??= reason;
      repeated = reason;
    } else {
      const outer = runTime(model, host, visiting, elsewhere);
      const via = (r: RunReason | null): RunReason | null => (r ? { why: `${how} from ${where} (line ${n}), which is ${r.why}`, at: call, root: r.root } : null);
      late ??= via(outer.late);
      repeated = via(outer.repeated);
    }
  }
  return { late, repeated, loop };
}
