// DBOS902: sync DBOS calls that block the event loop of an `async def` without raising (a), an `async def`
// workflow started with the sync `DBOS.start_workflow` there (b), and
// `get_result()` / `get_status()` of a `WorkflowHandleAsync` left un-awaited (c), and `get_result()` of a sync
// `WorkflowHandle` (`get_status()` too for a `DBOSClient` handle) in a coroutine (d).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { Fix } from '../types';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import {
  addAwaitEdits,
  asyncFunctionOf,
  asyncTwinFix,
  handleUseIsSafe,
  isAsyncHandle,
  isAsyncHandleMethod,
  isAwaited,
  olderThan,
  returnsHandle,
} from '../model/async-api';
import { dbosMethodOf, raisesInLoop, reachAdvice, syncDbosReaches, syncHandleAt } from './sync-dbos-reach';
import { functionNamed, startTarget } from '../model/workflow-starts';
import { isWorkflow } from '../model/kinds';

export const rule: Rule = {
  code: 'DBOS902',
  requires: ['async'],
  check(ctx) {
    const { model } = ctx;
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (!fqn) continue;
      // (a) blocking sync DBOS / queue / client method in a coroutine
      const fn = asyncFunctionOf(call);
      const m = fn ? dbosMethodOf(ctx, fqn) : null;
      if (fn && m && (m.kind === 'blocking' || olderThan(ctx.version, m.since))) {
        // a test's coroutine has nothing else on its loop to block: quiet in test code
        if (model.isTestFile || fn.kinds.has('test') || fn.kinds.has('fixture')) continue;
        const callee = model.textOf(call.callee);
        const twin = `${callee.replace(/\w+$/, `${m.name}_async`)}`;
        const safe = !returnsHandle(m.name) || handleUseIsSafe(model, call, fn);
        const fixes: Fix[] = [];
        const f = asyncTwinFix(model, call, fn, m.name, safe);
        if (f) {
          if (!safe) f.title += ' (it returns a `WorkflowHandleAsync`: await its methods)';
          fixes.push(f);
        }
        const what = m.receiver === 'client' ? 'a `DBOSClient` method' : m.receiver === 'queue' ? 'a queue method' : 'a DBOS method';
        // an `async def` workflow started synchronously runs in one of DBOS's worker threads, on DBOS's own event loop
        const asyncTarget = m.name === 'start_workflow' ? asyncWorkflowStarted(ctx, call, fqn) : null;
        ctx.report({
          node: call.node,
          // DBOS lets a sync start_workflow through in a coroutine on purpose (it blocks only briefly)
          severity: m.name === 'start_workflow' && !asyncTarget ? 'information' : undefined,
          message:
            `\`${callee}()\` blocks the event loop: it is a synchronous database call\n` +
            `\`${callee}()\` is ${what} that talks to the database synchronously. ` +
            `In the coroutine \`${fn.name}\` it blocks the event loop for every round-trip (DBOS does not warn). ` +
            (asyncTarget
              ? `Started synchronously, the \`async def\` workflow \`${asyncTarget}\` runs in one of DBOS's worker threads on DBOS's own event loop, not on this one. `
              : '') +
            `Use \`await ${twin}(...)\`.`,
          fixes,
        });
        continue;
      }
      // (c) WorkflowHandleAsync.get_result() / get_status() without await
      const method = model.methodOf(call);
      if (!method || !isAsyncHandleMethod(method)) continue;
      const obj = call.callee.childForFieldName('object');
      // (d) a sync WorkflowHandle's get_result() (or a client handle's get_status()) in a coroutine
      if (fn && obj && !(model.isTestFile || fn.kinds.has('test') || fn.kinds.has('fixture'))) {
        const handle = syncHandleAt(ctx, obj, call.scope);
        if (handle && (method === 'get_result' || handle.kind === 'client')) {
          const h = model.textOf(obj);
          const what = method === 'get_result' ? 'until the workflow ends' : 'for a round-trip';
          ctx.report({
            node: call.node,
            message:
              `\`${h}.${method}()\` of a sync handle blocks the event loop of \`${fn.name}\` ${what}\n` +
              `\`${h}\` is a sync \`WorkflowHandle\`, from \`${handle.source}(...)\`: its \`${method}()\` waits on the calling thread, so nothing else runs on this coroutine's event loop meanwhile (DBOS does not warn). ` +
              `Get an async handle (\`await ${handle.source}_async(...)\`) and \`await ${h}.${method}()\`.`,
          });
          continue;
        }
      }
      if (!obj || !isAsyncHandle(model.resolve(obj, call.scope))) continue;
      if (isAwaited(call.node) || !coroutineIsLost(model, call)) continue;
      const fixes: Fix[] = [];
      if (call.scope.fn?.isAsync) fixes.push({ title: 'Add `await`', safe: true, preferred: true, edits: addAwaitEdits(model, call.node) });
      ctx.report({
        node: call.node,
        message:
          `\`${method}()\` of a \`WorkflowHandleAsync\` returns a coroutine, and it is not awaited\n` +
          `\`${model.textOf(obj)}\` is a \`WorkflowHandleAsync\`: without \`await\` the ` +
          `${method === 'get_result' ? 'result' : 'status'} is never read (Python only warns "coroutine was never awaited"). Write \`await ${model.textOf(call.node)}\`.`,
        fixes,
      });
    }
    // (a) through sync helpers, of this module or others: the helper runs on the coroutine's loop
    for (const r of syncDbosReaches(ctx)) {
      if (raisesInLoop(r, ctx.version)) continue;
      const callee = model.textOf(r.call.callee);
      const leaf = r.chain.leaf.call.text;
      const more = r.calls > 1 ? ` and ${r.calls - 1} more synchronous DBOS call${r.calls > 2 ? 's' : ''}` : '';
      ctx.report({
        node: r.call.node,
        severity: r.method.name === 'start_workflow' && r.calls === 1 ? 'information' : undefined,
        message:
          `\`${callee}()\` blocks the event loop: it calls sync \`${leaf}()\`\n` +
          `${r.text}: in the coroutine \`${r.fn.name}\` every round-trip of \`${leaf}()\`${more} blocks the event loop (DBOS does not warn). ` +
          reachAdvice(r, callee),
        related: r.related,
      });
    }
  },
};

