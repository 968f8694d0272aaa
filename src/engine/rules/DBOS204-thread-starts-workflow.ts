// DBOS204: threads, timers, processes and executors used to run workflows (anywhere) or DBOS work
// (inside workflows and steps).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isStepLike, isWorkflow } from '../model/kinds';
import type { Fix } from '../types';
import { dbosName } from '../fixes/common';
import { argList, functionNamed, positionalArgs, spawnPrimitive, spawnTarget, workflowStart, expectsFailure } from '../model/workflow-starts';
import { keywordValue } from '../syntax/arguments';

interface Runs {
  fn: FunctionInfo;
  /** The workflow the target starts, if any. */
  workflow: FunctionInfo | null;
  /** What DBOS work the target does, for messages. */
  what: string;
}

/** What the function given to a spawn primitive runs. */
function runs(ctx: RuleContext, target: Node, scopeFn: FunctionInfo | null): Runs | null {
  const { model } = ctx;
  let node = target;
  if (node.type === 'call' && model.resolve(node.childForFieldName('function')) === 'functools.partial') {
    const first = positionalArgs(node)[0];
    if (!first) return null;
    node = first;
  }
  const fn = functionNamed(model, node, scopeFn);
  if (!fn) return null;
  if (isWorkflow(fn)) return { fn, workflow: fn, what: `workflow \`${fn.name}\`` };
  if (isStepLike(fn)) return { fn, workflow: null, what: `step \`${fn.name}\`` };
  // a lambda or a plain function: what its own body calls
  for (const c of fn.calls) {
    const s = workflowStart(model, c);
    if (s?.kind === 'direct' && fn.isLambda) return { fn, workflow: s.workflow!, what: `workflow \`${s.label}\`` };
  }
  for (const c of fn.calls) {
    const s = workflowStart(model, c);
    if (s) return { fn, workflow: null, what: s.kind === 'direct' ? `workflow \`${s.label}\`` : `\`${s.label}(...)\`` };
    const g = model.targetFunction(c);
    if (g && isStepLike(g)) return { fn, workflow: null, what: `step \`${g.name}\`` };
    const fqn = model.calleeFqn(c);
    if (fqn?.startsWith('dbos.DBOS.') && !/^dbos\.DBOS\.(logger|span|tracer)\b/.test(fqn)) return { fn, workflow: null, what: `\`${model.textOf(c.callee)}(...)\`` };
  }
  return null;
}

export const rule: Rule = {
  code: 'DBOS204',
  requires: ['Thread', 'Timer', 'Process', 'Executor', 'Pool', 'run_in_executor'],
  check(ctx) {
    const { model } = ctx;
    for (const call of model.calls) {
      const p = spawnPrimitive(model.calleeFqn(call));
      if (!p) continue;
      if (expectsFailure(model, call.node)) continue;
      const target = spawnTarget(model, call, p);
      if (!target) continue;
      const r = runs(ctx, target, call.scope.fn);
      if (!r) continue;
      const encl = call.scope.fn;
      const inDbos = !!encl && (isWorkflow(encl) || isStepLike(encl));
      const primitive = model.textOf(call.callee);
      if (inDbos) {
        const kind = isWorkflow(encl) ? 'workflow' : 'step';
        ctx.report({
          node: call.node,
          severity: 'error',
          message:
            `\`${primitive}(...)\` runs ${r.what} on another thread, outside the ${kind}'s DBOS context\n` +
            `It is called in ${kind} \`${encl!.name}\`. DBOS keeps the workflow ` +
            `context in a context variable that threads and executors do not copy, so there it runs without it: a workflow ` +
            `becomes an unrelated top-level workflow (started again on every recovery of \`${encl!.name}\`), and steps are not ` +
            `checkpointed. Nothing warns you. Use \`DBOS.start_workflow\` (or a queue) for workflows and call steps directly.`,
          fixes: startFix(ctx, call, r, p.kind),
        });
        continue;
      }
      if (!r.workflow) continue; // DBOS work in a thread outside workflows: it works, not reported
      ctx.report({
        node: call.node,
        severity: 'warning',
        message:
          `\`${primitive}(...)\` runs workflow \`${r.workflow.name}\` on its own thread or process\n` +
          `The workflow still runs, but it ` +
          `ties up a thread, bypasses DBOS's executor and gives you no workflow handle. Start it with ` +
          `\`DBOS.start_workflow(${r.workflow.name}, ...)\` (or enqueue it on a queue), which runs it in the background and returns a handle.`,
        fixes: startFix(ctx, call, r, p.kind),
      });
    }
  },
};

/** `threading.Thread(target=wf, args=(a,)).start()` / `executor.submit(wf, a)` -> `DBOS.start_workflow(wf, a)`. */
function startFix(ctx: RuleContext, call: CallInfo, r: Runs, kind: string): Fix[] {
  const { model } = ctx;
  if (!r.workflow || r.fn !== r.workflow) return [];
  let node: Node = call.node;
  let args: string[] = [];
  const fnText = (n: Node | null) => (n ? model.textOf(n) : '');
  if (kind === 'thread') {
    const start = call.node.parent;
    const outer = start?.parent;
    if (start?.type !== 'attribute' || model.textOf(start.childForFieldName('attribute')!) !== 'start' || outer?.type !== 'call') return [];
    if (positionalArgs(call).length > 0 || argList(call).some((a) => a.type !== 'keyword_argument')) return [];
    for (const a of argList(call)) {
      const k = model.textOf(a.childForFieldName('name')!);
      if (!['target', 'args', 'kwargs', 'daemon', 'name'].includes(k)) return [];
    }
    const t = keywordValue(model, call, 'target');
    const a = keywordValue(model, call, 'args');
    const kw = keywordValue(model, call, 'kwargs');
    if (a) {
      if (a.type !== 'tuple' && a.type !== 'list') return [];
      args.push(...a.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => model.textOf(c)));
    }
    if (kw) {
      if (kw.type !== 'dictionary') return [];
      for (const pair of kw.namedChildren) {
        if (!pair || pair.type === 'comment') continue;
        const key = pair.type === 'pair' ? pair.childForFieldName('key') : null;
        const m = key ? /^["']([A-Za-z_]\w*)["']$/.exec(model.textOf(key)) : null;
        if (!m) return [];
        args.push(`${m[1]}=${fnText(pair.childForFieldName('value'))}`);
      }
    }
    args = [fnText(t), ...args];
    node = outer;
  } else if (kind === 'submit') {
    if (argList(call).some((a) => a.type === 'keyword_argument' && model.textOf(a.childForFieldName('name')!) === 'fn')) return [];
    args = argList(call).map((a) => model.textOf(a));
  } else return [];
  if (node.parent?.type !== 'expression_statement') return []; // the thread/future object is used: a handle is not a drop-in
  const dbos = dbosName(model);
  const isAsync = !!call.scope.fn?.isAsync;
  const text = isAsync ? `await ${dbos.text}.start_workflow_async(${args.join(', ')})` : `${dbos.text}.start_workflow(${args.join(', ')})`;
  return [
    {
      title: `Replace with \`${isAsync ? 'await DBOS.start_workflow_async' : 'DBOS.start_workflow'}(${r.workflow.name}, ...)\``,
      safe: false,
      preferred: true,
      edits: [...dbos.edits, model.lines.edit(node.startIndex, node.endIndex, text)],
    },
  ];
}
