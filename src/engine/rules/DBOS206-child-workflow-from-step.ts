// DBOS206: a step (or transaction) starts, enqueues or calls a workflow.
import type { Rule } from './rule';
import { isStepLike } from '../model/kinds';
import type { Fix } from '../types';
import type { CallInfo } from '../model/types';
import { directEffect } from './effects';
import { crossChain, stepSideChains } from './call-chains';
import { isPlain } from '../model/kinds';
import { argList, kindWord, workflowStart, expectsFailure } from '../model/workflow-starts';

export const rule: Rule = {
  code: 'DBOS206',
  requires: ['step', 'transaction'],
  check(ctx) {
    const { model } = ctx;
    const starts = new Set<CallInfo>();
    for (const fn of model.functions) {
      if (!isStepLike(fn)) continue;
      const kind = kindWord(fn);
      const where = fn.isLambda ? `the ${kind} passed to \`run_step\`` : `${kind} \`${fn.name}\``;
      for (const call of fn.calls) {
        const s = workflowStart(model, call);
        if (!s) continue;
        starts.add(call);
        if (expectsFailure(model, call.node)) continue;
        const what =
          s.kind === 'direct'
            ? `calls workflow \`${s.label}\` directly`
            : s.kind === 'debounce'
              ? `debounces a workflow with \`${s.label}(...)\``
              : `starts a workflow with \`${s.label}(...)\``;
        ctx.report({
          node: call.node,
          message:
            `${cap(where)} ${what}\n` +
            `Workflows can only be started from workflows (or outside DBOS code): inside a step DBOS fails ` +
            `with a bare \`AssertionError\` (no message) because the step has no workflow context to attach a child to. ` +
            `Start the workflow from the calling workflow instead, or make \`${fn.isLambda ? 'this function' : fn.name}\` a workflow.`,
          fixes: toWorkflowFix(ctx, fn),
        });
      }
    }
    // through helpers, in this module or others (needs the workspace index)
    for (const hit of stepSideChains(ctx, 'start', (call) => starts.has(call))) {
      const fn = hit.step;
      const where = fn.isLambda ? `the ${kindWord(fn)} passed to \`run_step\`` : `${kindWord(fn)} \`${fn.name}\``;
      const leaf = hit.chain?.leaf;
      const what = !hit.chain
        ? `calls workflow \`${hit.view.helperName}\` directly`
        : leaf?.workflow
          ? `calls \`${hit.view.helperName}\`, which calls workflow \`${leaf.workflow.fn.name}\` directly`
          : `calls \`${hit.view.helperName}\`, which starts a workflow with \`${leaf!.call.text}(...)\``;
      ctx.report({
        node: hit.call.node,
        message:
          `${cap(where)} ${what}\n` +
          `${hit.view.text}: workflows can only be started from workflows (or outside DBOS code): inside a step DBOS fails ` +
          `with a bare \`AssertionError\` (no message) because the step has no workflow context to attach a child to. ` +
          `Start the workflow from the calling workflow instead, or make \`${fn.isLambda ? 'this function' : fn.name}\` a workflow.`,
        related: hit.view.related,
        fixes: toWorkflowFix(ctx, fn),
      });
    }
  },
};

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/** "Change @DBOS.step() to @DBOS.workflow()": only for an option-less step doing no direct I/O. */
function toWorkflowFix(ctx: Parameters<Rule['check']>[0], fn: import('../model/types').FunctionInfo): Fix[] {
  const { model } = ctx;
  if (fn.isLambda || !fn.kinds.has('step') || fn.kinds.size > 1) return [];
  const decos = fn.decorators.filter((d) => d.fqn === 'dbos.DBOS.step');
  if (decos.length !== 1) return [];
  const d = decos[0];
  if (!d.called || d.expr.type !== 'call') return [];
  const args = argList(d.expr);
  if (args.some((a) => !(a.type === 'keyword_argument' && model.textOf(a.childForFieldName('name')!) === 'name'))) return [];
  // as a workflow, its body would run again on every recovery: only when nothing in it (directly or
  // through helpers, here or in other modules) does I/O, touches the database or reads a changing value
  for (const kind of ['io', 'database', 'nondeterministic'] as const) {
    for (const c of fn.calls) {
      if (directEffect(ctx, c, kind)) return [];
      // helpers of this module and of others: the project's call graph
      const helper = model.targetFunction(c);
      if (helper && !isPlain(helper)) continue;
      if (crossChain(ctx, c, helper, kind) || (kind === 'nondeterministic' && crossChain(ctx, c, helper, 'nondeterministicTolerated'))) return [];
    }
  }
  const callee = d.expr.childForFieldName('function')!;
  const attr = callee.type === 'attribute' ? callee.childForFieldName('attribute') : null;
  if (!attr) return [];
  return [{ title: 'Change `@DBOS.step()` to `@DBOS.workflow()`', safe: false, edits: [model.lines.edit(attr.startIndex, attr.endIndex, 'workflow')] }];
}
