// DBOS209: the function given to start_workflow / enqueue / a debouncer / a schedule is not a workflow
// (or is called instead of passed).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isPlain, isWorkflow } from '../model/kinds';
import { isQueueObject } from '../model/queues';
import type { Fix } from '../types';
import { dbosName } from '../fixes/common';
import { argList, functionNamed, positionalArgs, expectsFailure } from '../model/workflow-starts';
import { keywordValue } from '../syntax/arguments';

interface Target {
  node: Node;
  /** How the API is named in messages. */
  api: string;
  /** The target is a positional argument of `call` (the call fix can spread its arguments). */
  positional: boolean;
}

function targetsOf(ctx: RuleContext, call: CallInfo): Target[] {
  const { model } = ctx;
  const fqn = model.calleeFqn(call);
  const one = (node: Node | null | undefined, api: string, positional: boolean): Target[] => (node ? [{ node, api, positional }] : []);
  if (fqn === 'dbos.DBOS.start_workflow' || fqn === 'dbos.DBOS.start_workflow_async') return one(positionalArgs(call)[0], model.textOf(call.callee), true);
  if (fqn === 'dbos.DBOS.enqueue_workflow' || fqn === 'dbos.DBOS.enqueue_workflow_async') return one(positionalArgs(call)[1], model.textOf(call.callee), true);
  if (fqn === 'dbos.Debouncer.create' || fqn === 'dbos.Debouncer.create_async') {
    const pos = positionalArgs(call);
    return one(pos[0] ?? keywordValue(model, call, 'workflow'), model.textOf(call.callee), !!pos[0]);
  }
  if (fqn === 'dbos.DBOS.create_schedule' || fqn === 'dbos.DBOS.create_schedule_async') {
    return one(keywordValue(model, call, 'workflow_fn'), model.textOf(call.callee), false);
  }
  if (fqn === 'dbos.DBOS.apply_schedules' || fqn === 'dbos.DBOS.apply_schedules_async') {
    const list = positionalArgs(call)[0];
    const out: Target[] = [];
    if (list?.type === 'list') {
      for (const d of list.namedChildren) {
        if (d?.type !== 'dictionary') continue;
        for (const pair of d.namedChildren) {
          if (pair?.type !== 'pair') continue;
          const k = pair.childForFieldName('key');
          const v = pair.childForFieldName('value');
          if (k && v && /^["']workflow_fn["']$/.test(model.textOf(k))) out.push({ node: v, api: model.textOf(call.callee), positional: false });
        }
      }
    }
    return out;
  }
  const method = model.methodOf(call);
  if (method === 'enqueue' || method === 'enqueue_async') {
    if (isQueueObject(model.resolve(call.callee.childForFieldName('object'), call.scope))) {
      return one(positionalArgs(call)[0], model.textOf(call.callee), true);
    }
  }
  return [];
}

export const rule: Rule = {
  code: 'DBOS209',
  requires: ['start_workflow', 'enqueue', 'Debouncer', 'schedule'],
  check(ctx) {
    const { model } = ctx;
    // the calls by node, made when a target is first a call
    let callByNode: Map<number, CallInfo> | undefined;
    const callAt = (node: Node): CallInfo | undefined => {
      if (!callByNode) {
        callByNode = new Map();
        for (const c of model.calls) callByNode.set(c.node.id, c);
      }
      return callByNode.get(node.id);
    };
    for (const call of model.calls) {
      const targets = targetsOf(ctx, call);
      if (targets.length === 0 || expectsFailure(model, call.node)) continue;
      for (const t of targets) {
        if (t.node.type === 'call') {
          const inner = callAt(t.node);
          const f = inner ? model.targetFunction(inner) : undefined;
          if (!inner || !f || isPlain(f)) continue;
          ctx.report({
            node: t.node,
            message:
              `\`${t.api}(...)\` is given the result of \`${model.textOf(inner.callee)}(...)\`, not the function\n` +
              `The ` +
              `${isWorkflow(f) ? 'workflow' : 'step'} runs right here, synchronously, and its return value is then passed on as if it were ` +
              `a function, which DBOS rejects. Pass the function and its arguments separately: \`${t.api}(${model.textOf(inner.callee)}, ...)\`.`,
            fixes: spreadFix(ctx, call, t, inner),
          });
          continue;
        }
        const f = functionNamed(model, t.node, call.scope.fn);
        if (!f || f.isLambda || !isPlain(f) || f.decorators.length > 0) continue;
        // defined again elsewhere in the module (`if DBOS_AVAILABLE:` a workflow, `else:` a plain fallback): which runs is decided at run time
        if (model.redefinitions.get(f.fqn)?.some((d) => !isPlain(d) || d.decorators.length > 0)) continue;
        ctx.report({
          node: t.node,
          message:
            `\`${f.name}\` is passed to \`${t.api}(...)\` but it is not a DBOS workflow\n` +
            `DBOS cannot find it in its registry and raises ` +
            `\`DBOSWorkflowFunctionNotFoundError\` ("${f.name} is not a registered workflow function"). Decorate \`${f.name}\` with ` +
            `\`@DBOS.workflow()\` (or \`@DBOS.step()\`).`,
          fixes: [addWorkflowFix(ctx, f)],
        });
      }
    }
  },
};

function spreadFix(ctx: RuleContext, call: CallInfo, t: Target, inner: CallInfo): Fix[] {
  const { model } = ctx;
  if (!t.positional) return [];
  const args = argList(call);
  if (args[args.length - 1]?.id !== t.node.id) return [];
  if (!inner.args || inner.args.type !== 'argument_list') return [];
  const innerArgs = model.text.slice(inner.args.startIndex + 1, inner.args.endIndex - 1).trim().replace(/,\s*$/, '');
  const text = model.textOf(inner.callee) + (innerArgs ? `, ${innerArgs}` : '');
  return [{ title: 'Pass the function instead of calling it', safe: false, preferred: true, edits: [model.lines.edit(t.node.startIndex, t.node.endIndex, text)] }];
}

function addWorkflowFix(ctx: RuleContext, f: FunctionInfo): Fix {
  const { model } = ctx;
  const dbos = dbosName(model);
  const line = model.lines.positionAt(f.node.startIndex).line;
  const indent = model.lines.indentOf(line);
  return {
    title: `Add \`@${dbos.text}.workflow()\` to \`${f.name}\``,
    safe: false,
    preferred: true,
    edits: [...dbos.edits, model.lines.edit(f.node.startIndex, f.node.startIndex, `@${dbos.text}.workflow()${model.lines.eol}${indent}`)],
  };
}
