// DBOS303: a hand-written retry loop — `for _ in range(n)` or `while` around a `try` whose body
// returns or breaks on success and whose failure path sleeps or continues — in a step body, or in a
// workflow around a step call. DBOS step retries do the same and record the attempts. Hint.
// Quiet in tests. Loops over anything but `range(...)` iterate over data (skip-and-continue), not retries.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import { isStepLike, isWorkflow } from '../model/kinds';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { argCount } from './effects';
import { argList } from '../syntax/arguments';
import { literal, num } from '../model/queues';
import { parentOf } from '../syntax/enclosing';
import { functionRule } from './function-findings';

const NESTED = new Set(['function_definition', 'lambda', 'class_definition']);
const LOOPS = new Set(['for_statement', 'while_statement']);

/** Descendants of `root` of the given types, not inside nested functions (nor nested loops when `stopAtLoops`). */
function own(root: Node, types: string[], stopAtLoops: boolean): Node[] {
  return root.descendantsOfType(types).filter((n): n is Node => {
    if (!n) return false;
    for (let p = parentOf(n); p && p.id !== root.id; p = parentOf(p)) {
      if (NESTED.has(p.type)) return false;
      if (stopAtLoops && LOOPS.has(p.type)) return false;
    }
    return true;
  });
}

/** `range(N)` / `range(a, N)` iterable of a for loop: the attempt count when literal (0 when unknown), null when not a range. */
function rangeCount(ctx: RuleContext, loop: Node): number | null {
  const it = loop.childForFieldName('right');
  if (it?.type !== 'call' || ctx.model.resolve(it.childForFieldName('function')) !== 'builtins.range') return null;
  const args = argList(it);
  if (args.length === 1) return num(ctx.model, args[0]) ?? 0;
  if (args.length === 2) {
    const a = num(ctx.model, args[0]);
    const b = num(ctx.model, args[1]);
    return a !== null && b !== null ? b - a : 0;
  }
  return 0;
}

interface RetryLoop {
  loop: Node;
  tryNode: Node;
  sleeps: CallInfo[];
  count: number | null;
}

function retryLoop(ctx: RuleContext, fn: FunctionInfo, loop: Node): RetryLoop | null {
  const { model } = ctx;
  const count = loop.type === 'for_statement' ? rangeCount(ctx, loop) : null;
  if (loop.type === 'for_statement' && count === null) return null;
  const body = loop.childForFieldName('body');
  if (!body) return null;
  for (const t of own(body, ['try_statement'], true)) {
    const tryBody = t.childForFieldName('body');
    if (!tryBody) continue;
    // success exits the loop from the try body
    if (own(tryBody, ['return_statement', 'break_statement'], true).length === 0) continue;
    const handlers = t.namedChildren.filter((c): c is Node => !!c && (c.type === 'except_clause' || c.type === 'except_group_clause'));
    if (handlers.length === 0) continue;
    // failure path: a sleep or a `continue` outside the try body (handlers, or after the try)
    const outside = (n: Node) => n.startIndex < tryBody.startIndex || n.startIndex >= tryBody.endIndex;
    const sleeps = fn.calls.filter((c) => c.start >= body.startIndex && c.end <= body.endIndex && outside(c.node) && !!ctx.api.sleep.match(model.calleeFqn(c), argCount(c)));
    const continues = handlers.some((h) => own(h, ['continue_statement'], true).length > 0);
    if (sleeps.length === 0 && !continues) continue;
    return { loop, tryNode: t, sleeps, count };
  }
  return null;
}

/** The try body of a workflow's loop calls a step (so the loop retries that step by hand). */
function callsStep(ctx: RuleContext, fn: FunctionInfo, tryBody: Node): string | null {
  const { model } = ctx;
  for (const c of fn.calls) {
    if (c.start < tryBody.startIndex || c.end > tryBody.endIndex) continue;
    const fqn = model.calleeFqn(c);
    if (fqn === 'dbos.DBOS.run_step' || fqn === 'dbos.DBOS.run_step_async') return model.textOf(c.callee);
    const t = model.targetFunction(c);
    if (t && t.kinds.has('step') && !isWorkflow(t)) return t.name;
  }
  return null;
}

