// Effects of calls (non-deterministic, I/O, database) in workflow bodies, directly or through helper
// functions of the same file, and the rules that report them (DBOS201, DBOS202, DBOS304).
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isPlain, isWorkflow } from '../model/kinds';
import type { ApiEntry } from '../data/catalog';
import type { Rule, RuleContext } from '../rule';
import type { Fix, RelatedInfo, Severity } from '../types';
import { onlyLogged } from './usage';
import { decorateHelperFix, extractStepFix, wrapInlineFix } from '../fixes/wrap-step';
import { lastSegment } from '../model/names';

export type EffectKind = 'nondeterministic' | 'io' | 'database';

export interface DirectEffect {
  call: CallInfo;
  fqn: string;
  entry: ApiEntry;
}

/** A path from a helper down to the call with the effect: helper -> ... -> leaf call. */
export interface EffectPath {
  /** Each link: the function entered and the call that entered it (the first link's call is the caller's). */
  links: { fn: FunctionInfo; via: CallInfo }[];
  leaf: DirectEffect;
}

export function argCount(call: CallInfo): number {
  if (!call.args || call.args.type !== 'argument_list') return call.args ? 1 : 0;
  return call.args.namedChildren.filter((a) => a && a.type !== 'comment').length;
}

export function directEffect(ctx: RuleContext, call: CallInfo, kind: EffectKind): DirectEffect | null {
  const fqn = ctx.model.calleeFqn(call);
  if (!fqn || ctx.api.allow.has(fqn)) return null;
  const entry = ctx.api[kind].match(fqn, argCount(call));
  if (entry && kind === 'nondeterministic' && seededReceiver(ctx.model, call, fqn)) return null;
  return entry ? { call, fqn, entry } : null;
}

/** Generators that are deterministic when built with a seed: `random.Random(42).random()`. */
const SEEDABLE = new Set(['random.Random', 'numpy.random.default_rng', 'numpy.random.RandomState', 'numpy.random.Generator']);

/** A method call on an instance of a seedable generator that was constructed with arguments (a seed). */
function seededReceiver(model: ModuleModel, call: CallInfo, fqn: string): boolean {
  const i = fqn.indexOf('().');
  if (i < 0 || !SEEDABLE.has(fqn.slice(0, i)) || call.callee.type !== 'attribute') return false;
  let obj = call.callee.childForFieldName('object');
  for (let depth = 0; obj && depth < 4; depth++) {
    if (obj.type === 'call') {
      const args = obj.childForFieldName('arguments');
      return !!args && args.namedChildren.some((a) => a && a.type !== 'comment');
    }
    if (obj.type !== 'identifier') return false;
    // the single binding of the name, in the innermost scope that binds it
    const name = model.textOf(obj);
    let bindings: { value: import('web-tree-sitter').Node | null }[] | undefined;
    for (let f = call.scope.fn; f && !bindings; f = f.parent) bindings = f.bindings.get(name);
    bindings ??= model.module.bindings.get(name);
    if (!bindings || bindings.length !== 1) return false;
    obj = bindings[0].value;
  }
  return false;
}

const summaries = new WeakMap<ModuleModel, Map<string, Map<FunctionInfo, EffectPath | null>>>();

/** The first effect of `kind` a plain helper reaches through its own calls (to a fixpoint, cycles cut). */
export function helperEffect(ctx: RuleContext, helper: FunctionInfo, kind: EffectKind): EffectPath | null {
  let byKind = summaries.get(ctx.model);
  if (!byKind) summaries.set(ctx.model, (byKind = new Map()));
  let memo = byKind.get(kind);
  if (!memo) byKind.set(kind, (memo = new Map()));
  const visiting = new Set<FunctionInfo>();
  const visit = (fn: FunctionInfo): EffectPath | null => {
    const known = memo!.get(fn);
    if (known !== undefined) return known;
    if (visiting.has(fn) || !isPlain(fn)) return null;
    visiting.add(fn);
    let found: EffectPath | null = null;
    for (const call of fn.calls) {
      const d = directEffect(ctx, call, kind);
      if (d && !(kind === 'nondeterministic' && onlyLogged(ctx.model, call.node, fn))) {
        found = { links: [], leaf: d };
        break;
      }
    }
    if (!found) {
      for (const call of fn.calls) {
        const g = ctx.model.targetFunction(call);
        if (!g || g === fn) continue;
        const sub = visit(g);
        if (sub) {
          found = { links: [{ fn: g, via: call }, ...sub.links], leaf: sub.leaf };
          break;
        }
      }
    }
    visiting.delete(fn);
    memo!.set(fn, found);
    return found;
  };
  return visit(helper);
}

