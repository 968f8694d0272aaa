// The chains from a call of the analysed file through the project's call graph (one walk for the
// file's own helpers and other modules': `project/chains.ts`), how a chain is shown (its text and a
// related location for every link), and the step-side chains of DBOS206/DBOS207.
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isPlain, isStepLike, isWorkflow } from '../model/kinds';
import type { RuleContext } from './rule';
import type { RelatedInfo } from '../types';
import { WorkspaceIndex, type Chain, type ChainKind, type IndexedFunction, type ModuleSummary } from '../project/index';
import { rangeIn } from '../facts/positions';
import { passedArgs } from '../facts/fallback';
import { handedReferences } from '../facts/handed-callables';
import { lastSegment } from '../model/names';
import * as path from 'node:path';

/**
 * The chain from a call of the analysed file to an effect of `kind`, through the project's call
 * graph: `helper` is the local function the call enters, if any; otherwise the call is resolved
 * (`resolveCall`) to a function of another module, or of this one through an instance.
 */
export function crossChain(ctx: RuleContext, call: CallInfo, helper: FunctionInfo | null | undefined, kind: ChainKind, all = false): Chain | null {
  const { index, file } = projectOf(ctx);
  const start = helper ? (inheritedThrough(ctx, call, helper) ?? index.functionOf(file, helper.qualname)) : resolveCall(ctx, call);
  // what the call passes is read only for a call that enters a function (most calls enter none)
  if (start && !start.fn.abstract) return index.chainFrom(start, kind, ctx.api, ctx.config.maxCallDepth, file, passedArgs(ctx.model, call), all) ?? handedChain(ctx, call, start, kind, all);
  // an abstract method, or a method of what a factory of several classes returns: the methods that
  // run instead (overrides in the project's subclasses; ModuleResolver.dispatch), the shortest chain
  let best: Chain | null = null;
  for (const instead of dispatchedCall(ctx, call)) {
    const chain = index.chainFrom(instead, kind, ctx.api, ctx.config.maxCallDepth, file, passedArgs(ctx.model, call), all);
    if (chain && (!best || chain.links.length < best.links.length)) best = chain;
  }
  return best;
}

const dispatchedCalls = new WeakMap<CallInfo, IndexedFunction[]>();

/** For a call of a method on a value of a project type: the methods it may enter instead of an abstract one (once per call). */
function dispatchedCall(ctx: RuleContext, call: CallInfo): IndexedFunction[] {
  let hit = dispatchedCalls.get(call);
  if (!hit) {
    const fqn = ctx.model.calleeFqn(call);
    const { index, file } = projectOf(ctx);
    hit = fqn && fqn.includes('().') && !ctx.api.allow.has(fqn) ? index.dispatch(file, fqn) : [];
    dispatchedCalls.set(call, hit);
  }
  return hit;
}

/**
 * `fetch_optional(storage.read_html, key)` in the analysed file, where `fetch_optional` calls its
 * parameter: the chain from the handed function, as a link entered at this call (`handedTo` the
 * helper), so the finding names the helper the call enters, and the function that does the work.
 */
function handedChain(ctx: RuleContext, call: CallInfo, start: IndexedFunction, kind: ChainKind, all: boolean): Chain | null {
  if (!start.fn.callsParams || ctx.config.maxCallDepth < 2) return null;
  const { index, file } = projectOf(ctx);
  const caller = call.scope.fn ? index.functionOf(file, call.scope.fn.qualname) : null;
  if (!caller) return null;
  for (const handed of index.handedInto(file, handedReferences(ctx.model, call), start)) {
    if (handed.fn === start.fn || !handed.fn.plain) continue;
    const rest = index.chainFrom(handed, kind, ctx.api, ctx.config.maxCallDepth - 1, file, null, all);
    if (!rest) continue;
    const via = { fqn: null, text: ctx.model.textOf(call.callee), argc: 0, start: call.start, end: call.end, flags: 0 };
    return { ...rest, first: start, links: [{ ...handed, via, viaModule: caller.module, handedTo: start }, ...rest.links] };
  }
  return null;
}

/**
 * A method of this file called on an instance of a subclass that inherits it (`chan.request()` with
 * `chan = CardChannel()`, `request` defined by its base): that method with the subclass as its
 * receiver, so that `self.deliver()` in it enters the subclass's override. Null for any other call.
 */