/** The hand-written retry loops of one step or workflow. */
function checkFunction(ctx: RuleContext, fn: FunctionInfo): void {
  const { model } = ctx;
  const step = isStepLike(fn);
  const workflow = isWorkflow(fn);
  if ((!step && !workflow) || !fn.body) return;
  const loops = own(fn.body, ['for_statement', 'while_statement'], false);
  for (const loop of loops) {
    const r = retryLoop(ctx, fn, loop);
    if (!r || model.expectsFailure(loop)) continue;
    const head = model.textOf(loop).split(/\r?\n/)[0].replace(/:\s*$/, '');
    if (step) {
      ctx.report({
        start: loop.startIndex,
        end: loop.startIndex + head.length,
        message:
          `Hand-written retry loop in ${fn.kinds.has('step') ? 'step' : 'transaction'} \`${fn.name}\`: DBOS step retries do this\n` +
          `\`${head}\` works, but DBOS does not see the attempts ` +
          `and it duplicates what step retries already do. Use \`@DBOS.step(retries_allowed=True, max_attempts=..., interval_seconds=..., backoff_rate=...)\` ` +
          `(and \`should_retry\` for errors that must not be retried), and remove the loop.`,
        fixes: retryOptionsFix(ctx, fn, r),
      });
    } else {
      const inner = callsStep(ctx, fn, r.tryNode.childForFieldName('body')!);
      if (!inner) continue;
      ctx.report({
        start: loop.startIndex,
        end: loop.startIndex + head.length,
        message:
          `Hand-written retry loop around step \`${inner}\`: each failed attempt is recorded as a failed step\n` +
          `\`${head}\` in workflow \`${fn.name}\` retries the step by hand: ` +
          (r.sleeps.length > 0 ? `the back-off sleep is not durable (it restarts after a crash), ` : '') +
          `and DBOS step retries already do this. Configure retries on the step (\`retries_allowed=True, max_attempts=...\`) and call it once.`,
      });
    }
  }
}

/** The back-off options a sleep expression gives: `sleep(2 ** attempt)` -> backoff_rate=2, `sleep(3)` -> interval_seconds=3. */
function sleepOptions(ctx: RuleContext, sleeps: CallInfo[]): string[] {
  if (sleeps.length !== 1) return [];
  const arg = argList(sleeps[0])[0];
  if (!arg) return [];
  const l = literal(ctx.model, arg);
  if (l?.t === 'num' && l.v > 0) return [`interval_seconds=${l.text}`];
  if (arg.type === 'binary_operator' && ctx.model.textOf(arg.childForFieldName('operator')!) === '**') {
    const base = num(ctx.model, arg.childForFieldName('left'));
    if (base !== null && base > 1) return ['interval_seconds=1', `backoff_rate=${base}`];
  }
  return [];
}

/** Statements a failure handler may hold when the loop is removed: sleeps, logging calls, pass, continue, `if ...: raise`. */
function simpleHandler(model: RuleContext['model'], h: Node): boolean {
  const block = h.namedChildren.find((c) => c?.type === 'block');
  if (!block) return false;
  for (const st of block.namedChildren) {
    if (!st || st.type === 'comment' || st.type === 'pass_statement' || st.type === 'continue_statement') continue;
    if (st.type === 'expression_statement' && st.namedChildren[0]?.type === 'call') continue;
    if (st.type === 'if_statement') {
      const cons = st.childForFieldName('consequence');
      const only = cons?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
      if (only.length === 1 && only[0]!.type === 'raise_statement' && !st.childForFieldName('alternative')) continue;
    }
    return false;
  }
  void model;
  return true;
}

/**
 * "Use DBOS step retries": adds retries_allowed/max_attempts (and back-off when readable) to
 * `@DBOS.step(...)` and replaces the loop by its try body, for the canonical shape only:
 * `for _ in range(N): try: ... return x / except ...: <sleep, log, continue>`, then nothing or one `raise`.
 */
