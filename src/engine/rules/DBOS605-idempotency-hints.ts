// DBOS605 (hint, off by default): HTTP handlers that start a workflow for an entity of their path
// (`/orders/{order_id}`) without `SetWorkflowID`, or that set a random workflow ID although the path names one.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { singleBindingValue, stringValue } from '../model/dbos-calls';
import { withBlocks, workflowStart, type WorkflowStart } from '../model/workflow-starts';
import { nameFor, indentUnitOf } from '../fixes/common';
import { skippingExpectedFailures } from './expected-failures';

const SIMPLE = new Set(['expression_statement', 'return_statement']);
const RANDOM_IDS = new Set(['uuid.uuid4', 'uuid.uuid1']);

/** Id-like path parameters of the handler's routes: `{order_id}`, `{id}`, `<int:user_id>`. */
function pathIds(ctx: RuleContext, fn: FunctionInfo): string[] {
  const { model } = ctx;
  const out = new Set<string>();
  for (const d of fn.decorators) {
    if (!d.args) continue;
    const first = d.args.namedChildren.find((a) => !!a && a.type !== 'comment');
    const path = stringValue(model, first);
    if (!path) continue;
    for (const m of path.matchAll(/\{([A-Za-z_]\w*)(?::[^}]*)?\}|<(?:[A-Za-z_]\w*:)?([A-Za-z_]\w*)>/g)) {
      const name = m[1] ?? m[2];
      if ((name === 'id' || name.endsWith('_id')) && fn.params.includes(name)) out.add(name);
    }
  }
  return [...out];
}

/** The statement of the handler body holding the call. */
function statementOf(node: Node, fn: FunctionInfo): Node | null {
  let n: Node = node;
  while (n.parent && n.parent.type !== 'block') n = n.parent;
  return n.parent && fn.body && n.parent.id === fn.body.id ? n : null;
}