/**
 * The name of the `async def` workflow a `DBOS.start_workflow(F, ...)` call starts, in this file or (through the
 * index) another module; null when it is sync or unknown.
 */
function asyncWorkflowStarted(ctx: RuleContext, call: CallInfo, fqn: string): string | null {
  const { model } = ctx;
  const target = startTarget(call, fqn);
  const local = functionNamed(model, target, call.scope.fn);
  if (local) return local.isAsync && isWorkflow(local) ? local.name : null;
  const name = target ? model.resolve(target, call.scope) : null;
  if (!name || !ctx.index || !ctx.file) return null;
  const other = ctx.index.resolve(ctx.file, name);
  return other && other.fn.isAsync && other.fn.kinds.includes('workflow') ? other.fn.name : null;
}

/** The un-awaited coroutine is dropped or used as if it were the value (not handed to asyncio). */
function coroutineIsLost(model: ModuleModel, call: CallInfo): boolean {
  let n: Node = call.node;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (!p) return false;
  switch (p.type) {
    case 'expression_statement':
    case 'comparison_operator':
    case 'binary_operator':
    case 'boolean_operator':
    case 'not_operator':
    case 'interpolation':
      return true;
    case 'attribute':
      return p.childForFieldName('object')?.id === n.id;
    case 'argument_list': {
      // print(h.get_result()), str(...), len(...): builtins never await their arguments
      const callee = p.parent?.type === 'call' ? p.parent.childForFieldName('function') : null;
      const fqn = callee ? model.resolve(callee, call.scope) : null;
      return !!fqn && fqn.startsWith('builtins.');
    }
    case 'subscript':
      return p.childForFieldName('value')?.id === n.id;
    case 'if_statement':
    case 'while_statement':
      return p.childForFieldName('condition')?.id === n.id;
    case 'assignment': {
      const left = p.childForFieldName('left');
      if (!left || left.type !== 'identifier' || p.childForFieldName('right')?.id !== n.id) return false;
      return !variableReachesAsyncio(model, call, model.textOf(left), left.startIndex);
    }
    default:
      return false;
  }
}

/** The variable holding the coroutine is later awaited, returned or passed somewhere. */
function variableReachesAsyncio(model: ModuleModel, call: CallInfo, name: string, after: number): boolean {
  const fn = call.scope.fn;
  const body = fn?.body ?? model.root;
  for (const id of model.identifiersNamed(name, body)) {
    if (!id || id.startIndex <= after || model.textOf(id) !== name) continue;
    let n: Node = id;
    while (n.parent?.type === 'parenthesized_expression') n = n.parent;
    const p = n.parent;
    if (!p) continue;
    if (p.type === 'argument_list') {
      // print(x), str(x): builtins never await their arguments
      const callee = p.parent?.type === 'call' ? p.parent.childForFieldName('function') : null;
      const fqn = callee ? model.resolve(callee, call.scope) : null;
      if (fqn && fqn.startsWith('builtins.')) continue;
      return true;
    }
    if (p.type === 'await' || p.type === 'return_statement' || p.type === 'yield') return true;
    if (p.type === 'list' || p.type === 'tuple' || p.type === 'set' || p.type === 'pair' || p.type === 'keyword_argument') return true;
    if (p.type === 'assignment' && p.childForFieldName('right')?.id === n.id) return true;
    if (p.type === 'call' && p.childForFieldName('function')?.id === n.id) continue;
  }
  return false;
}
