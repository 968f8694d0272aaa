// DBOS401: in-memory `Queue(...)` declarations. On DBOS 3.x every one is an error (the constructor
// is gone: register queues after launch). On 2.x (and unknown versions) a declaration that can run
// twice (inside a function or loop) is a warning, and two declarations of one name are an error.
import type { Node } from 'web-tree-sitter';
import { isV3, type Rule, type RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix, RelatedInfo, TextEdit } from '../types';
import { dbosName, statementOf } from '../fixes/common';
import { isGuarded, literal, queueDeclarations, type QueueDecl } from '../model/queues';
import { enclosingLoop } from '../syntax/enclosing';
import { exclusiveBranches } from '../syntax/branches';
import { callTimeOf, calledByName, howRun, lateKind, runTimeOf, type Elsewhere, type RunReason } from '../model/run-time';
import { callLocation, elsewhere } from './run-time-elsewhere';
import { runnersOf } from '../model/callers';
import { isStepLike, isWorkflow } from '../model/kinds';
import { argumentFor } from '../model/bound-arguments';

const CACHE_DECORATORS = /(^|\.)(lru_cache|cache|cached_property|cached|memoize|once)$/;

function check(ctx: RuleContext): void {
  const { model } = ctx;
  const decls = queueDeclarations(model).filter((d) => d.legacy);
  if (decls.length === 0) return;
  if (isV3(ctx.version)) {
    for (const d of decls) {
      const label = d.name !== null ? `\`Queue(${JSON.stringify(d.name)})\`` : '`Queue(...)`';
      ctx.report({
        node: d.call.node,
        message:
          `${label} fails: in-memory queues were removed in DBOS 3.0\n` +
          `The \`Queue\` constructor raises a \`DBOSException\`. ` +
          `Register the queue in the database with \`DBOS.register_queue(...)\` after \`DBOS.launch()\` and enqueue by name with \`DBOS.enqueue_workflow(...)\`.`,
        severity: 'error',
        fixes: migrationFixes(ctx, d),
      });
    }
    return;
  }
  // (c) the same literal name declared twice in one scope
  const reported = new Set<QueueDecl>();
  for (let i = 0; i < decls.length; i++) {
    const b = decls[i];
    if (b.name === null) continue;
    const a = decls.slice(0, i).find((x) => x.name === b.name && x.call.scope.fn === b.call.scope.fn && !exclusiveBranches(x.call.node, b.call.node));
    if (!a) continue;
    reported.add(b);
    const line = model.lines.positionAt(a.call.start).line + 1;
    ctx.report({
      node: b.call.node,
      message:
        `Queue "${b.name}" is already declared on line ${line}, so this declaration raises\n` +
        `The second \`Queue(...)\` raises \`Exception: Queue ${b.name} has already been declared\`. ` +
        `Declare each queue once, at module level, and reuse that object.`,
      severity: 'error',
      related: [{ message: `first declaration of "${b.name}"`, range: model.lines.range(a.call.start, a.call.end) }],
    });
  }
  // (b) a declaration that runs more than once
  if (model.isTestFile) return;
  for (const d of decls) {
    if (reported.has(d)) continue;
    if (d.name === null) {
      parameterNamed(ctx, d);
      declaredPerRun(ctx, d);
      continue;
    }
    const owner = perInstance(model, d.call);
    if (owner) {
      reported.add(d);
      ctx.report({
        node: d.call.node,
        message:
          `\`Queue(${JSON.stringify(d.name)})\` is declared in \`${owner.method}\` of \`${owner.cls}\`, so a second instance raises\n` +
          `Every \`${owner.cls}(...)\` runs \`Queue(${JSON.stringify(d.name)})\` again and stores it on the instance; DBOS keeps one queue per name, ` +
          `so the second instance fails with \`Exception: Queue ${d.name} has already been declared\`. ` +
          'Declare the queue once at module level, before `DBOS.launch()`, and store that object on the instance.',
        severity: 'warning',
      });
      continue;
    }
    const where = repeatedContext(model, d.call, elsewhere(ctx));
    if (!where) continue;
    ctx.report({
      node: d.call.node,
      message:
        `\`Queue(${JSON.stringify(d.name)})\` is declared ${where.text}, so it can run twice and raise\n` +
        (where.why ? `\`${d.call.scope.fn!.name}\` is ${where.why.why}: each call declares the queue again. ` : '') +
        `The second time it runs DBOS raises \`Exception: Queue ${d.name} has already been declared\`, ` +
        `and workflows recovered before it runs have no queue to go to. Declare the queue once at module level, before \`DBOS.launch()\`.`,
      severity: 'warning',
      related: callLocation(ctx, where.why, () => `\`${d.call.scope.fn!.name}\` is called here`),
    });
  }
}

