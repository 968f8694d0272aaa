// Shared facts for the Lifecycle rules (DBOS101-DBOS110): where DBOS is constructed, launched and
// destroyed in one file, which statements run at import, straight-line order, and the edits that move
// DBOS start-up into a main guard or a FastAPI lifespan.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import { keywordArgument, positionalArgs } from '../syntax/arguments';
import { ancestry } from '../syntax/branches';
import { dbosMethodName } from './names';

export const DBOS_FQN = 'dbos.DBOS';

export interface LifecycleFacts {
  /** `DBOS(...)` constructor calls (any alias). */
  constructions: CallInfo[];
  launches: CallInfo[];
  destroys: CallInfo[];
  /** `FastAPI(...)` calls. */
  fastapiApps: CallInfo[];
}

const factsCache = new WeakMap<ModuleModel, LifecycleFacts>();

/** True when `call` constructs DBOS (`DBOS(...)`, `D(...)`, `dbos.DBOS(...)`), not an instance call. */
export function isConstruction(model: ModuleModel, call: CallInfo): boolean {
  if (model.calleeFqn(call) !== DBOS_FQN) return false;
  const c = call.callee;
  if (c.type === 'attribute') return model.textOf(c.childForFieldName('attribute')!) === 'DBOS';
  if (c.type !== 'identifier') return false;
  // an import name (not a variable holding an instance)
  const name = model.textOf(c);
  if (model.module.imports.get(name) === DBOS_FQN) return true;
  for (let f = call.scope.fn; f; f = f.parent) if (f.imports.get(name) === DBOS_FQN) return true;
  return name === 'DBOS' && !model.module.bindings.has(name);
}

export function lifecycleFacts(model: ModuleModel): LifecycleFacts {
  const cached = factsCache.get(model);
  if (cached) return cached;
  const facts: LifecycleFacts = { constructions: [], launches: [], destroys: [], fastapiApps: [] };
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    if (fqn === DBOS_FQN) {
      if (isConstruction(model, call)) facts.constructions.push(call);
    } else if (fqn === 'dbos.DBOS.launch') facts.launches.push(call);
    else if (fqn === 'dbos.DBOS.destroy') facts.destroys.push(call);
    else if (fqn === 'fastapi.FastAPI') facts.fastapiApps.push(call);
  }
  factsCache.set(model, facts);
  return facts;
}

/** Test code: `test_*.py`, `*_test.py`, `conftest.py`, or any file under a `tests`/`test` folder. */
export function isTestLike(model: ModuleModel): boolean {
  return model.isTestFile;
}

/** The call runs when the module is imported: module level or class body, not in the main guard. */
export function runsAtImport(model: ModuleModel, call: CallInfo): boolean {
  if (model.isMainModule) return false;
  return call.scope.fn === null && !call.scope.mainGuard;
}


export { positionalArgs };

/** The functions that are a FastAPI lifespan or a startup hook. */
export function lifespans(model: ModuleModel): FunctionInfo[] {
  return model.functions.filter((f) => f.kinds.has('lifespan') || f.decorators.some((d) => isOnEventStartup(model, d.expr)));
}

function isOnEventStartup(model: ModuleModel, expr: Node): boolean {
  if (expr.type !== 'call') return false;
  const callee = expr.childForFieldName('function');
  if (callee?.type !== 'attribute' || model.textOf(callee.childForFieldName('attribute')!) !== 'on_event') return false;
  return /startup/.test(model.textOf(expr.childForFieldName('arguments')!));
}

/** Some lifespan or startup hook of this file launches DBOS. */
export function lifespanLaunches(model: ModuleModel): boolean {
  const facts = lifecycleFacts(model);
  const reach = new Set<FunctionInfo>(lifespans(model));
  const work = [...reach];
  while (work.length > 0) {
    const f = work.pop()!;
    for (const call of f.calls) {
      const g = model.targetFunction(call);
      if (g && !reach.has(g)) {
        reach.add(g);
        work.push(g);
      }
    }
  }
  return facts.launches.some((l) => [...reach].some((f) => withinFunction(l.scope.fn, f)));
}

const INTEGRATION_LAUNCH = new Set(['launch', 'launch_sync', 'launch_async']);
const SERVER_START = new Set(['start', 'serve', 'start_async', 'run_async']);

/**
 * DBOS is launched by something the module starts rather than by `DBOS.launch()` here: an
 * integration runtime (`DBOSRuntime(...)`, `runtime.launch()`, `launch_sync()` on any object but
 * DBOS) called anywhere in the module, or a server started in a lifespan (`await
 * workflow_server.start()`), which launches the DBOS it was given (the llama-agents runtime and
 * workflow server do). The engine cannot see into them; it only sees that the launch is handed over.
 */