export interface EffectRuleSpec {
  code: string;
  requires?: readonly string[];
  kind: EffectKind;
  /** Message for a direct call: `fqn` as called, `callText` the callee as written. */
  direct(callText: string, entry: ApiEntry, workflow: FunctionInfo): string;
  /** Message for a helper call that reaches the effect. */
  viaHelper(helper: FunctionInfo, chain: string, leafText: string, entry: ApiEntry, workflow: FunctionInfo): string;
  /** Skips calls another rule reports. */
  skip?(ctx: RuleContext, call: CallInfo, fqn: string): boolean;
}

/** Builds one of the "effect in a workflow" rules. */
export function effectRule(spec: EffectRuleSpec): Rule {
  return {
    code: spec.code,
    requires: spec.requires,
    check(ctx) {
      const { model } = ctx;
      for (const wf of model.functions) {
        if (!isWorkflow(wf)) continue;
        for (const call of wf.calls) {
          const d = directEffect(ctx, call, spec.kind);
          if (d) {
            // a value that is only logged cannot steer the workflow; an effect is an effect, logged or not
            if (spec.skip?.(ctx, call, d.fqn) || (spec.kind === 'nondeterministic' && onlyLogged(model, call.node, wf))) continue;
            const calleeText = model.textOf(call.callee);
            ctx.report({
              node: call.node,
              message: spec.direct(calleeText, d.entry, wf),
              severity: d.entry.severity as Severity,
              fixes: spec.kind === 'database' && RETURNS_HANDLE.test(d.fqn) ? [] : wrapFixes(ctx, call, wf, calleeText, d.fqn),
            });
            continue;
          }
          const helper = model.targetFunction(call);
          if (!helper || helper === wf || !isPlain(helper)) continue;
          const path = helperEffect(ctx, helper, spec.kind);
          if (!path || (spec.kind === 'nondeterministic' && onlyLogged(model, call.node, wf))) continue;
          const names = [wf.name, helper.name, ...path.links.map((l) => l.fn.name), model.textOf(path.leaf.call.callee)];
          const related: RelatedInfo[] = [
            { message: `\`${helper.name}\` is defined here`, range: model.lines.range(helper.node.startIndex, helper.node.startIndex) },
            ...path.links.map((l) => ({ message: `calls \`${l.fn.name}\``, range: model.lines.range(l.via.start, l.via.end) })),
            { message: `\`${model.textOf(path.leaf.call.callee)}\` is called here`, range: model.lines.range(path.leaf.call.start, path.leaf.call.end) },
          ];
          const fixes: Fix[] = [decorateHelperFix(model, helper)];
          const inline = wrapInlineFix(model, call, wf, ctx.version, helper.name);
          if (inline) fixes.push({ ...inline, preferred: false });
          ctx.report({
            node: call.node,
            message: spec.viaHelper(helper, names.join(' → '), model.textOf(path.leaf.call.callee), path.leaf.entry, wf),
            severity: path.leaf.entry.severity as Severity,
            fixes,
            related,
          });
        }
      }
    },
  };
}

/** Calls that return a connection, cursor or pool: a step cannot return those (not serializable). */
const RETURNS_HANDLE = /\.(connect|create_pool|acquire|begin|cursor)$/;

function wrapFixes(ctx: RuleContext, call: CallInfo, wf: FunctionInfo, calleeText: string, fqn: string): Fix[] {
  const fixes: Fix[] = [];
  const inline = wrapInlineFix(ctx.model, call, wf, ctx.version, calleeText);
  if (inline) fixes.push(inline);
  fixes.push(extractStepFix(ctx.model, call, wf, lastSegment(fqn.replace(/\(\)/g, ''))));
  return fixes;
}
