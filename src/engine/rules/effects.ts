// Effects of calls (non-deterministic, I/O, database) in workflow bodies, directly or through helper
// functions of this module or others (call-chains.ts), and the rules that report them (DBOS201,
// DBOS202, DBOS304); whether a helper can become a step (`stepBlocker`).
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isPlain, isWorkflow } from '../model/kinds';
import type { ApiEntry } from '../data/catalog';
import type { Rule, RuleContext } from './rule';
import type { Fix, Severity, TextEdit } from '../types';
import type { Chain, IndexedFunction } from '../project/index';
import { chainView, crossChain, displayName, injectedRelated, projectOf, typedName } from './call-chains';
import { rangeIn } from '../facts/positions';
import * as path from 'node:path';
import { onlyLogged, quietValue, steeringCalls, toleratedValue, valueReach } from '../model/usage';
import { usedAsContextManager, whyNotAStep } from '../model/step-validity';
import type { Node } from 'web-tree-sitter';
import { decorateHelperFix, extractStepFix, wrapInlineFix } from '../fixes/wrap-step';
import { CALL_RETURNED_ND, workflowOnlyName } from '../facts/summary';
import { workflowStart } from '../model/workflow-starts';
import { argCount, seededReceiver } from '../facts/calls';
import { checkTime } from '../budget';
import { handedFunction, runnerWithoutContext } from '../model/thread-runners';
import { toThreadFix } from '../fixes/to-thread';

export { argCount, seededReceiver };

export type EffectKind = 'nondeterministic' | 'io' | 'database';

export interface DirectEffect {
  call: CallInfo;
  fqn: string;
  entry: ApiEntry;
}

export function directEffect(ctx: RuleContext, call: CallInfo, kind: EffectKind): DirectEffect | null {
  const written = ctx.model.calleeFqn(call);
  if (!written || ctx.api.allow.has(written)) return null;
  let fqn = written;
  let entry = ctx.api[kind].match(fqn, () => argCount(call));
  // a call on a value a project module binds or on what a project function returns
  // (`from app.clients import http`: `http.get(...)`; `get_session(engine).execute(...)`)
  if (!entry && written.includes('.')) {
    const typed = typedName(ctx, written);
    if (typed && typed !== written && !ctx.api.allow.has(typed)) {
      entry = ctx.api[kind].match(typed, () => argCount(call));
      if (entry) fqn = typed;
    }
  }
  if (entry && kind === 'nondeterministic' && seededReceiver(ctx.model, call, fqn)) return null;
  return entry ? { call, fqn, entry } : null;
}

export interface EffectRuleSpec {
  code: string;
  requires?: readonly string[];
  kind: EffectKind;
  /**
   * Message for a direct call (`callText`: the callee as written): a first line of at most 100
   * characters that says what is wrong, then, after a line break, why and what to do.
   */
  direct(callText: string, entry: ApiEntry, workflow: FunctionInfo): string;
  /**
   * Message for a helper call that reaches the effect (`helper.name` as the message shows it:
   * `pricing.quote`); `advice` is what to do, from `stepAdvice` (make the helper a step, or why it
   * cannot be one and what to wrap instead).
   */
  viaHelper(helper: { name: string }, chain: string, leafText: string, entry: ApiEntry, workflow: FunctionInfo, advice: string): string;
  /** Skips calls another rule reports. */
  skip?(ctx: RuleContext, call: CallInfo, fqn: string): boolean;
}

/**
 * The severity of a non-deterministic value read in a workflow (DBOS201), from where the value goes
 * (see `valueReach`): `error` when it steers the workflow in code the engine sees whole (a condition,
 * a step or workflow argument, a workflow ID), `information` when nothing that a replay repeats can
 * see it (only checkpointed DBOS calls, or nothing), else the catalog entry's level.
 */
function nondeterministicSeverity(model: ModuleModel, node: Node, fn: FunctionInfo, entry: ApiEntry): Severity {
  const base = entry.severity as Severity;
  if (base === 'information' || base === 'hint') return base;
  const reach = valueReach(model, node, fn, steeringCalls(model));
  if (reach === 'tolerated' || reach === 'logged') return 'information';
  if (reach === 'steers') return 'error';
  return base;
}

/** Advice for a helper that reaches an effect: make it a step, or (when it cannot be one) wrap the leaf call where it is made. */
function stepAdvice(helperName: string, leafText: string, leafIn: string, blocker: string | null, runner: string | null): string {
  if (runner) {
    return `\`${runner}\` does not carry the workflow's context into its thread, so even as a step \`${helperName}\` would run there as a plain function: hand it to \`asyncio.to_thread\` (which does) and make it a step (\`@DBOS.step()\`), or call it in one.`;
  }
  if (!blocker) return `Make \`${helperName}\` a step (\`@DBOS.step()\`), or call it in one.`;
  return `\`${helperName}\` cannot be a step (${blocker}): run the \`${leafText}()\` call in \`${leafIn}\` in a step instead (\`DBOS.run_step\`), or move it out of the workflow's path.`;
}