function retryOptionsFix(ctx: RuleContext, fn: FunctionInfo, r: RetryLoop): Fix[] {
  const { model } = ctx;
  if (!fn.kinds.has('step') || r.count === null || r.count < 1 || !fn.body) return [];
  const decos = fn.decorators.filter((d) => d.fqn === 'dbos.DBOS.step' && d.expr.type === 'call');
  if (decos.length !== 1) return [];
  const args = decos[0].args;
  if (!args || args.type !== 'argument_list') return [];
  const existing = argList(decos[0].expr);
  const present = new Set(existing.map((a) => (a.type === 'keyword_argument' ? model.textOf(a.childForFieldName('name')!) : '*')));
  if (present.has('*') || present.has('retries_allowed') || present.has('max_attempts')) return [];
  // the loop: a statement of the function body holding only the try
  const { loop, tryNode } = r;
  if (loop.parent?.id !== fn.body.id) return [];
  const loopStmts = loop.childForFieldName('body')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  if (loopStmts.length !== 1 || loopStmts[0]!.id !== tryNode.id) return [];
  if (tryNode.namedChildren.some((c) => c?.type === 'else_clause' || c?.type === 'finally_clause')) return [];
  const handlers = tryNode.namedChildren.filter((c): c is Node => !!c && (c.type === 'except_clause' || c.type === 'except_group_clause'));
  if (!handlers.every((h) => simpleHandler(model, h))) return [];
  const tryBody = tryNode.childForFieldName('body')!;
  const bodyStmts = tryBody.namedChildren.filter((c) => c && c.type !== 'comment');
  if (bodyStmts[bodyStmts.length - 1]?.type !== 'return_statement') return [];
  if (own(tryBody, ['break_statement', 'continue_statement', 'yield'], true).length > 0) return [];
  const loopVar = loop.childForFieldName('left');
  if (loopVar && loopVar.type === 'identifier' && model.identifierUses(model.textOf(loopVar), tryBody).length > 0) return [];
  // after the loop: nothing, or a single `raise`
  const siblings = fn.body.namedChildren.filter((c) => c && c.type !== 'comment');
  const after = siblings.slice(siblings.findIndex((c) => c!.id === loop.id) + 1);
  if (after.length > 1 || (after.length === 1 && after[0]!.type !== 'raise_statement')) return [];
  const last = after[0] ?? loop;
  // replacement: the try body's lines, dedented to the loop's indentation
  const lines = model.lines;
  const loopLine = lines.positionAt(loop.startIndex).line;
  const bodyLine = lines.positionAt(tryBody.startIndex).line;
  if (bodyLine === lines.positionAt(tryNode.startIndex).line) return [];
  const loopIndent = lines.indentOf(loopLine);
  const bodyIndent = lines.indentOf(bodyLine);
  if (!bodyIndent.startsWith(loopIndent) || bodyIndent.length <= loopIndent.length) return [];
  const endLine = lines.positionAt(tryBody.endIndex).line;
  const text = model.text.slice(lines.starts[bodyLine], lines.lineEnd(endLine));
  if (/"""|'''/.test(text)) return [];
  const cut = bodyIndent.length - loopIndent.length;
  const eol = lines.eol;
  const moved = text.split(/\r?\n/).map((l) => (l.trim() === '' ? '' : l.slice(0, cut).trim() === '' ? l.slice(cut) : null));
  if (moved.some((l) => l === null)) return [];
  const start = lines.starts[loopLine];
  const end = lines.lineEnd(lines.positionAt(last.endIndex).line);
  // the comments of the lines that go (the loop header, the handlers, the final raise) stay, above the body
  const kept = fn.body
    .descendantsOfType('comment')
    .filter((c): c is Node => !!c && c.startIndex >= start && c.startIndex < end && (c.startIndex < tryBody.startIndex || c.startIndex >= tryBody.endIndex))
    .map((c) => loopIndent + model.textOf(c));
  const opts = ['retries_allowed=True', `max_attempts=${r.count}`, ...sleepOptions(ctx, r.sleeps).filter((o) => !present.has(o.split('=')[0]))];
  const at = existing.length > 0 ? existing[existing.length - 1].endIndex : args.startIndex + 1;
  return [
    {
      title: `Use DBOS step retries (${opts.join(', ')}) instead of the loop`,
      safe: false,
      edits: [
        model.lines.edit(at, at, existing.length > 0 ? `, ${opts.join(', ')}` : opts.join(', ')),
        model.lines.edit(start, end, [...kept, ...(moved as string[])].join(eol)),
      ],
    },
  ];
}

// Each finding is about one loop of one function, read from its body (and the step decorator the fix
// edits): kept per function across edits (function-findings.ts).
export const rule: Rule = functionRule({ code: 'DBOS303', requires: ['except'], applies: (ctx) => !ctx.model.isTestFile, checkFunction });