function inheritedThrough(ctx: RuleContext, call: CallInfo, helper: FunctionInfo): IndexedFunction | null {
  if (!helper.cls || call.calleeType !== 'attribute') return null;
  const r = resolveCall(ctx, call);
  return r?.receiver && r.fn.qualname === helper.qualname && r.module.file === projectOf(ctx).file ? r : null;
}

const singleFile = new WeakMap<ModuleModel, { index: WorkspaceIndex; file: string }>();

/**
 * The project the analysed file belongs to: the workspace index, or, for single-file analysis, an
 * index of this one file, so that helpers of the file are followed by the same walk, over the same
 * facts, as helpers of other modules.
 */
export function projectOf(ctx: RuleContext): { index: WorkspaceIndex; file: string } {
  if (ctx.index && ctx.file) return { index: ctx.index, file: ctx.file };
  let hit = singleFile.get(ctx.model);
  if (!hit) {
    const file = path.resolve(ctx.model.path);
    const text = ctx.model.text;
    const index = new WorkspaceIndex({ roots: [path.dirname(file)], readFile: (p) => (p === file ? text : null) });
    index.useCatalog(ctx.api);
    index.noteModel(file, text, ctx.model);
    singleFile.set(ctx.model, (hit = { index, file }));
  }
  return hit;
}

/**
 * A qualified name of the analysed file as the project's modules define it: values they bind
 * (`from app.clients import http`: `http.get` -> `httpx.Client().get`) and what project functions
 * return (`get_session().execute` -> `sqlalchemy.orm.Session().execute`), by the same resolution as
 * the chains (WorkspaceIndex.typedName).
 */
export function typedName(ctx: RuleContext, fqn: string | null): string | null {
  if (!fqn || !fqn.includes('.')) return fqn;
  // several rules ask for the same names of a file
  let names = typedNames.get(ctx.model);
  if (!names) typedNames.set(ctx.model, (names = new Map()));
  let hit = names.get(fqn);
  if (hit === undefined) {
    const { index, file } = projectOf(ctx);
    names.set(fqn, (hit = index.typedName(file, fqn)));
  }
  return hit;
}

const typedNames = new WeakMap<ModuleModel, Map<string, string>>();

const resolvedCalls = new WeakMap<CallInfo, IndexedFunction | null>();

/**
 * The function a call of the analysed file enters when the model has no local target for it: a
 * function of another module, or a method of this one reached through an instance (`svc.fetch()`
 * with `svc = Service()`). Without the workspace index only this file is known. Once per call:
 * several rules ask.
 */
export function resolveCall(ctx: RuleContext, call: CallInfo): IndexedFunction | null {
  const { index, file } = projectOf(ctx);
  let hit = resolvedCalls.get(call);
  if (hit === undefined) {
    const fqn = ctx.model.calleeFqn(call);
    hit = fqn && !ctx.api.allow.has(fqn) ? index.resolve(file, fqn) : null;
    resolvedCalls.set(call, hit);
  }
  return hit;
}

/** The related location of an injected callable's default (`self.clock` holding `time.time`). */
export function injectedMessage(calleeText: string, fqn: string): string {
  return `\`${calleeText}\` is \`${fqn}\` by default: set here`;
}

/** For a call of an injected callable of the analysed file (`self.clock()`): where its default is set. */
export function injectedRelated(ctx: RuleContext, call: CallInfo, fqn: string): RelatedInfo[] {
  const at = ctx.model.injectedAt(call);
  return at ? [{ message: injectedMessage(ctx.model.textOf(call.callee), fqn), range: ctx.model.lines.range(at.startIndex, at.endIndex) }] : [];
}

/** How a function of the index is named in messages: bare when local, `module.qualname` otherwise. */
export function displayName(ctx: RuleContext, f: IndexedFunction): string {
  if (f.module.file === projectOf(ctx).file) return f.fn.qualname;
  return `${lastSegment(f.module.moduleName)}.${f.fn.qualname}`;
}

/**
 * For a method a call enters instead of the one it names (ModuleResolver.dispatch): why, as the end of
 * a related location's message (` (it overrides \`base.Provider.complete\`)`); empty otherwise.
 */