/**
 * The inline wrap of a chain's leaf call where it is made, when that call is in the analysed file
 * (it runs in the workflow, so it becomes a step there): the fix for a helper that cannot be a step.
 */
function leafWrapFix(ctx: RuleContext, chain: Chain): Fix | null {
  if (chain.leaf.module.file !== projectOf(ctx).file) return null;
  const call = ctx.model.calls.find((c) => c.start === chain.leaf.call.start && c.end === chain.leaf.call.end);
  const fn = call?.scope.fn;
  return call && fn ? wrapInlineFix(ctx, call, fn, chain.leaf.call.text) : null;
}

/** Builds one of the "effect in a workflow" rules. */
export function effectRule(spec: EffectRuleSpec): Rule {
  const nd = spec.kind === 'nondeterministic';
  return {
    code: spec.code,
    requires: spec.requires,
    check(ctx) {
      const { model } = ctx;
      for (const wf of model.functions) {
        if (!isWorkflow(wf)) continue;
        for (const written of wf.calls) {
          checkTime();
          // `await asyncio.to_thread(requests.get, url)`: the function handed to a thread runs in the workflow
          const handed = handedFunction(model, written);
          const call = handed ?? written;
          const d = directEffect(ctx, call, spec.kind);
          if (d) {
            // a value that is only logged cannot steer the workflow; an effect is an effect, logged or not
            if (spec.skip?.(ctx, call, d.fqn) || (nd && quietValue(model, call.node, wf, d.fqn))) continue;
            const calleeText = model.textOf(call.callee);
            ctx.report({
              node: call.node,
              message: spec.direct(calleeText, d.entry, wf),
              severity: nd && !handed ? nondeterministicSeverity(model, call.node, wf, d.entry) : (d.entry.severity as Severity),
              fixes: handed || (spec.kind === 'database' && RETURNS_HANDLE.test(d.fqn)) ? [] : wrapFixes(ctx, call, wf, calleeText),
              related: injectedRelated(ctx, call, d.fqn),
            });
            continue;
          }
          const helper = model.targetFunction(call);
          if (helper && (helper === wf || !isPlain(helper))) continue;
          // through helpers, of this module or of others: one walk over the project's call graph
          // `all`: every other line the helpers reach with such a call is named too (related locations)
          let chain = crossChain(ctx, call, helper, spec.kind, true);
          // a value that only reaches checkpointed DBOS calls (or nothing) where it is read: information
          let tolerated = false;
          if (!chain && nd) {
            chain = crossChain(ctx, call, helper, 'nondeterministicTolerated', true);
            tolerated = !!chain;
          }
          if (!chain || !chain.leaf.entry) continue;
          if (nd && onlyLogged(model, call.node, wf)) continue;
          const view = chainView(ctx, wf.name, chain);
          // `loop.run_in_executor(None, helper)`: a step there gets no checkpoint, so no step fix
          const runner = handed ? runnerWithoutContext(model, written) : null;
          // a helper that cannot be a step gets the advice (and fix) to wrap the offending call where it is made
          const blocker = handed ? null : stepBlocker(ctx, call, helper, chain);
          const leafIn = chain.links.length ? displayName(ctx, chain.links[chain.links.length - 1]) : view.helperName;
          let severity = chain.leaf.entry.severity as Severity;
          // a value the helper hands back is the workflow's to judge (discarded there: information); one
          // the helper keeps (stores in an object, hands on, branches on) matters whatever the workflow does
          const handedBack = !!(chain.leaf.call.flags & CALL_RETURNED_ND);
          if (nd && severity !== 'information' && (tolerated || (handedBack && toleratedValue(model, call.node, wf)))) severity = 'information';
          ctx.report({
            node: call.node,
            message: spec.viaHelper({ name: view.helperName }, view.text, chain.leaf.call.text, chain.leaf.entry, wf, stepAdvice(view.helperName, chain.leaf.call.text, leafIn, blocker, runner)) + view.also,
            severity,
            fixes: helperFixes(ctx, written, handed ? { runner } : null, wf, helper, chain, blocker),
            related: view.related,
          });
        }
      }
    },
  };
}

/**
 * The fixes of a workflow's call `written` that reaches an effect through helpers. `handed`: the
 * call hands the helper to a thread runner (`runner` names one that does not carry the workflow's
 * context); `blocker`: why the helper cannot be a step.
 */
function helperFixes(ctx: RuleContext, written: CallInfo, handed: { runner: string | null } | null, wf: FunctionInfo, helper: FunctionInfo | null | undefined, chain: Chain, blocker: string | null): Fix[] {
  if (handed) {
    // the helper runs in a thread: there is no call here to wrap, only the helper can become a step,
    // once it runs where the workflow's context goes along
    const fix = handed.runner ? toThreadFix(ctx.model, written) : helper ? decorateHelperFix(ctx.model, helper) : null;
    return fix ? [fix] : [];
  }
  if (blocker) {
    const wrap = leafWrapFix(ctx, chain);
    return wrap ? [wrap] : [];
  }
  return chainFixes(ctx, written, wf, helper, chain);
}

