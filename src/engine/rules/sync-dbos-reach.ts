// The sync DBOS methods a coroutine reaches through sync helpers (DBOS901, DBOS902): a call in an
// `async def` that enters a plain sync function, of this module or another, whose chain of sync
// helpers ends at a DBOS method that has an `_async` twin. The helper runs on the coroutine's event
// loop, so the sync method raises (check_async) or blocks there exactly as if it were written in
// the coroutine.
import type { Node } from 'web-tree-sitter';
import type { CallInfo, FunctionInfo, Scope } from '../model/types';
import type { ModuleModel } from '../model/module';
import type { RelatedInfo } from '../types';
import type { RuleContext } from './rule';
import type { Chain } from '../project/index';
import { rangeIn } from '../facts/positions';
import { isPlain, isWorkflow } from '../model/kinds';
import { asyncFunctionOf, classifyDbosMethod, isAwaited, mayBeDbosMethod, olderThan, syncHandleOf, type DbosMethodCall } from '../model/async-api';
import { chainView, crossChain, projectOf, typedName } from './call-chains';
import { checkTime } from '../budget';

export interface SyncDbosReach {
  /** The coroutine that makes the call. */
  fn: FunctionInfo;
  /** Its call of the first sync helper. */
  call: CallInfo;
  chain: Chain;
  /** The DBOS method the chain ends at (its first such call in the last helper). */
  method: DbosMethodCall;
  /** `update_settings → engine.apply_schedules → DBOS.list_schedules`, the helper's name as messages show it. */
  text: string;
  helperName: string;
  /** A location for every link of the chain, then every other sync DBOS call of the last helper. */
  related: RelatedInfo[];
  /** How many sync DBOS calls the last helper makes (the leaf included). */
  calls: number;
}

/**
 * The sync DBOS method a callee is (model/async-api.ts), also on a queue or client a project module
 * binds (`from app.queues import emails`: `emails.enqueue`) or a project function returns
 * (`get_client().enqueue` with `def get_client() -> DBOSClient`).
 */
export function dbosMethodOf(ctx: RuleContext, fqn: string | null): DbosMethodCall | null {
  return classifyDbosMethod(fqn) ?? (fqn && !fqn.startsWith('dbos.') && mayBeDbosMethod(fqn) ? classifyDbosMethod(typedName(ctx, fqn)) : null);
}

/**
 * The sync `WorkflowHandle` an object is (model/async-api.ts `syncHandleOf`), also when a project
 * function of another module returns it (`h = await jobs.start(...)` with `async def start(...):
 * return DBOS.start_workflow(...)` in `jobs.py`); the file's own functions are followed by the model.
 */
export function syncHandleAt(ctx: RuleContext, obj: Node, scope: Scope): ReturnType<typeof syncHandleOf> {
  const fqn = ctx.model.resolve(obj, scope);
  return syncHandleOf(fqn) ?? (fqn?.endsWith('()') && !fqn.startsWith('dbos.') ? syncHandleOf(typedName(ctx, fqn)) : null);
}

/**
 * Whether a reach is DBOS901's (a method that raises in a running loop, for the targeted version)
 * rather than DBOS902's (a method that only blocks it).
 */
export function raisesInLoop(reach: SyncDbosReach, version: [number, number] | null): boolean {
  return reach.method.kind === 'raising' && !olderThan(version, reach.method.since);
}

/**
 * The calls of the coroutines of the analysed file that reach a sync DBOS method through sync plain
 * helpers (breadth-first, the shortest chain): one per coroutine and first helper, at its first
 * call, the later calls of the same helper in that coroutine named as related locations. Direct
 * calls are the rules' own; an awaited call enters an `async def`; a function handed to
 * `asyncio.to_thread` is not called here. Quiet in test code, where nothing else runs on the loop.
 */
export function syncDbosReaches(ctx: RuleContext): SyncDbosReach[] {
  // asked by DBOS901 and DBOS902 of the same analysis: one walk
  const hit = reachCache.get(ctx.model);
  if (hit && hit.config === ctx.config && hit.api === ctx.api) return hit.reaches;
  const reaches = findReaches(ctx);
  reachCache.set(ctx.model, { config: ctx.config, api: ctx.api, reaches });
  return reaches;
}

const reachCache = new WeakMap<ModuleModel, { config: RuleContext['config']; api: RuleContext['api']; reaches: SyncDbosReach[] }>();

function findReaches(ctx: RuleContext): SyncDbosReach[] {
  const { model } = ctx;
  if (model.isTestFile) return [];
  const out: SyncDbosReach[] = [];
  const byHelper = new Map<FunctionInfo, Map<string, SyncDbosReach>>();
  for (const call of model.calls) {
    checkTime();
    const fn = asyncFunctionOf(call);
    if (!fn || fn.kinds.has('test') || fn.kinds.has('fixture') || isAwaited(call.node)) continue;
    if (dbosMethodOf(ctx, model.calleeFqn(call)) || model.expectsFailure(call.node)) continue;
    const helper = model.targetFunction(call);
    if (helper && (helper === fn || helper.isAsync || !isPlain(helper))) continue;
    const chain = crossChain(ctx, call, helper, 'syncDbos');
    const method = chain ? dbosMethodOf(ctx, chain.leaf.call.fqn) : null;
    if (!chain || !method) continue;
    const key = chain.first.module.file + '\0' + chain.first.fn.qualname;
    let seen = byHelper.get(fn);
    if (!seen) byHelper.set(fn, (seen = new Map()));
    const earlier = seen.get(key);
    if (earlier) {
      earlier.related.push({ message: `\`${earlier.helperName}\` is called here too`, range: model.lines.range(call.start, call.end) });
      continue;
    }
    const view = chainView(ctx, fn.name, chain);
    const last = chain.links.length ? chain.links[chain.links.length - 1] : chain.first;
    const own = projectOf(ctx).file;
    const where = last.module.file === own ? {} : { file: last.module.file };
    const related = [...view.related];
    let calls = 1;
    for (const c of last.fn.calls) {
      if (c === chain.leaf.call || !dbosMethodOf(ctx, c.fqn)) continue;
      calls++;
      related.push({ message: `\`${c.text}\` is also called here`, range: rangeIn(last.module, c.start, c.end), ...where });
    }
    const reach = { fn, call, chain, method, text: view.text, helperName: view.helperName, related, calls };
    seen.set(key, reach);
    out.push(reach);
  }
  return out;
}

/**
 * What to do about a reach: make the helper async with the twin, or (for a method that only blocks,
 * outside a workflow) run it in a worker thread. `callee`: the helper as the coroutine calls it.
 */
export function reachAdvice(reach: SyncDbosReach, callee: string): string {
  const leaf = reach.chain.leaf.call.text;
  const twin = leaf.replace(/\w+$/, `${reach.method.name}_async`);
  const helper = reach.helperName;
  const asyncHelper = `Make \`${helper}\`${reach.chain.links.length ? ' and the helpers it calls' : ''} async and use \`await ${twin}(...)\``;
  // a workflow's helper in another thread would run outside the workflow's own ordering of steps
  if (reach.method.kind === 'raising' || isWorkflow(reach.fn)) return `${asyncHelper}.`;
  return `${asyncHelper}, or run it in a worker thread (\`await asyncio.to_thread(${callee}, ...)\`).`;
}