function insteadText(ctx: RuleContext, f: IndexedFunction): string {
  const i = f.insteadOf;
  if (!i) return '';
  const name = i.module === ctx.model.moduleName ? i.qualname : `${lastSegment(i.module)}.${i.qualname}`;
  return i.kind === 'override' ? ` (it overrides \`${name}\`)` : ` (its class is one \`${name}\` returns)`;
}

/** The chain's text (`checkout → pricing.quote → http.fetch → requests.get`) and a location for every link. */
export function chainView(ctx: RuleContext, rootName: string, chain: Chain): { text: string; helperName: string; related: RelatedInfo[]; also: string } {
  const own = projectOf(ctx).file;
  const where = (m: ModuleSummary) => (m.file === own ? {} : { file: m.file });
  const helperName = displayName(ctx, chain.first);
  const leafText = chain.leaf.workflow ? displayName(ctx, chain.leaf.workflow) : chain.leaf.call.text;
  const names = [rootName, helperName];
  // a function handed to a helper: the helper, then the function (once: the helper may be the one the call enters)
  for (const l of chain.links) {
    const by = l.handedTo ? displayName(ctx, l.handedTo) : null;
    if (by && by !== names[names.length - 1]) names.push(by);
    names.push(displayName(ctx, l));
  }
  names.push(leafText);
  const related: RelatedInfo[] = [
    { message: `\`${helperName}\` is defined here${insteadText(ctx, chain.first)}`, range: rangeIn(chain.first.module, chain.first.fn.defStart, chain.first.fn.defStart), ...where(chain.first.module) },
    ...chain.links.map((l) => ({
      message: l.handedTo ? `hands \`${displayName(ctx, l)}\` to \`${displayName(ctx, l.handedTo)}\`, which calls it` : `calls \`${displayName(ctx, l)}\`${insteadText(ctx, l)}`,
      range: rangeIn(l.viaModule, l.via.start, l.via.end),
      ...where(l.viaModule),
    })),
    {
      message: chain.leaf.workflow ? `calls workflow \`${leafText}\` here` : `\`${leafText}\` is called here`,
      range: rangeIn(chain.leaf.module, chain.leaf.call.start, chain.leaf.call.end),
      ...where(chain.leaf.module),
    },
  ];
  const bound = chain.leaf.call.boundAt;
  if (bound && chain.leaf.call.fqn) {
    related.push({ message: injectedMessage(leafText, chain.leaf.call.fqn), range: rangeIn(chain.leaf.module, bound.start, bound.end), ...where(chain.leaf.module) });
  }
  // asked with `all`: every other line the walk reaches with a call of the kind, up to OTHER_LEAVES_SHOWN
  const others = chain.others;
  for (const o of others?.leaves.slice(0, OTHER_LEAVES_SHOWN) ?? []) {
    related.push({ message: `\`${o.call.text}\` is also called here`, range: rangeIn(o.module, o.call.start, o.call.end), ...where(o.module) });
  }
  const more = others ? others.total - Math.min(others.total, OTHER_LEAVES_SHOWN) : 0;
  const n = others?.total ?? 0;
  const also = n === 0 ? '' : more > 0 ? ` The chain reaches ${n} more such calls: ${OTHER_LEAVES_SHOWN} are shown as related locations, and ${more} more.` : ` The chain reaches ${n} more such call${n > 1 ? 's' : ''}, shown as related location${n > 1 ? 's' : ''}.`;
  return { text: names.join(' → '), helperName, related, also };
}

/** How many other calls of a chain's kind a finding names as related locations (`chainView`). */
const OTHER_LEAVES_SHOWN = 5;

/** A module-level call whose chain of helpers constructs or launches DBOS (`importTimeChains`). */
export interface ImportTimeChain {
  call: CallInfo;
  /** `configure_dbos → DBOS(...)`, `start → boot → DBOS.launch()`. */
  text: string;
  /** A location for every link, the last one the construction or launch. */
  related: RelatedInfo[];
  /** For a construction: the same call also reaches `DBOS.launch()` (DBOS101 reports it). */
  alsoLaunches: boolean;
}

/**
 * The calls that run when the analysed module is imported (module level or class body, outside the
 * main guard) of project functions, of this module or others, whose chain of plain helpers
 * constructs DBOS (`construct`: `configure_dbos()` running `DBOS(config=...)`) or launches it
 * (`launch`). A direct `DBOS(...)` or `DBOS.launch()` is the rules' own.
 */