/** The step fixes for a helper: `@DBOS.step()` on it, preferred over the inline wrap when both are offered. */
function decorateThenInline(decorate: Fix | null, inline: Fix | null): Fix[] {
  const fixes: Fix[] = [];
  if (decorate) fixes.push(decorate);
  if (inline) fixes.push(decorate ? { ...inline, preferred: false } : inline);
  return fixes;
}

/**
 * Fixes for a workflow's call that reaches an effect through other modules: wrap the call in a step
 * here (inline, or a new step function before DBOS 2.9), and add `@DBOS.step()` to the helper (in
 * its own file when it lives elsewhere: a cross-file, unsafe fix).
 */
function chainFixes(ctx: RuleContext, call: CallInfo, wf: FunctionInfo, helper: FunctionInfo | null | undefined, chain: Chain): Fix[] {
  const { model } = ctx;
  const fixes: Fix[] = [];
  const name = helper?.name ?? chain.first.fn.name;
  const inline = wrapInlineFix(ctx, call, wf, name);
  if (helper) return decorateThenInline(decorateHelperFix(model, helper), inline);
  const extract = inline ? null : extractStepFix(model, call, wf, name);
  if (inline) fixes.push(inline);
  else if (extract) fixes.push({ ...extract, preferred: true });
  const decorate = decorateElsewhereFix(chain.first);
  if (decorate) fixes.push(decorate);
  return fixes;
}

/** `@DBOS.step()` above a function of another module (with the import when that module lacks it). */
export function decorateElsewhereFix(f: IndexedFunction): Fix | null {
  const { module, fn } = f;
  // module-level functions only: a method's class or an enclosing function may need more than a decorator
  if (fn.isLambda || !fn.plain || fn.qualname.includes('.')) return null;
  const edits: TextEdit[] = [];
  if (module.dbosImport) edits.push({ ...module.dbosImport, file: module.file });
  const at = fn.defStart;
  edits.push({ startOffset: at, endOffset: at, range: rangeIn(module, at, at), newText: `@${module.dbosText}.step()${module.eol}${fn.indent}`, file: module.file });
  return { title: `Make \`${fn.name}\` a step in ${path.basename(module.file)} (add @DBOS.step())`, safe: false, crossFile: true, edits };
}

/** Calls that return a connection, cursor or pool: a step cannot return those (not serializable). */
const RETURNS_HANDLE = /\.(connect|create_pool|acquire|begin|cursor)$/;

function wrapFixes(ctx: RuleContext, call: CallInfo, wf: FunctionInfo, calleeText: string): Fix[] {
  const fixes: Fix[] = [];
  const inline = wrapInlineFix(ctx, call, wf, calleeText);
  if (inline) fixes.push(inline);
  // named after the assignment target, else the callee (`requests.get` -> `requests_get_step`)
  const extract = extractStepFix(ctx.model, call, wf, calleeText);
  if (extract) fixes.push(extract);
  return fixes;
}
/**
 * Why the function a workflow's call enters cannot be made a step (or the call wrapped in one), as a
 * clause for the message, or null when it can:
 * - the function is a generator, a context manager or changes state its caller reads
 *   (model/step-validity.ts; for a function of another module, its summary), or the call is a `with`
 *   item (its result is a context manager, not a value a step can return);
 * - it reaches, through plain helpers, a workflow-only API (`DBOS.recv`, `DBOS.sleep`, ...), a
 *   workflow start or a workflow call: in a step these fail at run time (DBOS206, DBOS207).
 */
export function stepBlocker(ctx: RuleContext, call: CallInfo, helper: FunctionInfo | null | undefined, chain?: Chain): string | null {
  const { model } = ctx;
  const own = helper ? whyNotAStep(model, helper) : (chain?.first.fn.notAStep ?? null);
  if (own) return own;
  if (usedAsContextManager(call)) return 'it is used as a context manager';
  if (helper) {
    const seen = new Set<FunctionInfo>([helper]);
    const todo = [helper];
    while (todo.length) {
      const fn = todo.pop()!;
      for (const c of fn.calls) {
        const only = workflowOnlyName(model.calleeFqn(c));
        if (only) return `it calls \`DBOS.${only}\`, which only works in a workflow`;
        const start = workflowStart(model, c);
        if (start) return start.kind === 'direct' ? `it calls workflow \`${start.workflow?.name ?? start.label}\`, which a step cannot do` : 'it starts a workflow, which a step cannot do';
        const t = model.targetFunction(c);
        if (!t || seen.has(t)) continue;
        if (isWorkflow(t)) return `it calls workflow \`${t.name}\`, which a step cannot do`;
        if (isPlain(t)) {
          seen.add(t);
          todo.push(t);
        }
      }
    }
  }
  const only = crossChain(ctx, call, helper, 'workflowOnly');
  if (only) return `it calls \`${only.leaf.call.text}\`, which only works in a workflow`;
  if (crossChain(ctx, call, helper, 'start')) return 'it starts a workflow, which a step cannot do';
  return null;
}
