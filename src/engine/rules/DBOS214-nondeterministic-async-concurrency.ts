// DBOS214: concurrency in an async workflow whose step order can change between runs:
// (a) asyncio.gather / create_task / TaskGroup.create_task over local coroutines that run two or more
//     DBOS operations (steps, child workflows, DBOS calls) one after the other;
// (b) asyncio.as_completed;
// (c) asyncio.wait with return_when=FIRST_COMPLETED / FIRST_EXCEPTION or a timeout (fix: DBOS.asyncio_wait, >= 2.15).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import { atLeast } from './rule';
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo, Scope } from '../model/types';
import type { Fix } from '../types';
import { isStepLike, isWorkflow } from '../model/kinds';
import { argList, positionalArgs, expectsFailure } from '../model/workflow-starts';
import { workflowStart } from '../model/workflow-starts';
import { singleBindingValue } from '../model/dbos-calls';
import { literal } from '../model/queues';
import { dbosName } from '../fixes/common';
import { keywordValue } from '../syntax/arguments';
import { enclosingLoop } from '../syntax/enclosing';

const GATHER = new Set(['asyncio.gather']);
const TASK_STARTERS = new Set(['asyncio.create_task', 'asyncio.ensure_future', 'asyncio.TaskGroup().create_task']);
const AS_COMPLETED = 'asyncio.as_completed';
const WAIT = 'asyncio.wait';

/** DBOS class members that are not recorded operations. */
const NOT_RECORDED = new Set(['logger', 'span', 'tracer', 'set_authentication', 'workflow_id', 'step_id', 'step_status']);

/** Whether a call is one durable DBOS operation in a workflow (a step, child workflow or recorded DBOS call). */
function isDbosOperation(model: ModuleModel, call: CallInfo): boolean {
  const target = model.targetFunction(call);
  if (target && (isWorkflow(target) || isStepLike(target))) return true;
  if (workflowStart(model, call)) return true;
  const fqn = model.calleeFqn(call);
  const m = fqn ? /^dbos\.DBOS\.([A-Za-z_]\w*)$/.exec(fqn) : null;
  return !!m && !NOT_RECORDED.has(m[1]);
}


/**
 * How many DBOS operations a plain coroutine runs one after the other (2 means "two or more"),
 * following plain local helpers it calls, with the first two operations for the message.
 */
function operations(model: ModuleModel, fn: FunctionInfo, seen: Set<FunctionInfo>): CallInfo[] {
  if (seen.has(fn)) return [];
  seen.add(fn);
  const out: CallInfo[] = [];
  for (const c of fn.calls) {
    if (isDbosOperation(model, c)) {
      out.push(c);
      if (enclosingLoop(c.node)) out.push(c);
    } else {
      const t = model.targetFunction(c);
      if (t && !t.isLambda && t.isAsync === fn.isAsync && !isWorkflow(t) && !isStepLike(t)) {
        const inner = operations(model, t, seen);
        out.push(...inner);
        if (inner.length > 0 && enclosingLoop(c.node)) out.push(...inner);
      }
    }
    if (out.length >= 2) break;
  }
  return out;
}

