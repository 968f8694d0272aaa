// DBOS408: an enqueue with a deduplication ID (inside `SetEnqueueOptions(deduplication_id=...)`, or
// `deduplication_id` in the options dict of `enqueue_workflow_with_options` / `client.enqueue`)
// whose duplicate case nobody handles: no `duplication_policy="return-existing"` and no enclosing
// `try` catching `DBOSQueueDeduplicatedError` (or `DBOSException`, `Exception`, a bare `except`).
// A second enqueue with the same ID then raises. Hint. Quiet in tests, when an exception type cannot
// be resolved, and when the enclosing function is called from such a `try` in this file.
import type { Node } from 'web-tree-sitter';
import { atLeast, type Rule, type RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { addImportEdit, indentUnitOf } from '../fixes/common';
import { lineSpan } from '../model/lifecycle';
import { literal } from '../model/queues';
import { enqueueOptionsAround, enqueueSite } from '../model/enqueue-sites';
import { parentOf } from '../syntax/enclosing';

const HANDLES = new Set(['dbos.error.DBOSQueueDeduplicatedError', 'dbos.error.DBOSException', 'builtins.Exception', 'builtins.BaseException']);

/** A value that is not `None`. */
function isSetValue(model: ModuleModel, v: Node | undefined): boolean {
  return !!v && literal(model, v)?.t !== 'none';
}

/** The duplicate case is dealt with by the policy: anything but an absent/None/"reject" policy counts. */
function policyHandles(model: ModuleModel, v: Node | undefined): boolean {
  if (!v) return false;
  const l = literal(model, v);
  if (l?.t === 'none') return false;
  return !(l?.t === 'str' && l.v === 'reject');
}

/** An `except` clause that catches the deduplication error (or may: an unresolved type). */
function clauseCatches(model: ModuleModel, clause: Node): boolean {
  const types: Node[] = [];
  for (const c of clause.namedChildren) {
    if (!c || c.type === 'block' || c.type === 'comment') continue;
    let t: Node = c;
    if (t.type === 'as_pattern') t = t.namedChildren[0] ?? t;
    if (t.type === 'tuple' || t.type === 'parenthesized_expression') types.push(...(t.namedChildren.filter((x) => x && x.type !== 'comment') as Node[]));
    else types.push(t);
    break; // the first named child is the type; the rest is the body
  }
  if (types.length === 0) return true; // bare `except:`
  return types.some((t) => {
    const fqn = model.resolve(t);
    if (fqn === null || HANDLES.has(fqn)) return true;
    // builtins, DBOS and classes of this file are known not to; a class imported from elsewhere may be an alias
    return !(fqn.startsWith('builtins.') || fqn.startsWith('dbos.') || model.classes.some((c) => c.fqn === fqn));
  });
}

/** Inside the body of a `try` (within its function) one of whose handlers catches the error. */
function handledByTry(model: ModuleModel, node: Node): boolean {
  let child = node;
  for (let p = parentOf(node); p; child = p, p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return false;
    if (p.type !== 'try_statement') continue;
    if (p.childForFieldName('body')?.id !== child.id) continue;
    for (const c of p.namedChildren) {
      if (c && (c.type === 'except_clause' || c.type === 'except_group_clause') && clauseCatches(model, c)) return true;
    }
  }
  return false;
}

/** Some call of `fn` in this file sits in such a `try` (one level up). */
function callerHandles(model: ModuleModel, fn: FunctionInfo | null): boolean {
  if (!fn) return false;
  return model.calls.some((c) => model.targetFunction(c) === fn && handledByTry(model, c.node));
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  if (model.isTestFile) return;
  for (const call of model.calls) {
    const site = enqueueSite(model, call);
    if (!site) continue;
    let dedupNode: Node | null = null;
    let optsCall: Node | null = null;
    if (site.options) {
      const d = site.options.get('deduplication_id');
      if (d && isSetValue(model, d.value)) {
        if (site.optionsOpen || policyHandles(model, site.options.get('duplication_policy')?.value)) continue;
        dedupNode = d.node;
      }
    }
    if (!dedupNode) {
      const around = enqueueOptionsAround(model, call.node);
      const w = around.find((o) => o.args.splat || o.args.keywords.has('deduplication_id'));
      if (!w || w.args.splat) continue;
      if (!isSetValue(model, w.args.keywords.get('deduplication_id')!.value)) continue;
      if (policyHandles(model, w.args.keywords.get('duplication_policy')?.value)) continue;
      dedupNode = w.args.keywords.get('deduplication_id')!.node;
      optsCall = w.ctor;
    }
    if (handledByTry(model, call.node) || callerHandles(model, call.scope.fn) || model.expectsFailure(call.node)) continue;
    ctx.report({
      node: call.node,
      message:
        `This enqueue sets a deduplication ID but does not handle the duplicate case\n` +
        `When a workflow with the same ID is already queued, DBOS raises ` +
        `\`DBOSQueueDeduplicatedError\` ("Workflow <id> was deduplicated due to an existing workflow in queue <q> with deduplication ID <d>."), turning an expected duplicate ` +
        `(a double click, a retried webhook) into a failure. Catch \`dboserror.DBOSQueueDeduplicatedError\`` +
        (atLeast(ctx.version, 2, 30) ? ', or pass `duplication_policy="return-existing"` to get the handle of the queued workflow.' : '.'),
      related: [{ message: 'deduplication ID set here', range: model.lines.range(dedupNode.startIndex, dedupNode.endIndex) }],
      fixes: fixes(ctx, call, optsCall, dedupNode),
    });
  }
}

function fixes(ctx: RuleContext, call: CallInfo, optsCall: Node | null, dedupNode: Node): Fix[] {
  const { model } = ctx;
  const out: Fix[] = [];
  // attach to the existing workflow: duplication_policy="return-existing" next to deduplication_id
  if (atLeast(ctx.version, 2, 30)) {
    const container = dedupNode.parent;
    if (container && (container.type === 'argument_list' || container.type === 'dictionary')) {
      const kw = container.type === 'argument_list' ? 'duplication_policy="return-existing"' : '"duplication_policy": "return-existing"';
      // a policy already given (`duplication_policy="reject"`) gets the new value: a second one would not parse
      const existing = container.namedChildren.find(
        (c) =>
          !!c &&
          ((c.type === 'keyword_argument' && model.textOf(c.childForFieldName('name')!) === 'duplication_policy') ||
            (c.type === 'pair' && /^["']duplication_policy["']$/.test(model.textOf(c.childForFieldName('key')!)))),
      );
      const value = existing?.childForFieldName('value');
      out.push({
        title: 'Attach to the already queued workflow (`duplication_policy="return-existing"`)',
        safe: false,
        edits: [
          value
            ? model.lines.edit(value.startIndex, value.endIndex, '"return-existing"')
            : model.lines.edit(dedupNode.endIndex, dedupNode.endIndex, `, ${kw}`),
        ],
      });
    }
  }
  const wrap = tryWrapFix(ctx, call, optsCall);
  if (wrap) out.push(wrap);
  return out;
}

/** Wraps the `with SetEnqueueOptions(...)` statement (or the enqueue statement) in try/except. */
function tryWrapFix(ctx: RuleContext, call: CallInfo, optsCall: Node | null): Fix | null {
  const { model } = ctx;
  let stmt: Node | null = null;
  if (optsCall) {
    for (let p = parentOf(optsCall); p; p = parentOf(p)) if (p.type === 'with_statement') { stmt = p; break; }
  } else {
    let n: Node = call.node;
    while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
    stmt = n.type === 'expression_statement' ? n : null;
  }
  if (!stmt) return null;
  // a statement whose value is used later would need it bound before the try: only plain statements
  if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'assignment') return null;
  const span = lineSpan(model, stmt);
  if (!span) return null;
  const text = model.text.slice(span.start, span.end);
  if (/"""|'''/.test(text)) return null;
  const line = model.lines.positionAt(stmt.startIndex).line;
  const indent = model.lines.indentOf(line);
  const unit = indent.includes('\t') ? '\t' : indentUnitOf(model);
  const eol = model.lines.eol;
  const body = text
    .replace(/\r?\n$/, '')
    .split(/\r?\n/)
    .map((l) => (l.trim() === '' ? '' : unit + l))
    .join(eol);
  let name = model.localNameFor('dbos.error.DBOSQueueDeduplicatedError');
  const edits = [];
  if (!name) {
    if (model.module.bindings.has('dboserror') || model.module.imports.has('dboserror')) return null;
    name = 'dboserror.DBOSQueueDeduplicatedError';
    edits.push(addImportEdit(model, 'from dbos import error as dboserror'));
  }
  const replacement =
    `${indent}try:${eol}${body}${eol}${indent}except ${name}:${eol}${indent}${unit}pass  # a workflow with this deduplication ID is already queued${eol}`;
  edits.push(model.lines.edit(span.start, span.end, replacement));
  return { title: 'Wrap in try/except `DBOSQueueDeduplicatedError`', safe: false, edits };
}

export const rule: Rule = { code: 'DBOS408', requires: ['deduplication_id'], check };
