// DBOS302: step options DBOS rejects (preemptible / timeout_seconds on sync steps, bad timeouts,
// async should_retry on a sync step) or silently ignores (retry settings without retries_allowed).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import type { Fix } from '../types';
import { callArgs, dictLiteral, literal } from '../model/queues';

interface StepOptionsSite {
  /** Where to underline: the decorator or the options argument. */
  at: Node;
  /** The argument list or dict holding the options (for the fix). */
  container: Node;
  dict: boolean;
  options: Map<string, { node: Node; value: Node }>;
  splat: boolean;
  /** The step function is a coroutine function; null when unknown. */
  isAsync: boolean | null;
  stepName: string;
  where: string;
}

const RETRY_OPTIONS = ['max_attempts', 'interval_seconds', 'backoff_rate', 'should_retry'];

function sites(model: ModuleModel): StepOptionsSite[] {
  const out: StepOptionsSite[] = [];
  for (const fn of model.functions) {
    fn.decorators.forEach((d, i) => {
      if (d.fqn !== 'dbos.DBOS.step' || !d.called || !d.args || d.expr.type !== 'call') return;
      // another decorator applied first may change what the step wraps
      const below = fn.decorators.slice(i + 1);
      const known = below.every((b) => b.fqn?.startsWith('dbos.'));
      const a = callArgs(model, d.args);
      const nameLit = literal(model, a.keywords.get('name')?.value);
      out.push({
        at: d.node,
        container: d.args,
        dict: false,
        options: a.keywords,
        splat: a.splat,
        isAsync: known ? fn.isAsync : null,
        stepName: nameLit?.t === 'str' ? nameLit.v : fn.qualname,
        where: `\`@DBOS.step(...)\` on \`${fn.name}\``,
      });
    });
  }
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (fqn === 'dbos.DBOS.run_step' || fqn === 'dbos.DBOS.run_step_async') {
      const a = callArgs(model, call.args);
      const optNode = a.positional[0] ?? a.keywords.get('dbos_step_options')?.value;
      const fnNode = a.positional.length > 0 ? a.positional[1] ?? a.keywords.get('func')?.value : a.keywords.get('func')?.value;
      const dict = dictLiteral(model, optNode, ['dbos.StepOptions']);
      if (!dict) continue;
      const nameLit = literal(model, dict.entries.get('name')?.value);
      out.push({
        at: dict.node,
        // a `StepOptions(...)` / `dict(...)` call: its arguments hold the options
        container: dict.node.type === 'call' ? (dict.node.childForFieldName('arguments') ?? dict.node) : dict.node,
        dict: dict.node.type === 'dictionary',
        options: dict.entries,
        splat: dict.splat,
        isAsync: funcIsAsync(model, fnNode),
        stepName: nameLit?.t === 'str' ? nameLit.v : fnNode?.type === 'lambda' ? '<lambda>' : fnNode ? model.textOf(fnNode) : 'step',
        where: `the options of \`${model.textOf(call.callee)}\``,
      });
    } else if (call.calleeType === 'call') {
      // functional registration: DBOS.step(...)(impl)
      const inner = model.resolve(call.callee.childForFieldName('function'));
      if (inner !== 'dbos.DBOS.step') continue;
      const decoArgs = call.callee.childForFieldName('arguments');
      if (!decoArgs) continue;
      const a = callArgs(model, decoArgs);
      const target = callArgs(model, call.args).positional[0];
      const nameLit = literal(model, a.keywords.get('name')?.value);
      out.push({
        at: call.callee,
        container: decoArgs,
        dict: false,
        options: a.keywords,
        splat: a.splat,
        isAsync: funcIsAsync(model, target),
        stepName: nameLit?.t === 'str' ? nameLit.v : target ? model.textOf(target) : 'step',
        where: `\`${model.textOf(call.callee)}\``,
      });
    }
  }
  return out;
}

/** Whether the function an expression names is a coroutine function (lambda: no; unknown: null). */
function funcIsAsync(model: ModuleModel, node: Node | null | undefined): boolean | null {
  if (!node) return null;
  if (node.type === 'lambda') return false;
  const fqn = model.resolve(node);
  const f = fqn ? model.functionsByFqn.get(fqn) : undefined;
  if (!f || f.isLambda) return f ? false : null;
  // a decorated helper may be wrapped into something else
  if (f.decorators.some((d) => !d.fqn?.startsWith('dbos.'))) return null;
  return f.isAsync;
}