/** The coroutine calls a gather / create_task argument stands for (`one(i)`, `*(one(i) for i in ids)`, `*tasks`). */
function coroutineCalls(model: ModuleModel, node: Node, scope: Scope, depth = 0): Node[] {
  if (depth > 3) return [];
  switch (node.type) {
    case 'call': {
      const fqn = model.resolve(node.childForFieldName('function'), scope);
      // create_task(one(i)) inside a list of tasks
      if (fqn && TASK_STARTERS.has(fqn)) {
        const a = positionalArgs(node)[0];
        return a ? coroutineCalls(model, a, scope, depth + 1) : [];
      }
      return [node];
    }
    case 'await':
    case 'parenthesized_expression':
      return node.namedChildren.flatMap((c) => (c && c.type !== 'comment' ? coroutineCalls(model, c, scope, depth + 1) : []));
    case 'list_splat': {
      const inner = node.namedChildren[0];
      return inner ? coroutineCalls(model, inner, scope, depth + 1) : [];
    }
    case 'list':
    case 'tuple':
      return node.namedChildren.flatMap((c) => (c && c.type !== 'comment' ? coroutineCalls(model, c, scope, depth + 1) : []));
    case 'list_comprehension':
    case 'generator_expression': {
      const body = node.childForFieldName('body');
      return body ? coroutineCalls(model, body, scope, depth + 1) : [];
    }
    case 'identifier': {
      const v = singleBindingValue(model, node, scope);
      return v ? coroutineCalls(model, v, scope, depth + 1) : [];
    }
    default:
      return [];
  }
}

/** The local function a call node enters. */
function calledFunction(model: ModuleModel, call: Node, scope: Scope): FunctionInfo | null {
  const info = model.calls.find((c) => c.node.id === call.id);
  if (info) return model.targetFunction(info) ?? null;
  const fqn = model.resolve(call.childForFieldName('function'), scope);
  return fqn ? model.functionsByFqn.get(fqn) ?? null : null;
}

/** Reports each interleaving coroutine once per workflow (`reported`): at the first place it is started concurrently. */
function checkInterleaving(ctx: RuleContext, call: CallInfo, label: string, args: Node[], concurrent: boolean, reported: Set<FunctionInfo>): void {
  const { model } = ctx;
  const calls = args.flatMap((a) => coroutineCalls(model, a, call.scope));
  // one coroutine awaited on its own runs nothing concurrently
  if (!concurrent && calls.length < 2 && !args.some((a) => a.type === 'list_splat')) return;
  for (const cc of calls) {
    const fn = calledFunction(model, cc, call.scope);
    if (!fn || !fn.isAsync || fn.isLambda || isWorkflow(fn) || isStepLike(fn) || reported.has(fn)) continue;
    const ops = operations(model, fn, new Set());
    if (ops.length < 2) continue;
    reported.add(fn);
    ctx.report({
      node: call.node,
      message:
        `\`${label}\` runs \`${fn.name}\`, which runs several DBOS operations, concurrently\n` +
        `\`${fn.name}\` runs DBOS operations one after the other (\`${model.textOf(ops[0].callee)}\` ...): DBOS numbers steps in the order they start, and that order now depends on timing. ` +
        'On recovery the steps can start in another order and DBOS raises `DBOSUnexpectedStepError` ("... Check that your workflow is deterministic."), ' +
        'or the workflow silently takes another path; the first run shows nothing. Make each concurrent branch a single step, or turn ' +
        `\`${fn.name}\` into a child \`@DBOS.workflow()\` started with \`DBOS.start_workflow_async\`.`,
      related: [{ message: `\`${fn.name}\` is defined here`, range: nameRange(model, fn) }],
    });
  }
}

function nameRange(model: ModuleModel, fn: FunctionInfo) {
  const n = fn.node.childForFieldName('name') ?? fn.node;
  return model.lines.range(n.startIndex, n.endIndex);
}

/** `return_when=FIRST_COMPLETED` / `FIRST_EXCEPTION` (as `asyncio.X` or a string), or a `timeout=` that is not None. */
function waitIsPartial(model: ModuleModel, call: CallInfo): string | null {
  const rw = keywordValue(model, call, 'return_when');
  if (rw) {
    const fqn = model.resolve(rw, call.scope);
    const lit = literal(model, rw);
    const v = fqn?.startsWith('asyncio.') || fqn?.startsWith('concurrent.futures.') ? fqn.split('.').pop() : lit?.t === 'str' ? lit.v : null;
    if (v === 'FIRST_COMPLETED' || v === 'FIRST_EXCEPTION') return `return_when=${v}`;
  }
  const t = keywordValue(model, call, 'timeout');
  if (t && literal(model, t)?.t !== 'none') return 'a timeout';
  return null;
}