export function integrationLaunches(model: ModuleModel): boolean {
  const spans = lifespans(model);
  return model.calls.some((c) => {
    const fqn = model.calleeFqn(c);
    if (fqn && /(^|\.)DBOSRuntime$/.test(fqn)) return true;
    if (c.calleeType !== 'attribute' || fqn === 'dbos.DBOS.launch') return false;
    const method = model.methodOf(c);
    if (!method) return false;
    if (INTEGRATION_LAUNCH.has(method)) return true;
    return SERVER_START.has(method) && spans.some((f) => withinFunction(c.scope.fn, f));
  });
}

export function withinFunction(fn: FunctionInfo | null, outer: FunctionInfo): boolean {
  for (let f = fn; f; f = f.parent) if (f === outer) return true;
  return false;
}

// ------------------------------------------------------------------ straight-line order

type Chain = ReturnType<typeof ancestry>;


/** The statement containing `node` whose parent is `block` (null when `node` is not inside it). */
function statementIn(chain: Chain, block: Node): Node | null {
  const k = chain.index.get(block.id);
  return k !== undefined && k > 0 ? chain.nodes[k - 1] : null;
}

/** The blocks (and the module) enclosing the chain's node, innermost first, up to its function body. */
function enclosingBlocks(chain: Chain): Node[] {
  const out: Node[] = [];
  for (let i = 1; i < chain.nodes.length; i++) {
    const t = chain.types[i];
    if (t === 'function_definition' || t === 'lambda' || t === 'class_definition') break;
    if (t === 'block' || t === 'module') out.push(chain.nodes[i]);
  }
  return out;
}

/** Same execution scope: same function (or both module level / main guard), neither in a class body. */
export function sameScope(a: CallInfo, b: CallInfo): boolean {
  return a.scope.fn === b.scope.fn && !a.scope.cls && !b.scope.cls;
}

/**
 * A `DBOS.launch()` of the module that runs before `node` on every path, in the same function (or at
 * module level when `fn` is null, class bodies excluded): what is registered at `node` comes too late.
 */
export function launchBefore(model: ModuleModel, fn: FunctionInfo | null, node: Node): CallInfo | undefined {
  return lifecycleFacts(model).launches.find((l) => l.scope.fn === fn && !l.scope.cls && runsBefore(l.node, node));
}

/**
 * `first` runs before `second` on every path that reaches `second`: in the same scope, `first` sits in
 * a statement that precedes the statement holding `second` in one of `second`'s enclosing blocks.
 */
export function runsBefore(first: Node, second: Node): boolean {
  if (first.startIndex >= second.startIndex) return false;
  const c2 = ancestry(second);
  const c1 = ancestry(first);
  for (const block of enclosingBlocks(c2)) {
    const s2 = statementIn(c2, block);
    const s1 = statementIn(c1, block);
    if (!s1 || !s2) continue;
    if (s1.id === s2.id) continue; // both inside the same compound statement: look at inner blocks only
    if (!isBranchSibling(s1, s2)) return s1.endIndex <= s2.startIndex;
    return false;
  }
  return false;
}

function isBranchSibling(a: Node, b: Node): boolean {
  const clause = (t: string) => /^(elif_clause|else_clause|except_clause|except_group_clause|case_clause|finally_clause)$/.test(t);
  return clause(a.type) || clause(b.type);
}

/** Some call of `calls` lies textually strictly between the two nodes, in the same scope. */
export function between(calls: CallInfo[], a: CallInfo, b: CallInfo): boolean {
  return calls.some((c) => sameScope(c, a) && c.start > a.end && c.end < b.start);
}

// ------------------------------------------------------------------ statements and text moves

/** The statement a call is the whole of (`DBOS.launch()` or `x = DBOS(...)`), in a block or the module. */
export function ownStatement(call: CallInfo): Node | null {
  const p = call.node.parent;
  if (!p) return null;
  let stmt: Node | null = null;
  if (p.type === 'expression_statement') stmt = p;
  else if (p.type === 'assignment' && p.childForFieldName('right')?.id === call.node.id && p.parent?.type === 'expression_statement') stmt = p.parent;
  else if (p.type === 'await' && p.parent?.type === 'expression_statement') stmt = p.parent;
  if (!stmt || !stmt.parent || (stmt.parent.type !== 'module' && stmt.parent.type !== 'block')) return null;
  return stmt;
}

/** Offsets of the full lines a statement occupies, line break included. */
export function lineSpan(model: ModuleModel, stmt: Node): { start: number; end: number } | null {
  const l0 = model.lines.positionAt(stmt.startIndex).line;
  const l1 = model.lines.positionAt(stmt.endIndex).line;
  const start = model.lines.starts[l0];
  // the statement must be alone on its lines (apart from a trailing comment)
  if (model.text.slice(start, stmt.startIndex).trim() !== '') return null;
  const rest = model.text.slice(stmt.endIndex, model.lines.lineEnd(l1)).trim();
  if (rest !== '' && !rest.startsWith('#')) return null;
  const end = l1 + 1 < model.lines.lineCount ? model.lines.starts[l1 + 1] : model.text.length;
  return { start, end };
}