/**
 * (b) `Queue(f"jobs_{DBOS.workflow_id}")` in a workflow or step body, its name computed there (not a
 * parameter: `parameterNamed` judges those by the callers): a queue per run. No run raises by itself,
 * but DBOS keeps every queue (and the queue manager a polling thread for each) until the process
 * exits, and running the workflow again under its ID in the same process declares the name again.
 */
function declaredPerRun(ctx: RuleContext, d: QueueDecl): void {
  const { model } = ctx;
  const fn = d.call.scope.fn;
  if (!fn || !d.nameNode || !(isWorkflow(fn) || isStepLike(fn)) || isGuarded(d.call.node)) return;
  if (d.nameNode.type === 'identifier' && fn.params.includes(model.textOf(d.nameNode))) return;
  const kind = isWorkflow(fn) ? 'workflow' : 'step';
  ctx.report({
    node: d.call.node,
    message:
      `\`Queue(...)\` is declared in ${kind} \`${fn.name}\`, so every run declares another queue\n` +
      `DBOS keeps every declared queue until the process exits, and its queue manager polls each one with a thread of its own: one more per run. ` +
      `Running it again under the same workflow ID in this process (${kind === 'step' ? "the step's retry, " : ''}\`DBOS.resume_workflow\`) declares the same name again and raises ` +
      `\`Exception: Queue <name> has already been declared\`. Declare the queue once at module level, before \`DBOS.launch()\`; for a limit per run, ` +
      `make it a partitioned queue (\`partition_queue=True\`) and enqueue with the run's ID as \`queue_partition_key\`.`,
    severity: 'warning',
  });
}

/**
 * (b) `Queue(name)` whose name is a parameter of its function: the function's callers decide.
 * Reported when the function is a workflow, step or HTTP handler, when a call of it runs
 * repeatedly (from one of those, a method, or through other functions, in this module or another:
 * model/run-time.ts, project/callers.ts), when a call in the file in a loop passes a literal name,
 * or when two calls in the file that may both run pass the same literal. Calls at import or before
 * launch with distinct names stay quiet, as do loops in other modules (their names are not read
 * there) and functions with no caller known.
 */