/** The list of awaitables of `asyncio.wait(fs, ...)` has a fixed order (a list, not a set). */
function orderedList(model: ModuleModel, node: Node | undefined, scope: Scope): boolean {
  if (!node) return false;
  if (node.type === 'list' || node.type === 'list_comprehension') return true;
  if (node.type === 'identifier') {
    const v = singleBindingValue(model, node, scope);
    return !!v && (v.type === 'list' || v.type === 'list_comprehension');
  }
  return false;
}

function asyncioWaitFix(ctx: RuleContext, call: CallInfo): Fix[] | undefined {
  const { model } = ctx;
  if (!atLeast(ctx.version, 2, 15)) return undefined;
  const pos = positionalArgs(call);
  if (pos.length !== 1 || argList(call).some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
  if (!orderedList(model, pos[0], call.scope)) return undefined;
  const d = dbosName(model);
  return [
    {
      title: `Use \`${d.text}.asyncio_wait(...)\` (records which tasks finished)`,
      // adds a recorded operation: workflows already running under the old code would see another step sequence
      safe: false,
      edits: [model.lines.edit(call.callee.startIndex, call.callee.endIndex, `${d.text}.asyncio_wait`), ...d.edits],
    },
  ];
}

export const rule: Rule = {
  code: 'DBOS214',
  // every primitive it looks for is an asyncio name, so the module is imported by that name
  requires: ['asyncio'],
  check(ctx) {
    const { model } = ctx;
    for (const fn of model.functions) {
      if (!fn.isAsync || !isWorkflow(fn)) continue;
      const reported = new Set<FunctionInfo>();
      const starters = fn.calls.filter((c) => TASK_STARTERS.has(model.calleeFqn(c) ?? '')).length;
      for (const call of fn.calls) {
        const fqn = model.calleeFqn(call);
        if (!fqn) continue;
        if (expectsFailure(model, call.node)) continue;
        if (GATHER.has(fqn)) {
          checkInterleaving(ctx, call, model.textOf(call.callee), argList(call).filter((a) => a.type !== 'keyword_argument'), false, reported);
        } else if (TASK_STARTERS.has(fqn)) {
          const a = positionalArgs(call)[0];
          // a task started in a loop, or next to other tasks, runs alongside them
          if (a) checkInterleaving(ctx, call, model.textOf(call.callee), [a], !!enclosingLoop(call.node) || starters >= 2, reported);
        } else if (fqn === AS_COMPLETED) {
          ctx.report({
            node: call.callee,
            message:
              `\`${model.textOf(call.callee)}(...)\` yields results in the order they finish, which changes on replay\n` +
              `In workflow \`${fn.name}\`, ` +
              'whatever the workflow does with them next (steps, their order, their inputs) is not replayed the same way on recovery ' +
              '(`DBOSUnexpectedStepError`, or silently different results). Await the tasks in a fixed order (`asyncio.gather(...)` keeps argument order), ' +
              'or use `DBOS.asyncio_wait(...)`, which records which tasks finished.',
          });
        } else if (fqn === WAIT) {
          const why = waitIsPartial(model, call);
          if (!why) continue;
          ctx.report({
            node: call.callee,
            message:
              `\`${model.textOf(call.callee)}(...)\` with ${why} returns whichever tasks happen to be done\n` +
              `In workflow \`${fn.name}\`, the split into done ` +
              'and pending is not recorded, so on recovery the workflow can see another split and run other steps ' +
              '(`DBOSUnexpectedStepError`, or silently different results). Use `DBOS.asyncio_wait(...)` (DBOS 2.15 or later), which takes the same ' +
              'arguments and records which tasks finished.',
            fixes: asyncioWaitFix(ctx, call),
          });
        }
      }
    }
  },
};
