// DBOS215: DBOS decorators used without their call, with a call they do not take, stacked with a
// conflicting kind, under @staticmethod/@classmethod, or on generators.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { DecoratorInfo, FunctionInfo } from '../model/types';
import { decoratorKind } from '../model/kinds';
import type { Fix } from '../types';
import { argList, expectsFailure, inOwnBody } from '../model/workflow-starts';

/** Decorator factories that must be called; `fixable`: `()` alone is a valid call. */
const FACTORIES: Record<string, { fixable: boolean; runtime: string }> = {
  'dbos.DBOS.workflow': { fixable: true, runtime: 'raises `TypeError` at import (`workflow()` takes keyword arguments only)' },
  'dbos.DBOS.step': { fixable: true, runtime: 'raises `TypeError` at import (`step()` takes keyword arguments only)' },
  'dbos.DBOS.transaction': { fixable: true, runtime: 'silently takes the function as its `isolation_level` and rebinds the name to the inner decorator' },
  'dbos.DBOS.dbos_class': { fixable: true, runtime: 'silently takes the class as its `class_name` and rebinds the name to the inner decorator' },
  'dbos.DBOS.scheduled': { fixable: false, runtime: 'takes the function as the cron expression and rebinds the name to the inner decorator' },
  'dbos.DBOS.required_roles': { fixable: false, runtime: 'takes the function as the role list and rebinds the name to the inner decorator' },
  'dbos.DBOS.default_required_roles': { fixable: false, runtime: 'takes the class as the role list and rebinds the name to the inner decorator' },
  'dbos.DBOS.kafka_consumer': { fixable: false, runtime: 'raises `TypeError` at import (it needs a config and topics)' },
};

const KIND_LABEL: Record<string, string> = {
  workflow: '@DBOS.workflow()',
  step: '@DBOS.step()',
  transaction: '@DBOS.transaction()',
  dstransaction: '@<datasource>.transaction()',
};
const CONFLICTS: [string, string][] = [
  ['workflow', 'step'],
  ['step', 'transaction'],
  ['step', 'dstransaction'],
  ['workflow', 'transaction'],
  ['workflow', 'dstransaction'],
  ['transaction', 'dstransaction'],
];

export const rule: Rule = {
  code: 'DBOS215',
  requires: ['@'],
  check(ctx) {
    const { model } = ctx;
    const all: { decos: DecoratorInfo[]; fn: FunctionInfo | null }[] = [
      ...model.functions.map((fn) => ({ decos: fn.decorators, fn })),
      ...model.classes.map((c) => ({ decos: c.decorators, fn: null })),
    ];
    for (const { decos, fn } of all) {
      if (decos.length > 0 && expectsFailure(model, decos[0].node)) continue;
      for (const d of decos) {
        const name = d.fqn ? FACTORIES[d.fqn] : undefined;
        // (a) a factory used bare
        if (name && !d.called && (d.expr.type === 'attribute' || d.expr.type === 'identifier')) {
          const text = model.textOf(d.expr);
          ctx.report({
            node: d.expr,
            message:
              `\`@${text}\` must be called: \`@${text}(${name.fixable ? '' : '...'})\`\n` +
              `Used bare, Python passes the decorated ` +
              `${fn ? 'function' : 'class'} to the decorator factory, which ${name.runtime}.`,
            fixes: name.fixable
              ? [{ title: 'Add parentheses', safe: true, preferred: true, edits: [model.lines.edit(d.expr.endIndex, d.expr.endIndex, '()')] }]
              : [],
          });
        }
        // (b) alert_handler takes the function itself
        if (d.fqn === 'dbos.DBOS.alert_handler' && d.called && d.expr.type === 'call') {
          const callee = d.expr.childForFieldName('function')!;
          const empty = argList(d.expr).length === 0;
          ctx.report({
            node: d.expr,
            message:
              `\`@${model.textOf(callee)}\` must be used without parentheses\n` +
              `It takes the handler function itself, so ` +
              `\`@${model.textOf(d.expr)}\` ${empty ? 'raises `TypeError` (missing the function argument)' : 'registers the wrong object'} at import.`,
            fixes: empty ? [{ title: 'Remove parentheses', safe: true, preferred: true, edits: [model.lines.edit(callee.endIndex, d.expr.endIndex, '')] }] : [],
          });
        }
      }
      if (!fn) continue;
      conflictingKinds(ctx, fn);
      wrappedMethodDecorator(ctx, fn);
      generator(ctx, fn);
    }
  },
};

/** (c) two DBOS kinds on one function. */
function conflictingKinds(ctx: RuleContext, fn: FunctionInfo): void {
  // a conflict takes two decorators
  if (fn.decorators.length < 2) return;
  const { model } = ctx;
  const byKind = new Map<string, DecoratorInfo>();
  for (const d of fn.decorators) {
    const k = decoratorKind(model, d);
    if (k && KIND_LABEL[k] && !byKind.has(k)) byKind.set(k, d);
  }
  for (const [a, b] of CONFLICTS) {
    const da = byKind.get(a);
    const db = byKind.get(b);
    if (!da || !db) continue;
    const runtime =
      (a === 'step' && b !== 'workflow') || (a === 'transaction' && b === 'dstransaction')
        ? 'DBOS raises `DBOSConflictingRegistrationError` ("is already registered with a conflicting function type")'
        : 'DBOS registers it twice under different roles; calling it then fails inside the step with a bare `AssertionError` or runs without the checkpoints you expect';
    const later = da.node.startIndex > db.node.startIndex ? da : db;
    ctx.report({
      node: later.node,
      message:
        `\`${fn.name}\` is decorated both as ${KIND_LABEL[a]} and as ${KIND_LABEL[b]}\n` +
        `A function is either a workflow, a step or a ` +
        `transaction. ${runtime}. Keep one of the two decorators.`,
      fixes: [removeDecoratorFix(ctx, db, `Remove \`${model.textOf(db.node)}\` (keep ${a})`), removeDecoratorFix(ctx, da, `Remove \`${model.textOf(da.node)}\` (keep ${b})`)],
    });
  }
}