function wrapFix(ctx: RuleContext, fn: FunctionInfo, start: WorkflowStart, param: string, starts: WorkflowStart[]): Fix | null {
  const { model } = ctx;
  const stmt = statementOf(start.call.node, fn);
  if (!stmt || !SIMPLE.has(stmt.type)) return null;
  // one start per block: SetWorkflowID names only the first workflow started in it
  if (starts.filter((s) => s.call.start >= stmt.startIndex && s.call.end <= stmt.endIndex).length !== 1) return null;
  // re-indenting would change a multi-line string
  if ((stmt.descendantsOfType('string') as (Node | null)[]).some((s) => !!s && model.textOf(s).includes('\n'))) return null;
  const line = model.lines.positionAt(stmt.startIndex).line;
  const lastLine = model.lines.positionAt(stmt.endIndex).line;
  const indent = model.lines.indentOf(line);
  if (model.lines.starts[line] + indent.length !== stmt.startIndex) return null;
  const unit = /^\t+$/.test(indent) ? '\t' : indentUnitOf(model);
  const name = nameFor(model, 'dbos.SetWorkflowID');
  const what = start.workflow?.name ?? workflowName(ctx, start) ?? fn.name;
  const eol = model.lines.eol;
  const from = model.lines.starts[line];
  const to = model.lines.lineEnd(lastLine);
  // something else after the statement on its last line (`; x = 1`): leave it alone
  if (!/^\s*(#.*)?$/.test(model.text.slice(stmt.endIndex, to))) return null;
  const lines: string[] = [];
  for (let l = line; l <= lastLine; l++) {
    const t = model.lines.lineText(l);
    lines.push(t.trim() === '' ? t : unit + t);
  }
  const text = `${indent}with ${name.text}(f"${what}-{${param}}"):${eol}${lines.join(eol)}`;
  return { title: `Wrap in \`with SetWorkflowID(f"${what}-{${param}}"):\``, safe: false, edits: [...name.edits, model.lines.edit(from, to, text)] };
}

/** The workflow a start/enqueue call runs, by name, when it is a plain name. */
function workflowName(ctx: RuleContext, start: WorkflowStart): string | null {
  const { model } = ctx;
  const fqn = model.calleeFqn(start.call) ?? '';
  const args = start.call.args?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment' && a.type !== 'keyword_argument') ?? [];
  const target = /enqueue_workflow(_async)?$/.test(fqn) ? args[1] : args[0];
  if (!target || (target.type !== 'identifier' && target.type !== 'attribute')) return null;
  const t = model.textOf(target);
  return t.slice(t.lastIndexOf('.') + 1);
}

/** A random-ID call (`uuid4()`) in the expression, or in the value its name is bound to. */
function randomIn(ctx: RuleContext, node: Node, call: CallInfo): Node | null {
  const { model } = ctx;
  let n: Node | null = node;
  if (n.type === 'identifier') n = singleBindingValue(model, n, call.scope);
  if (!n) return null;
  const calls = [n, ...(n.descendantsOfType('call') as (Node | null)[])].filter((c): c is Node => !!c && c.type === 'call');
  return calls.find((c) => RANDOM_IDS.has(model.resolve(c.childForFieldName('function'), call.scope) ?? '')) ?? null;
}

export const rule: Rule = {
  code: 'DBOS605',
  requires: ['workflow', 'enqueue', 'SetWorkflowID'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    if (model.isTestFile) return;
    // (b) random IDs in handlers
    for (const { w, ctor } of withBlocks(model, 'dbos.SetWorkflowID')) {
      const fn = w.scope.fn;
      if (!fn || !fn.kinds.has('http')) continue;
      // only where the request names its entity: a random ID that merely lets the caller know the ID is no loss
      const ids = pathIds(ctx, fn);
      if (ids.length === 0) continue;
      const arg = ctor.childForFieldName('arguments')?.namedChildren.find((a) => !!a && a.type !== 'comment');
      if (!arg) continue;
      const call = model.calls.find((c) => c.node.id === ctor.id);
      if (!call) continue;
      const random = randomIn(ctx, arg, call);
      if (!random) continue;
      ctx.report({
        node: arg,
        message:
          `The workflow ID given to \`SetWorkflowID\` is random, so it protects nothing\n` +
          `In handler \`${fn.name}\` it comes from \`${model.textOf(random)}\`: a retried request ` +
          'gets a new ID and starts the workflow again, so the ID protects nothing. Derive the ID from the request ' +
          `(for example \`f"<name>-{${ids[0]}}"\`) so that DBOS returns the existing workflow for a duplicate.`,
      });
    }
    // (a) handlers keyed by an id that start a workflow without SetWorkflowID
    for (const fn of model.functions) {
      if (!fn.kinds.has('http') || fn.kinds.has('workflow') || !fn.body) continue;
      const ids = pathIds(ctx, fn);
      if (ids.length === 0) continue;
      const body = model.textOf(fn.body);
      // an ID or deduplication set some way we do not follow
      if (/\bSetWorkflowID\b|deduplication_id|idempotency|\bworkflow_id\s*=(?!=)|["']workflow_id["']/.test(body)) continue;
      const starts = fn.calls.map((c) => workflowStart(model, c)).filter((s): s is WorkflowStart => !!s && s.kind !== 'debounce');
      for (const start of starts) {
        const param = ids.find((p) => start.call.args && model.identifierUses(p, start.call.args).length > 0);
        if (!param) continue;
        const fix = wrapFix(ctx, fn, start, param, starts);
        ctx.report({
          node: start.call.node,
          message:
            `Handler \`${fn.name}\` starts a workflow for \`${param}\` without a workflow ID\n` +
            `A retried or repeated request ` +
            `runs it again (DBOS cannot tell the requests apart). Wrap the start in \`with SetWorkflowID(f"<name>-{${param}}"):\` ` +
            'so that a duplicate returns the existing workflow.',
          fixes: fix ? [fix] : [],
        });
      }
    }
  },
};