function parameterNamed(ctx: RuleContext, d: QueueDecl): void {
  const { model } = ctx;
  const fn = d.call.scope.fn;
  if (!fn || fn.isLambda || d.nameNode?.type !== 'identifier') return;
  const param = model.textOf(d.nameNode);
  if (!fn.params.includes(param) || isGuarded(d.call.node) || enclosingLoop(d.call.node)) return;
  if (fn.decorators.some((x) => x.fqn && CACHE_DECORATORS.test(x.fqn))) return; // one queue per name, cached
  const kind = lateKind(fn);
  let why: string | null = kind && kind !== 'method' ? `a ${kind}` : null;
  const related: RelatedInfo[] = [];
  const at = (call: CallInfo, message: string) => related.push({ message, range: model.lines.range(call.start, call.end) });
  const seen = new Map<string, CallInfo>();
  const ext = elsewhere(ctx);
  for (const call of why ? [] : runnersOf(model, fn)) {
    // a thread or task runner's arguments are not the function's own: its name is not read there
    const how = howRun(model, call);
    const lit = how === 'called' ? literal(model, argumentFor(model, fn, call, param)) : null;
    const name = lit?.t === 'str' ? lit.v : null;
    const time = callTimeOf(model, call, how, ext);
    const reason = (name !== null ? time.loop : null) ?? time.repeated;
    if (reason) {
      why = reason.why + (name !== null ? ` with "${name}"` : '');
      at(call, `\`${fn.name}\` is ${how} here`);
      break;
    }
    if (name === null) continue;
    const first = seen.get(name);
    if (first && !exclusiveBranches(first.node, call.node)) {
      why = `called with "${name}" on line ${model.lines.positionAt(first.start).line + 1} and again on line ${model.lines.positionAt(call.start).line + 1}`;
      at(first, `first call with "${name}"`);
      at(call, `second call with "${name}"`);
      break;
    }
    if (!first) seen.set(name, call);
  }
  // a call in another module that repeats (from a handler, a workflow, a method...)
  const other = !why && ext && calledByName(fn) ? ext(fn)?.repeated : null;
  if (other) {
    why = other.why;
    related.push(...callLocation(ctx, other, (how) => `\`${fn.name}\` is ${how} here`));
  }
  if (!why) return;
  ctx.report({
    node: d.call.node,
    message:
      `\`Queue(${param})\` in \`${fn.name}\` can run twice with one name, and then it raises\n` +
      `\`${fn.name}\` declares the queue its parameter \`${param}\` names each time it runs, and it is ${why}. ` +
      `The second declaration of a name raises \`Exception: Queue <name> has already been declared\`, and workflows recovered before it runs have no queue to go to. ` +
      'Declare each queue once at module level, before `DBOS.launch()`, and pass the queue object.',
    severity: 'warning',
    related,
  });
}

/**
 * A declaration with a literal name run by a method and stored on the instance (`self.queue =
 * Queue("jobs")` in `__init__` or any method): each instance declares the queue again. The method and
 * its class, or null.
 */
function perInstance(model: ModuleModel, call: CallInfo): { method: string; cls: string } | null {
  const fn = call.scope.fn;
  if (!fn?.cls || fn.params.length === 0 || fn.decorators.some((d) => /(^|\.)(staticmethod|classmethod)$/.test(d.fqn ?? ''))) return null;
  const stmt = call.node.parent;
  if (stmt?.type !== 'assignment' || stmt.childForFieldName('right')?.id !== call.node.id) return null;
  const left = stmt.childForFieldName('left');
  const obj = left?.type === 'attribute' ? left.childForFieldName('object') : null;
  if (obj?.type !== 'identifier' || model.textOf(obj) !== fn.params[0]) return null;
  return { method: fn.name, cls: fn.cls.name };
}

/**
 * Why the declaration may run several times ("inside function `f`", "inside a loop"), or null.
 * `why`: for a function that otherwise looks like set-up run once (called from the entry point, named
 * `main`/`setup`/`startup`), the caller in the file that makes it run again (a workflow, a step, an
 * HTTP handler, a loop, after launch, in this module or another: model/run-time.ts), which the message names.
 */
function repeatedContext(model: ModuleModel, call: CallInfo, ext: Elsewhere | undefined): { text: string; why: RunReason | null } | null {
  if (enclosingLoop(call.node)) return { text: 'inside a loop', why: null };
  const fn = call.scope.fn;
  if (!fn) return null;
  if (isGuarded(call.node)) return null; // lazy singleton: `if _q is None: _q = Queue(...)`
  const stmt = call.node.parent;
  if (stmt?.type === 'assignment') {
    const left = stmt.childForFieldName('left');
    if (left?.type === 'attribute') return null;
    if (left?.type === 'identifier' && (fn.globals.has(model.textOf(left)) || fn.nonlocals.has(model.textOf(left)))) return null;
  }
  const kind = fn.kinds.has('workflow') ? 'workflow' : fn.kinds.has('step') ? 'step' : fn.cls ? 'method' : 'function';
  const text = `inside ${kind} \`${fn.name}\``;
  if (!isOnceFunction(fn)) return { text, why: null };
  // set-up that a caller runs again: a lazily created queue (`def get_queue(): return Queue("jobs")`
  // called from the entry point and from a workflow, a handler or a loop)
  if (fn.name === '__init__' || fn.parent || fn.kinds.has('test') || fn.kinds.has('fixture') || isCached(fn)) return null;
  const why = runTimeOf(model, fn, ext).repeated;
  return why && (why.at || why.site) ? { text, why } : null;
}