export function importTimeChains(ctx: RuleContext, kind: 'construct' | 'launch'): ImportTimeChain[] {
  const { model } = ctx;
  const out: ImportTimeChain[] = [];
  if (model.isMainModule) return out;
  for (const c of model.calls) {
    if (c.scope.fn !== null || c.scope.mainGuard) continue;
    const fqn = model.calleeFqn(c);
    if (fqn === 'dbos.DBOS' || fqn === 'dbos.DBOS.launch') continue;
    const helper = model.targetFunction(c);
    if (helper && !isPlain(helper)) continue;
    const chain = crossChain(ctx, c, helper, kind);
    if (!chain) continue;
    const view = chainView(ctx, '<module>', chain);
    const last = kind === 'construct' ? 'DBOS is constructed here' : 'DBOS is launched here';
    const related = view.related.map((r, i) => (i === view.related.length - 1 ? { ...r, message: last } : r));
    const text = `${view.text.replace(/^<module> \u2192 /, '')}${kind === 'construct' ? '(...)' : '()'}`;
    out.push({ call: c, text, related, alsoLaunches: kind === 'construct' && !!crossChain(ctx, c, helper, 'launch') });
  }
  return out;
}

/** A step-side chain found by `stepSideChains`. */
export interface StepChainHit {
  /** The step (or, for `workflowSideChains`, the workflow) that makes the call. */
  step: FunctionInfo;
  call: CallInfo;
  /** Null for a step calling a workflow of another module directly (kind `start`). */
  chain: Chain | null;
  /** The chain as text and related locations; for a direct call, the workflow's location. */
  view: { text: string; helperName: string; related: RelatedInfo[] };
}

/**
 * Steps (and transactions) whose calls reach, through plain helpers of this module or others, a call
 * that only a workflow may make: starting a workflow (`start`) or a workflow-only API such as
 * `DBOS.recv` (`workflowOnly`). Direct calls in the step body are the rules' own business. Needs the
 * workspace index; none without it.
 */
export function stepSideChains(ctx: RuleContext, kind: 'start' | 'workflowOnly', isDirect: (call: CallInfo) => boolean): StepChainHit[] {
  return hostChains(ctx, isStepLike, kind, isDirect);
}

/**
 * Workflows whose calls reach, through plain helpers of this module or others (an instance's method
 * included: `scheduler.sync()` with `scheduler = Scheduler()` at module level or imported), a DBOS API
 * that raises inside a workflow (`DBOS.apply_schedules`). `step` of each hit is the workflow.
 */
export function workflowSideChains(ctx: RuleContext, isDirect: (call: CallInfo) => boolean): StepChainHit[] {
  return hostChains(ctx, isWorkflow, 'workflowForbidden', isDirect);
}

/** The calls of the file's functions that `isHost` picks whose chain of helpers ends in `kind`. */
function hostChains(ctx: RuleContext, isHost: (fn: FunctionInfo) => boolean, kind: 'start' | 'workflowOnly' | 'workflowForbidden', isDirect: (call: CallInfo) => boolean): StepChainHit[] {
  const { model } = ctx;
  const own = () => projectOf(ctx).file;
  const out: StepChainHit[] = [];
  for (const step of model.functions) {
    if (!isHost(step)) continue;
    for (const call of step.calls) {
      if (isDirect(call)) continue;
      const helper = model.targetFunction(call);
      if (helper && (helper === step || !isPlain(helper))) continue;
      if (!helper && kind === 'start') {
        // a workflow of another module called directly from the step
        const target = resolveCall(ctx, call);
        if (target?.fn.workflow) {
          if (model.expectsFailure(call.node)) continue;
          const name = displayName(ctx, target);
          const where = target.module.file === own() ? {} : { file: target.module.file };
          out.push({
            step,
            call,
            chain: null,
            view: {
              text: `${step.name} → ${name}`,
              helperName: name,
              related: [{ message: `workflow \`${name}\` is defined here`, range: rangeIn(target.module, target.fn.defStart, target.fn.defStart), ...where }],
            },
          });
          continue;
        }
      }
      const chain = crossChain(ctx, call, helper, kind);
      if (!chain || model.expectsFailure(call.node)) continue;
      out.push({ step, call, chain, view: chainView(ctx, step.name, chain) });
    }
  }
  return out;
}
