// DBOS210: SetWorkflowID blocks that start several workflows (only the first gets the ID), that
// set an empty ID, or (hint) that start nothing.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import { stringValue } from '../model/dbos-calls';
import { argList, callsWithin, withBlocks, workflowStart, expectsFailure, isTestPath } from '../model/workflow-starts';

const NEG = -Infinity;
interface Paths {
  /** Most workflow starts on a path that falls through to the next statement. */
  fall: number;
  /** Most starts on a path that leaves the block (return, raise). */
  exit: number;
}

export const rule: Rule = {
  code: 'DBOS210',
  requires: ['SetWorkflowID'],
  check(ctx) {
    const { model } = ctx;
    for (const { w, ctor } of withBlocks(model, 'dbos.SetWorkflowID')) {
      if (expectsFailure(model, w.node)) continue;
      const arg = argList(ctor)[0];
      const id = stringValue(model, arg);
      if (arg && id !== null && id.trim() === '') {
        ctx.report({
          node: arg,
          severity: 'error',
          message:
            `The workflow ID given to \`SetWorkflowID\` is empty\nDBOS raises \`DBOSException: Invalid workflow ID '${id}': workflow IDs ` +
            `must be non-empty and cannot be only whitespace.\` Pass a unique, non-empty ID (for example \`f"order-{order_id}"\`).`,
        });
        continue;
      }
      if (!w.body) continue;
      const starts = new Map<number, CallInfo>();
      for (const c of callsWithin(model, w.body)) if (workflowStart(model, c)) starts.set(c.node.id, c);
      if (starts.size === 0) {
        noEffectHint(ctx, w.body, ctor);
        continue;
      }
      const p = block(model, w.body, starts);
      const most = Math.max(p.fall, p.exit);
      if (most < 2) continue;
      const sorted = [...starts.values()].sort((a, b) => a.start - b.start);
      const second = sorted.length > 1 ? sorted[1] : sorted[0];
      ctx.report({
        node: second.node,
        // tests start several workflows in one block on purpose to check the warning
        severity: isTestPath(model) ? 'information' : 'warning',
        message:
          `More than one workflow is started in this \`SetWorkflowID\` block: only the first gets the ID\n` +
          `The others get ` +
          `random IDs, so they are no longer idempotent (DBOS only logs "Multiple workflows started in the same SetWorkflowID ` +
          `block"). Give each workflow start its own \`with SetWorkflowID(...)\` block with its own ID.`,
        related: [{ message: 'the block starts here', range: model.lines.range(ctor.startIndex, ctor.endIndex) }],
      });
    }
  },
};

/** (c) a block that cannot start any workflow: only calls that are known not to. */
function noEffectHint(ctx: RuleContext, body: Node, ctor: Node): void {
  const { model } = ctx;
  if (model.isTestFile) return;
  if ((model.textHas(body, 'yield') || model.textHas(body, 'await')) && (body.descendantsOfType(['yield', 'await']) as Node[]).some((n) => !!n)) return;
  for (const c of callsWithin(model, body)) {
    const fqn = model.calleeFqn(c);
    if (!fqn || !fqn.startsWith('builtins.')) return; // anything but a builtin may start a workflow
  }
  ctx.report({
    node: ctor,
    severity: 'hint',
    message:
      '`SetWorkflowID` has no effect here: no workflow is started or enqueued inside the block\n' +
      'The ID is never used. ' +
      'Move the workflow start into the block or remove the `with`.',
  });
}

function countIn(node: Node, starts: Map<number, CallInfo>): number {
  let n = 0;
  const visit = (x: Node, mult: number): void => {
    const type = x.type;
    if (type === 'function_definition' || type === 'lambda' || type === 'class_definition') return;
    if (starts.has(x.id)) n += mult;
    const m = /comprehension$|generator_expression/.test(type) ? 2 : mult;
    for (const c of x.namedChildren) if (c) visit(c, m);
  };
  visit(node, 1);
  return n;
}

function seq(model: RuleContext['model'], stmts: Node[], starts: Map<number, CallInfo>): Paths {
  let fall = 0;
  let exit = NEG;
  for (const s of stmts) {
    if (fall === NEG) break;
    const r = stmt(model, s, starts);
    exit = Math.max(exit, fall + r.exit);
    fall = r.fall === NEG ? NEG : fall + r.fall;
  }
  return { fall, exit };
}

function block(model: RuleContext['model'], node: Node | null, starts: Map<number, CallInfo>): Paths {
  if (!node) return { fall: 0, exit: NEG };
  return seq(model, node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment'), starts);
}

function stmt(model: RuleContext['model'], s: Node, starts: Map<number, CallInfo>): Paths {
  switch (s.type) {
    case 'return_statement':
    case 'raise_statement':
      return { fall: NEG, exit: countIn(s, starts) };
    case 'if_statement': {
      const cond = s.childForFieldName('condition');
      const c = cond ? countIn(cond, starts) : 0;
      const branches: Paths[] = [block(model, s.childForFieldName('consequence'), starts)];
      let hasElse = false;
      for (const alt of s.childrenForFieldName('alternative')) {
        if (!alt) continue;
        if (alt.type === 'else_clause') {
          hasElse = true;
          branches.push(block(model, alt.childForFieldName('body'), starts));
        } else {
          const ac = alt.childForFieldName('condition');
          const b = block(model, alt.childForFieldName('consequence'), starts);
          const extra = ac ? countIn(ac, starts) : 0;
          branches.push({ fall: b.fall + extra, exit: b.exit + extra });
        }
      }
      if (!hasElse) branches.push({ fall: 0, exit: NEG });
      return { fall: c + Math.max(...branches.map((b) => b.fall)), exit: c + Math.max(...branches.map((b) => b.exit)) };
    }
    case 'for_statement':
    case 'while_statement': {
      const head = s.childForFieldName(s.type === 'for_statement' ? 'right' : 'condition');
      const h = head ? countIn(head, starts) : 0;
      const b = block(model, s.childForFieldName('body'), starts);
      const loopFall = b.fall > 0 ? 2 * b.fall : 0; // runs again: every start in the body repeats
      return { fall: h + Math.max(loopFall, 0), exit: h + b.exit };
    }
    case 'try_statement': {
      const body = block(model, s.childForFieldName('body'), starts);
      let fall = body.fall;
      let exit = body.exit;
      for (const c of s.namedChildren) {
        if (!c) continue;
        if (c.type === 'except_clause' || c.type === 'else_clause') {
          const inner = c.namedChildren.find((x) => x?.type === 'block') ?? null;
          const b = block(model, inner, starts);
          fall = Math.max(fall, b.fall);
          exit = Math.max(exit, b.exit);
        } else if (c.type === 'finally_clause') {
          const inner = c.namedChildren.find((x) => x?.type === 'block') ?? null;
          const f = countIn(inner ?? c, starts);
          fall = fall === NEG ? NEG : fall + f;
          exit = exit + f;
        }
      }
      return { fall, exit };
    }
    case 'with_statement': {
      const b = block(model, s.childForFieldName('body'), starts);
      const clause = s.namedChildren.find((c) => c?.type === 'with_clause');
      const h = clause ? countIn(clause, starts) : 0;
      return { fall: b.fall === NEG ? NEG : h + b.fall, exit: h + b.exit };
    }
    case 'function_definition':
    case 'class_definition':
    case 'decorated_definition':
      return { fall: 0, exit: NEG };
    default:
      return { fall: countIn(s, starts), exit: NEG };
  }
}