/** Whether the function, or one it is nested in, caches its result (`@functools.cache`...): it runs once per arguments. */
function isCached(fn: FunctionInfo): boolean {
  for (let f: FunctionInfo | null = fn; f; f = f.parent) if (f.decorators.some((d) => d.fqn && CACHE_DECORATORS.test(d.fqn))) return true;
  return false;
}

function isOnceFunction(fn: FunctionInfo): boolean {
  for (let f: FunctionInfo | null = fn; f; f = f.parent) {
    if (f.kinds.has('entry') || f.kinds.has('lifespan') || f.kinds.has('test') || f.kinds.has('fixture')) return true;
    if (f.decorators.some((d) => d.fqn && CACHE_DECORATORS.test(d.fqn))) return true;
    if (f.name === 'main' || f.name === '__init__' || f.name === 'setup' || f.name === 'startup') return true;
  }
  return false;
}

// ---------------------------------------------------------------- migration (3.x)

/** The keyword arguments of `register_queue` equivalent to a `Queue(...)` declaration, or null. */
function registerArgs(model: ModuleModel, d: QueueDecl): string[] | null {
  if (d.args.splat || !d.nameNode) return null;
  const pq = d.options.get('partition_queue');
  const pqLit = pq ? literal(model, pq) : null;
  if (pq && pqLit?.t !== 'bool') return null;
  const partitioned = pqLit?.t === 'bool' && pqLit.v;
  const rename: Record<string, string> = partitioned
    ? { concurrency: 'partition_concurrency', worker_concurrency: 'partition_worker_concurrency', limiter: 'partition_limiter' }
    : { concurrency: 'global_concurrency' };
  const keep = new Set(['worker_concurrency', 'global_concurrency', 'limiter', 'partition_concurrency', 'partition_worker_concurrency', 'partition_limiter', 'polling_interval_sec']);
  const out = [model.textOf(d.nameNode)];
  for (const [k, v] of d.options) {
    if (k === 'priority_enabled' || k === 'partition_queue') continue;
    const name = rename[k] ?? (keep.has(k) ? k : null);
    if (!name) return null;
    out.push(`${name}=${model.textOf(v)}`);
  }
  return out;
}

function launchCall(model: ModuleModel): CallInfo | null {
  for (const c of model.calls) {
    if (model.calleeFqn(c) !== 'dbos.DBOS.launch') continue;
    const fn = c.scope.fn;
    if (c.scope.mainGuard || (fn && (fn.kinds.has('entry') || fn.kinds.has('lifespan')))) return c;
  }
  return null;
}

function lineSpan(model: ModuleModel, stmt: Node): [number, number] {
  const startLine = model.lines.positionAt(stmt.startIndex).line;
  const endLine = model.lines.positionAt(stmt.endIndex).line;
  const start = model.lines.starts[startLine];
  let end = endLine + 1 < model.lines.starts.length ? model.lines.starts[endLine + 1] : model.text.length;
  // do not leave two blank lines where there was one statement between blank lines
  const blank = (l: number) => l >= 0 && l < model.lines.starts.length && model.lines.lineText(l).trim() === '';
  if (blank(startLine - 1) && blank(endLine + 1) && endLine + 2 < model.lines.starts.length) end = model.lines.starts[endLine + 2];
  return [start, end];
}