function lineRange(ctx: RuleContext, node: Node): { start: number; end: number } {
  const { lines } = ctx.model;
  const line = lines.positionAt(node.startIndex).line;
  const endLine = lines.positionAt(node.endIndex).line;
  const start = lines.starts[line];
  const end = endLine + 1 < lines.starts.length ? lines.starts[endLine + 1] : lines.lineEnd(endLine);
  return { start, end };
}

function removeDecoratorFix(ctx: RuleContext, d: DecoratorInfo, title: string): Fix {
  const { model } = ctx;
  const r = lineRange(ctx, d.node);
  // a comment on the decorator's line stays, on a line of its own at the decorator's indentation
  const comments: string[] = [];
  for (let at = model.text.indexOf('#', r.start); at >= 0 && at < r.end; at = model.text.indexOf('#', at + 1)) {
    const c = model.root.descendantForIndex(at, at + 1);
    if (c?.type === 'comment' && c.startIndex === at) {
      comments.push(model.textOf(c).trimEnd());
      at = c.endIndex;
    }
  }
  const indent = model.lines.indentOf(model.lines.positionAt(d.node.startIndex).line);
  const keep = comments.map((c) => indent + c + model.lines.eol).join('');
  return { title, safe: false, edits: [model.lines.edit(r.start, r.end, keep)] };
}

/** (d) @staticmethod / @classmethod below a DBOS decorator. */
function wrappedMethodDecorator(ctx: RuleContext, fn: FunctionInfo): void {
  const { model } = ctx;
  if (!fn.cls) return;
  const firstDbos = fn.decorators.findIndex((d) => !!d.fqn && d.fqn.startsWith('dbos.DBOS.'));
  if (firstDbos < 0) return;
  for (let i = firstDbos + 1; i < fn.decorators.length; i++) {
    const d = fn.decorators[i];
    if (d.fqn !== 'builtins.staticmethod' && d.fqn !== 'builtins.classmethod') continue;
    const top = fn.decorators[firstDbos];
    const kindName = d.fqn === 'builtins.staticmethod' ? 'staticmethod' : 'classmethod';
    // a static method without parameters still works: DBOS takes it for an instance method but finds no argument to treat as `self`
    if (kindName === 'staticmethod' && fn.params.length === 0) continue;
    const r = lineRange(ctx, d.node);
    const onOwnLine = model.lines.positionAt(d.node.startIndex).line !== model.lines.positionAt(top.node.startIndex).line;
    const topLine = model.lines.positionAt(top.node.startIndex).line;
    const indent = model.lines.indentOf(topLine);
    const fixes: Fix[] = onOwnLine
      ? [
          {
            title: 'Swap decorator order',
            safe: false,
            preferred: true,
            edits: [
              model.lines.edit(model.lines.starts[topLine], model.lines.starts[topLine], `${indent}${model.textOf(d.node)}${model.lines.eol}`),
              model.lines.edit(r.start, r.end, ''),
            ],
          },
        ]
      : [];
    ctx.report({
      node: d.node,
      message:
        `\`@${kindName}\` is below \`${model.textOf(top.node)}\` on \`${fn.name}\`: DBOS registers it wrongly\n` +
        `DBOS wraps the ${kindName} object, and its class ` +
        `registration no longer sees a ${kindName}, so it registers an instance method. ` +
        (kindName === 'staticmethod'
          ? 'DBOS then takes the first argument for the instance and calls fail with `Exception: Function target appears to be a class instance, but does not have `config_name` set`. '
          : 'Calling it through the class then passes no `cls` and fails. ') +
        `Put \`@${kindName}\` on top, above the DBOS decorators.`,
      fixes,
    });
  }
}

/** (e) a workflow or step that is a generator. */
function generator(ctx: RuleContext, fn: FunctionInfo): void {
  if (fn.isLambda || !fn.body) return;
  const kind = fn.kinds.has('workflow') ? 'workflow' : fn.kinds.has('step') ? 'step' : null;
  if (!kind || !fn.decorators.some((d) => d.fqn === `dbos.DBOS.${kind}`)) return;
  if (!ctx.model.textHas(fn.body, 'yield')) return;
  const y = (fn.body.descendantsOfType('yield') as Node[]).find((n) => n && inOwnBody(n, fn));
  if (!y) return;
  ctx.report({
    node: y,
    message:
      `${kind === 'workflow' ? 'Workflow' : 'Step'} \`${fn.name}\` is a generator, which DBOS cannot run as a ${kind}\n` +
      `It uses \`yield\`: calling it only creates a generator ` +
      `object, which DBOS tries to checkpoint as the ${kind}'s result and cannot serialize, and the body does not run as a ${kind}. ` +
      `Return a list instead, or stream values with \`DBOS.write_stream\`.`,
  });
}