/** Identifiers named `name` in the file, minus those inside `skip` nodes. */
export function usesOfName(model: ModuleModel, name: string, skip: Node[]): Node[] {
  return model.identifierUses(name).filter((id) => !skip.some((s) => id.startIndex >= s.startIndex && id.endIndex <= s.endIndex));
}

/** The name a statement `x = ...` / `x: T = ...` binds, if it is that simple. */
export function assignedName(model: ModuleModel, stmt: Node): string | null {
  const a = stmt.namedChildren[0];
  if (a?.type !== 'assignment') return null;
  const left = a.childForFieldName('left');
  return left?.type === 'identifier' ? model.textOf(left) : null;
}

/** The top-level `name = ...` statement that binds `name` once at module level, if any. */
export function moduleAssignment(model: ModuleModel, name: string): Node | null {
  const b = model.module.bindings.get(name);
  if (!b || b.length !== 1 || !b[0].value) return null;
  const stmt = b[0].node.parent?.parent;
  if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'module') return null;
  return stmt;
}

/** The statements the move-to-main fix takes: config dict (when only used there), construction, launch, follow-ups. */
export function startupStatements(model: ModuleModel): Node[] | null {
  const facts = lifecycleFacts(model);
  const stmts: Node[] = [];
  const importCons = facts.constructions.filter((c) => runsAtImport(model, c));
  const importLaunches = facts.launches.filter((c) => runsAtImport(model, c));
  for (const c of [...importCons, ...importLaunches]) {
    const s = ownStatement(c);
    if (!s || s.parent?.type !== 'module') return null;
    const bound = assignedName(model, s);
    // `dbos = DBOS(...)` used elsewhere (e.g. `@dbos.workflow()`) cannot move
    if (bound && usesOfName(model, bound, [s]).length > 0) return null;
    stmts.push(s);
  }
  for (const c of importCons) {
    const cfg = keywordArgument(model, c, 'config')?.childForFieldName('value') ?? positionalArgs(c)[0];
    if (cfg?.type !== 'identifier') continue;
    const name = model.textOf(cfg);
    const stmt = moduleAssignment(model, name);
    if (stmt && stmt.startIndex < c.start && usesOfName(model, name, [stmt, c.node]).length === 0) stmts.push(stmt);
  }
  // module-level DBOS calls after the launch need the launched DBOS: they move with it
  const lastLaunch = importLaunches[importLaunches.length - 1];
  if (lastLaunch) {
    for (const call of model.moduleCalls) {
      if (!runsAtImport(model, call) || call.start < lastLaunch.end) continue;
      const fqn = model.calleeFqn(call);
      if (!fqn || !fqn.startsWith('dbos.DBOS.')) continue;
      if (call.node.parent?.type === 'decorator' || call.node.parent?.parent?.type === 'decorator') continue;
      let s: Node = call.node;
      while (s.parent && s.parent.type !== 'module') s = s.parent;
      if (s.type === 'decorated_definition' || s.type === 'function_definition' || s.type === 'class_definition') continue;
      if (s.type === 'if_statement' && model.mainGuards.some((g) => g.id === s.id)) continue;
      stmts.push(s);
    }
  }
  return stmts.length > 0 ? stmts : null;
}

/** The single module-level `app = FastAPI(...)` statement, if the file has exactly one. */
export function fastapiAppAssignment(model: ModuleModel): { stmt: Node; call: CallInfo; name: string } | null {
  const apps = lifecycleFacts(model).fastapiApps.filter((c) => c.scope.fn === null && !c.scope.cls && !c.scope.mainGuard);
  if (apps.length !== 1) return null;
  const call = apps[0];
  const stmt = ownStatement(call);
  if (!stmt || stmt.parent?.type !== 'module') return null;
  const name = assignedName(model, stmt);
  if (!name) return null;
  return { stmt, call, name };
}


export function isDbosStartupApi(fqn: string | null, names: Set<string>): boolean {
  const name = dbosMethodName(fqn);
  return name !== null && names.has(name);
}

/** The file imports DBOS (a snippet that uses `DBOS` without importing it is a fragment of a larger program). */
export function importsDbos(model: ModuleModel): boolean {
  if (model.localNameFor(DBOS_FQN) || model.starImports.includes('dbos')) return true;
  return model.functions.some((f) => [...f.imports.values()].some((v) => v === DBOS_FQN || v === 'dbos'));
}

/** Inside `with pytest.raises(...)` or the body of a `try` with handlers: the code expects a failure. */
export function expectsFailure(model: ModuleModel, node: Node): boolean {
  if (model.expectsFailure(node)) return true;
  // a try body with handlers: the order there is deliberate (fallbacks, probes)
  return model.inHandledTry(node);
}