function migrationFixes(ctx: RuleContext, d: QueueDecl): Fix[] {
  const { model } = ctx;
  const args = registerArgs(model, d);
  if (!args) return [];
  const dbos = dbosName(model);
  const fixes: Fix[] = [];
  const full = fullMigration(ctx, d, args, dbos);
  if (full) fixes.push(full);
  // In place: right when the declaration already runs after launch (in the entry point).
  if (!d.call.scope.fn && !d.call.scope.mainGuard) return fixes;
  fixes.push({
    title: 'Replace with DBOS.register_queue',
    safe: false,
    preferred: !full,
    edits: [...dbos.edits, model.lines.edit(d.call.start, d.call.end, `${dbos.text}.register_queue(${args.join(', ')})`)],
  });
  return fixes;
}

/** Deletes a module-level `q = Queue(...)`, registers the queue after `DBOS.launch()`, rewrites `q.enqueue(...)`. */
function fullMigration(ctx: RuleContext, d: QueueDecl, args: string[], dbos: { text: string; edits: TextEdit[] }): Fix | null {
  const { model } = ctx;
  if (d.call.scope.fn || d.call.scope.cls || d.call.scope.mainGuard || d.name === null) return null;
  const assign = d.call.node.parent;
  if (assign?.type !== 'assignment' || assign.childForFieldName('right')?.id !== d.call.node.id) return null;
  const target = assign.childForFieldName('left');
  if (target?.type !== 'identifier') return null;
  const stmt = assign.parent;
  if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'module') return null;
  const launch = launchCall(model);
  if (!launch) return null;
  const varName = model.textOf(target);
  const nameText = model.textOf(d.nameNode!);
  const edits: TextEdit[] = [...dbos.edits];
  // every other use of the variable must be a rewritable one
  for (const id of model.identifierUses(varName)) {
    if (!id || id.id === target.id || model.textOf(id) !== varName) continue;
    const p = id.parent;
    if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) continue;
    if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) continue;
    if (model.resolve(id) !== 'dbos.Queue()') return null;
    if (p?.type === 'attribute' && p.childForFieldName('object')?.id === id.id) {
      const method = model.textOf(p.childForFieldName('attribute')!);
      const call = p.parent;
      if ((method !== 'enqueue' && method !== 'enqueue_async') || call?.type !== 'call' || call.childForFieldName('function')?.id !== p.id) return null;
      const al = call.childForFieldName('arguments');
      if (!al || al.type !== 'argument_list') return null;
      const fn = method === 'enqueue' ? 'enqueue_workflow' : 'enqueue_workflow_async';
      edits.push(model.lines.edit(p.startIndex, p.endIndex, `${dbos.text}.${fn}`));
      const first = al.namedChildren.find((c) => c && c.type !== 'comment');
      edits.push(model.lines.edit(al.startIndex + 1, al.startIndex + 1, first ? `${nameText}, ` : nameText));
      continue;
    }
    // DBOS.listen_queues([q]) -> DBOS.listen_queues(["name"])
    const list = p?.type === 'list' || p?.type === 'tuple' ? p : null;
    const call = list?.parent?.parent;
    if (list && call?.type === 'call' && model.resolve(call.childForFieldName('function')) === 'dbos.DBOS.listen_queues') {
      edits.push(model.lines.edit(id.startIndex, id.endIndex, nameText));
      continue;
    }
    return null;
  }
  const launchStmt = statementOf(launch.node);
  const line = model.lines.positionAt(launchStmt.startIndex).line;
  const indent = model.lines.indentOf(line);
  const isAsync = !!launch.scope.fn?.isAsync;
  const reg = isAsync ? `await ${dbos.text}.register_queue_async(${args.join(', ')})` : `${dbos.text}.register_queue(${args.join(', ')})`;
  edits.push(model.lines.edit(launchStmt.endIndex, launchStmt.endIndex, `${model.lines.eol}${indent}${reg}`));
  const [s, e] = lineSpan(model, stmt);
  edits.push(model.lines.edit(s, e, ''));
  return {
    title: `Migrate to DBOS.register_queue after DBOS.launch() and enqueue by name`,
    safe: false,
    preferred: true,
    edits,
  };
}

export const rule: Rule = { code: 'DBOS401', requires: ['Queue'], check };
