// DBOS205: a workflow or step changes module-level state (global counters, module lists/dicts,
// attributes of module objects, class attributes).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { FunctionInfo } from '../model/types';
import { isStepLike, isWorkflow } from '../model/kinds';
import { inOwnBody, isTestPath, kindWord } from '../model/workflow-starts';
import { parentOf } from '../syntax/enclosing';
import { escapeRegExp } from '../text';
import { functionRule } from './function-findings';

const MUTATORS = new Set(['append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update', 'setdefault', 'add', 'discard', 'popitem', 'sort', 'reverse', 'appendleft', 'extendleft', 'popleft']);
const CONTAINER_TYPES = new Set(['list', 'dictionary', 'set', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension']);
const CONTAINER_CTORS = new Set(['builtins.list', 'builtins.dict', 'builtins.set', 'collections.defaultdict', 'collections.deque', 'collections.Counter', 'collections.OrderedDict']);
/** Module objects whose attributes may be set freely (loggers, metrics, tracing). */
const ALLOWED_OBJECTS = /^(logging|structlog|loguru|prometheus_client|opentelemetry|statsd|datadog)\b|^dbos\.DBOS\.(logger|tracer|span)\b/;

type ModuleKind = 'container' | 'class' | 'object';

/** What a module-level name holds, when `name` in `fn` refers to the module binding (not shadowed). */
function moduleBinding(ctx: RuleContext, name: string, fn: FunctionInfo): ModuleKind | null {
  const { model } = ctx;
  for (let f: FunctionInfo | null = fn; f; f = f.parent) {
    if (f.globals.has(name)) break;
    if (f.bindings.has(name) || f.imports.has(name) || f.nonlocals.has(name)) return null;
  }
  if (model.module.imports.has(name)) return null;
  const bindings = model.module.bindings.get(name);
  if (!bindings || bindings.length === 0) return null;
  let kind: ModuleKind | null = null;
  for (const b of bindings) {
    const v = b.value;
    if (!v) return null;
    let k: ModuleKind | null;
    if (v.type === 'function_definition') return null;
    if (v.type === 'class_definition') k = 'class';
    else if (CONTAINER_TYPES.has(v.type)) k = 'container';
    else if (v.type === 'call') {
      const fqn = model.resolve(v.childForFieldName('function'));
      if (fqn && CONTAINER_CTORS.has(fqn)) k = 'container';
      else if (fqn && ALLOWED_OBJECTS.test(fqn)) return null;
      else k = 'object';
    } else return null;
    if (kind && kind !== k) return null;
    kind = k;
  }
  return kind;
}

/** The identifier at the root of `a.b[c].d`. */
function rootName(node: Node): Node | null {
  let n: Node | null = node;
  while (n && (n.type === 'attribute' || n.type === 'subscript')) n = n.namedChildren[0] ?? null;
  return n?.type === 'identifier' ? n : null;
}

/** Inside an `if` (in `fn`) whose condition mentions `name`: lazy initialisation or a cache fill. */
function guarded(ctx: RuleContext, node: Node, name: string, fn: FunctionInfo): boolean {
  const re = new RegExp(`\\b${escapeRegExp(name)}\\b`);
  for (let p = parentOf(node); p && p.id !== fn.node.id; p = parentOf(p)) {
    if (p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'while_statement') {
      const cond = p.childForFieldName('condition');
      if (cond && re.test(ctx.model.textOf(cond))) return true;
    }
  }
  // a step that first returns a cached entry (`if key in cache: return cache[key]`) then fills the
  // cache: a memo, recomputed harmlessly in another process (in a workflow it can change which steps run)
  if (!isStepLike(fn) || !fn.body) return false;
  // names read from the memo first (`hit = cache.get(key)`) stand for it in the guard
  const reads = [re];
  for (const st of fn.body.namedChildren) {
    if (!st || st.startIndex >= node.startIndex) break;
    const a = st.type === 'expression_statement' ? st.namedChildren[0] : null;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.type === 'identifier' && re.test(ctx.model.textOf(a.childForFieldName('right') ?? a))) {
      reads.push(new RegExp(`\\b${ctx.model.textOf(a.childForFieldName('left')!)}\\b`));
      continue;
    }
    if (st.type !== 'if_statement') continue;
    const cond = st.childForFieldName('condition');
    const body = st.childForFieldName('consequence');
    const last = body?.namedChildren.filter((x) => x && x.type !== 'comment').pop();
    const mentions = (n: Node | null | undefined) => !!n && reads.some((r) => r.test(ctx.model.textOf(n)));
    if (mentions(cond) && last?.type === 'return_statement' && mentions(last)) return true;
  }
  return false;
}

// Each finding is about one workflow or step, read from its own body and the module-level bindings
// of the names it mutates: kept per function across edits (function-findings.ts).
export const rule: Rule = functionRule({
  code: 'DBOS205',
  requires: ['workflow', 'step', 'transaction'],
  applies: (ctx) => !isTestPath(ctx.model),
  checkFunction(ctx, fn) {
    const { model } = ctx;
    if (!isWorkflow(fn) && !isStepLike(fn)) return;
    if (fn.kinds.has('test') || fn.kinds.has('fixture')) return;
    const who = `${kindWord(fn) === 'workflow' ? 'Workflow' : 'Step'} \`${fn.name}\``;
    const why =
      'This state lives only in the memory of one process: it is lost when the workflow is recovered in another process, ' +
      'and changed again each time a step is retried or the workflow replays, so it drifts silently. Return the value, ' +
      'publish it with `DBOS.set_event`, or store it in a database transaction.';
    const report = (node: Node, what: string) => ctx.report({ node, message: `${who} ${what}\n${why}` });

    // (b) mutating calls on module-level containers
    for (const call of fn.calls) {
      const method = model.methodOf(call);
      if (!method || !MUTATORS.has(method)) continue;
      const obj = call.callee.childForFieldName('object');
      if (obj?.type !== 'identifier') continue;
      const name = model.textOf(obj);
      if (moduleBinding(ctx, name, fn) !== 'container' || guarded(ctx, call.node, name, fn)) continue;
      report(call.node, `changes the module-level \`${name}\` (\`.${method}()\`)`);
    }
    if (!fn.body || fn.isLambda) return;
    const stores = (fn.body.descendantsOfType(['assignment', 'augmented_assignment', 'delete_statement']) as Node[]).filter((n) => n && inOwnBody(n, fn));
    for (const s of stores) {
      const targets: Node[] = [];
      if (s.type === 'delete_statement') {
        for (const c of s.namedChildren) {
          if (!c) continue;
          if (c.type === 'expression_list') targets.push(...(c.namedChildren.filter((x) => !!x) as Node[]));
          else targets.push(c);
        }
      } else {
        const left = s.childForFieldName('left');
        if (left) targets.push(...(left.type === 'pattern_list' || left.type === 'tuple_pattern' ? (left.namedChildren.filter((x) => !!x) as Node[]) : [left]));
      }
      for (const t of targets) {
        if (t.type === 'identifier') {
          // (a) `global NAME` (or `nonlocal`) and a store to it
          const name = model.textOf(t);
          if (s.type === 'delete_statement') continue;
          if (!fn.globals.has(name) && !fn.nonlocals.has(name)) continue;
          if (guarded(ctx, s, name, fn)) continue;
          report(s, `assigns the ${fn.globals.has(name) ? 'global' : 'enclosing'} variable \`${name}\``);
          continue;
        }
        const root = rootName(t);
        if (!root) continue;
        const name = model.textOf(root);
        if (s.type !== 'delete_statement' && t.type === 'attribute' && (name === 'cls') && fn.params[0] === 'cls' && fn.cls) {
          report(s, `sets the class attribute \`${model.textOf(t)}\``);
          continue;
        }
        const kind = moduleBinding(ctx, name, fn);
        if (!kind || guarded(ctx, s, name, fn)) continue;
        if (t.type === 'subscript' && kind === 'object' && t.namedChildren[0]?.id === root.id) continue; // obj[k] on an unknown object
        const what =
          kind === 'class'
            ? `sets the class attribute \`${model.textOf(t)}\``
            : t.type === 'subscript'
              ? `${s.type === 'delete_statement' ? 'deletes from' : 'stores into'} the module-level \`${name}\``
              : `sets \`${model.textOf(t)}\` on the module-level \`${name}\``;
        report(s, what);
      }
    }
  },
});
