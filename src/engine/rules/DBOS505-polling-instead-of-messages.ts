// DBOS505: a workflow that polls: a `while` loop that checks state through a step, sleeps, and leaves
// the loop when the state changes. A message (DBOS.recv / DBOS.send) would do.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isStepLike, isWorkflow } from '../model/kinds';
import { skippingExpectedFailures } from './expected-failures';
import { parentOf } from '../syntax/enclosing';

const SLEEPS = new Set(['dbos.DBOS.sleep', 'dbos.DBOS.sleep_async', 'time.sleep', 'asyncio.sleep']);
const NESTED = new Set(['function_definition', 'class_definition', 'lambda', 'decorated_definition']);
const LOOPS = new Set(['while_statement', 'for_statement']);

/** The innermost loop (of the function) around a node. */
function loopOf(node: Node, fn: FunctionInfo): Node | null {
  for (let n = parentOf(node); n && n.id !== fn.node.id; n = parentOf(n)) {
    if (LOOPS.has(n.type)) return n;
    if (NESTED.has(n.type)) return null;
  }
  return null;
}

/** A call that checks some state: a step of this file, or an inline step. */
function isCheck(ctx: RuleContext, call: CallInfo): boolean {
  const { model } = ctx;
  const fqn = model.calleeFqn(call);
  if (fqn === 'dbos.DBOS.run_step' || fqn === 'dbos.DBOS.run_step_async') return true;
  const target = model.targetFunction(call);
  return !!target && isStepLike(target);
}

/** Names an assignment statement around `call` binds (`x = check()`, `x = await check()`, `a, b = ...`). */
function assignedNames(ctx: RuleContext, call: CallInfo, loop: Node): string[] {
  const { model } = ctx;
  for (let n = parentOf(call.node); n && n.id !== loop.id; n = parentOf(n)) {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      if (!left) return [];
      if (left.type === 'identifier') return [model.textOf(left)];
      return left.namedChildren.filter((c): c is Node => !!c && c.type === 'identifier').map((c) => model.textOf(c));
    }
    if (n.type === 'expression_statement' || n.type === 'block') return [];
  }
  return [];
}

/** A `break` / `return` that leaves the loop of `body` (not an inner loop), under an `if` whose test `mentions` the checked state. */
function conditionalExit(body: Node, mentions: (test: Node) => boolean): Node | null {
  const walk = (n: Node, guarded: boolean): Node | null => {
    for (const c of n.namedChildren) {
      if (!c || NESTED.has(c.type)) continue;
      if (c.type === 'break_statement' && guarded) return c;
      if (c.type === 'return_statement' && guarded) return c;
      // a break inside an inner loop leaves that loop only (returns still leave)
      const inner = LOOPS.has(c.type);
      if (c.type === 'if_statement' || c.type === 'elif_clause') {
        const test = c.childForFieldName('condition');
        const g = guarded || (!!test && mentions(test));
        const found = walk(c, g);
        if (found) return found;
        continue;
      }
      if (inner) {
        const found = walkReturnsOnly(c, guarded);
        if (found) return found;
        continue;
      }
      const found = walk(c, guarded);
      if (found) return found;
    }
    return null;
  };
  const walkReturnsOnly = (n: Node, guarded: boolean): Node | null => {
    for (const c of n.namedChildren) {
      if (!c || NESTED.has(c.type)) continue;
      if (c.type === 'return_statement' && guarded) return c;
      const found = walkReturnsOnly(c, guarded);
      if (found) return found;
    }
    return null;
  };
  return walk(body, false);
}

export const rule: Rule = {
  code: 'DBOS505',
  requires: ['sleep'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const fn of model.functions) {
      if (!isWorkflow(fn)) continue;
      // polling needs a sleep in a `while` loop: the loops around calls are looked up only then
      if (!model.textHas(fn.node, 'while') || !fn.calls.some((c) => SLEEPS.has(model.calleeFqn(c) ?? ''))) continue;
      // sleeps and checks of the body, by the `while` loop directly around them
      const sleeps = new Map<number, { loop: Node; call: CallInfo }>();
      const checks = new Map<number, CallInfo[]>();
      for (const call of fn.calls) {
        const loop = loopOf(call.node, fn);
        if (!loop || loop.type !== 'while_statement') continue;
        const fqn = model.calleeFqn(call);
        if (fqn && SLEEPS.has(fqn)) {
          if (!sleeps.has(loop.id)) sleeps.set(loop.id, { loop, call });
        } else if (isCheck(ctx, call)) {
          checks.set(loop.id, [...(checks.get(loop.id) ?? []), call]);
        }
      }
      for (const { loop, call: sleep } of sleeps.values()) {
        const found = checks.get(loop.id);
        if (!found) continue;
        const body = loop.childForFieldName('body');
        const cond = loop.childForFieldName('condition');
        if (!body || !cond) continue;
        // the state the loop waits on: the check calls and the names they are assigned to
        const names = new Set(found.flatMap((c) => assignedNames(ctx, c, loop)));
        const mentions = (test: Node) =>
          found.some((c) => c.start >= test.startIndex && c.end <= test.endIndex) ||
          [...names].some((n) => model.identifierUses(n, test).length > 0);
        const exit = mentions(cond) ? cond : conditionalExit(body, mentions);
        if (!exit) continue;
        const check = found[0];
        const name = model.textOf(check.callee);
        const sleepName = model.textOf(sleep.callee);
        ctx.report({
          node: loop.firstChild ?? loop,
          message:
            `Workflow \`${fn.name}\` polls for a change instead of waiting for a message\n` +
            `This loop calls \`${name}()\` and sleeps (\`${sleepName}\`) until the state changes. ` +
            'It works, but every iteration adds checkpoints and the reaction waits for the next poll. When the change comes from ' +
            `outside, wait for a message instead: \`DBOS.recv("<topic>", timeout_seconds=...)\` in the workflow, and ` +
            '`DBOS.send(workflow_id, value, "<topic>")` from the webhook or handler that sees the change.',
        });
      }
    }
  },
};