function pyNum(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

function present(model: ModuleModel, site: StepOptionsSite, key: string): Node | null {
  const e = site.options.get(key);
  if (!e) return null;
  return literal(model, e.value)?.t === 'none' ? null : e.value;
}

function addRetriesFix(model: ModuleModel, site: StepOptionsSite): Fix {
  const existing = site.options.get('retries_allowed');
  if (existing) {
    return {
      title: 'Set `retries_allowed=True`',
      safe: true,
      preferred: true,
      edits: [model.lines.edit(existing.value.startIndex, existing.value.endIndex, 'True')],
    };
  }
  const entry = site.dict ? '"retries_allowed": True' : 'retries_allowed=True';
  const first = site.container.namedChildren.find((c) => c && c.type !== 'comment')!;
  const open = site.container.startIndex + 1;
  const gap = model.text.slice(open, first.startIndex);
  let text: string;
  if (gap.includes('\n')) {
    const line = model.lines.positionAt(first.startIndex).line;
    text = `${entry},${model.lines.eol}${model.lines.indentOf(line)}`;
  } else text = `${entry}, `;
  return {
    title: 'Add `retries_allowed=True`',
    safe: true,
    preferred: true,
    edits: [model.lines.edit(first.startIndex, first.startIndex, text)],
  };
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  for (const s of sites(model)) {
    const node = (k: string): Node => s.options.get(k)?.node ?? s.at;
    // (a) preemptible on a sync step
    const pre = literal(model, s.options.get('preemptible')?.value);
    if (pre?.t === 'bool' && pre.v && s.isAsync === false) {
      ctx.report({
        node: node('preemptible'),
        message:
          `\`preemptible=True\` in ${s.where} needs an \`async def\` step\nDBOS raises "Step ${s.stepName} is sync but preemptible=True. ` +
          `Preemption is only supported for async steps." Make the step \`async def\` or remove \`preemptible\`.`,
      });
    }
    // (b) timeout on a sync step; (c) timeout not positive and finite
    const timeout = present(model, s, 'timeout_seconds');
    if (timeout && s.isAsync === false) {
      ctx.report({
        node: node('timeout_seconds'),
        message:
          `\`timeout_seconds\` in ${s.where} needs an \`async def\` step\nDBOS raises "Step ${s.stepName} is sync but timeout_seconds is set. ` +
          `Step timeouts are only supported for async steps." Make the step \`async def\` or remove \`timeout_seconds\`.`,
      });
    } else if (timeout) {
      const t = literal(model, timeout);
      if (t?.t === 'num' && !(t.v > 0 && Number.isFinite(t.v))) {
        ctx.report({
          node: node('timeout_seconds'),
          message:
            `\`timeout_seconds=${t.text}\` in ${s.where} is rejected\nDBOS raises "Step ${s.stepName} has timeout_seconds=${pyNum(t.v)}. ` +
            `Step timeouts must be positive and finite." Use a positive number of seconds, or remove the option for no timeout.`,
        });
      }
    }
    // (d) async should_retry with a sync step
    const sr = present(model, s, 'should_retry');
    if (sr && s.isAsync === false && sr.type !== 'lambda') {
      const fqn = model.resolve(sr);
      const pred = fqn ? model.functionsByFqn.get(fqn) : undefined;
      if (pred && pred.isAsync && !pred.isLambda) {
        ctx.report({
          node: node('should_retry'),
          message:
            `\`should_retry=${model.textOf(sr)}\` is an \`async def\` predicate on a sync step\n` +
            `In ${s.where}: when the step runs in a workflow DBOS raises ` +
            `"Step ${s.stepName} is sync but should_retry is async. Use an async step to pair with an async validator." Make the predicate or the step match.`,
        });
      }
    }
    // (e) retry settings without retries_allowed
    if (s.splat) continue;
    const ra = s.options.get('retries_allowed');
    const raLit = ra ? literal(model, ra.value) : null;
    if (ra && !(raLit?.t === 'bool' && !raLit.v)) continue;
    const given = RETRY_OPTIONS.filter((k) => present(model, s, k));
    if (given.length === 0) continue;
    const list = given.map((k) => `\`${k}\``).join(', ');
    ctx.report({
      node: node(given[0]),
      message:
        `${list} ${given.length > 1 ? 'have' : 'has'} no effect: \`retries_allowed\` is ${ra ? '`False`' : 'not set (default `False`)'}\n` +
        `In ${s.where}, DBOS makes a single attempt and silently ignores the retry settings. ` +
        (ra ? 'Set `retries_allowed=True` to retry, or remove the retry settings.' : 'Add `retries_allowed=True`.'),
      // retries turned off on purpose: information; left out: the step gives up at its first failure (warning)
      severity: ra ? 'information' : 'warning',
      fixes: [addRetriesFix(model, s)],
    });
  }
}

export const rule: Rule = { code: 'DBOS302', requires: ['step'], check };
