// DBOS301: a step body calls another step (a `@DBOS.step` function of this file, or `DBOS.run_step`).
// Outside a workflow the inner step wrapper runs the function as a plain call: no checkpoint of its
// own, no retries. Information: reusing a step as a helper is sometimes intended. Quiet in test files.
import type { Rule, RuleContext } from './rule';
import { isStepLike, isWorkflow } from '../model/kinds';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { argList } from '../syntax/arguments';

const RUN_STEP = new Set(['dbos.DBOS.run_step', 'dbos.DBOS.run_step_async']);

function outerLabel(fn: FunctionInfo): string {
  const kind = fn.kinds.has('step') ? 'step' : fn.kinds.has('transaction') ? 'transaction' : 'datasource transaction';
  return fn.isLambda ? `the ${kind} passed to \`run_step\`` : `${kind} \`${fn.name}\``;
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  // tests nest steps on purpose (DBOS's own tests check exactly this behaviour)
  if (model.isTestFile) return;
  for (const fn of model.functions) {
    if (!isStepLike(fn)) continue;
    for (const call of fn.calls) {
      if (model.expectsFailure(call.node)) continue;
      const fqn = model.calleeFqn(call);
      let inner: string | null = null;
      let target: FunctionInfo | undefined;
      if (fqn && RUN_STEP.has(fqn)) inner = `\`${model.textOf(call.callee)}(...)\``;
      else {
        target = model.targetFunction(call);
        // only steps: transactions and workflows called from steps have their own rules (DBOS305, 306, 206)
        if (!target || target === fn || isWorkflow(target) || !target.kinds.has('step') || target.isLambda) continue;
        inner = `step \`${target.name}\``;
      }
      const where = outerLabel(fn);
      ctx.report({
        node: call.node,
        message:
          `${cap(where)} calls ${inner}, which then runs without its own checkpoint\n` +
          `A step only gets a checkpoint and retries when a workflow calls it: inside another step DBOS runs it ` +
          `as a plain function call (silently), so its result is not recorded and its retry options are ignored; only the outer step's result is. ` +
          `Call both steps from the workflow, or make the inner function an undecorated helper.`,
        fixes: target ? unwrapFix(ctx, fn, call, target) : [],
      });
    }
  }
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/**
 * "Remove `@DBOS.step()` from the wrapper": when the outer step only returns the inner step's result
 * and its decorator has no options, the workflow then calls the inner step as a real step.
 */
function unwrapFix(ctx: RuleContext, fn: FunctionInfo, call: CallInfo, target: FunctionInfo): Fix[] {
  const { model } = ctx;
  if (fn.isLambda || !fn.body || fn.kinds.size !== 1 || !fn.kinds.has('step')) return [];
  const decos = fn.decorators.filter((d) => d.fqn === 'dbos.DBOS.step');
  if (decos.length !== 1 || decos.length !== fn.decorators.filter((d) => d.fqn?.startsWith('dbos.')).length) return [];
  const d = decos[0];
  if (d.expr.type === 'call' && argList(d.expr).length > 0) return [];
  // the body: optional docstring, then `return <call>` / `return await <call>`
  const stmts = fn.body.namedChildren.filter((s) => s && s.type !== 'comment');
  const rest = stmts[0]?.type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string' ? stmts.slice(1) : stmts;
  if (rest.length !== 1 || rest[0]?.type !== 'return_statement') return [];
  let value = rest[0].namedChildren.find((c) => c && c.type !== 'comment') ?? null;
  if (value?.type === 'await') value = value.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
  if (!value || value.id !== call.node.id) return [];
  // the decorator must sit alone on its line(s)
  const startLine = model.lines.positionAt(d.node.startIndex).line;
  const endLine = model.lines.positionAt(d.node.endIndex).line;
  if (model.lines.lineText(startLine).trim().startsWith('@') === false) return [];
  if (model.text.slice(model.lines.starts[startLine], d.node.startIndex).trim() !== '') return [];
  if (model.text.slice(d.node.endIndex, model.lines.lineEnd(endLine)).trim() !== '') return [];
  const start = model.lines.starts[startLine];
  const end = endLine + 1 < model.lines.starts.length ? model.lines.starts[endLine + 1] : model.text.length;
  return [
    {
      title: `Remove \`${model.textOf(d.expr)}\` from \`${fn.name}\`: it only wraps step \`${target.name}\`, which the workflow then checkpoints itself`,
      safe: false,
      edits: [model.lines.edit(start, end, '')],
    },
  ];
}

export const rule: Rule = { code: 'DBOS301', requires: ['step'], check };
