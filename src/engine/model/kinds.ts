// Classifies functions: workflow, step, transaction, HTTP handler, entry point, test...
import type { ModuleModel } from './module';
import type { CallInfo, DecoratorInfo, FunctionInfo, FunctionKind } from './types';
import { lastSegment } from './names';
import { checkTime } from '../budget';

export const DBOS = 'dbos.DBOS';
export const SYNC_DATASOURCE = 'dbos.SQLAlchemyDatasource.create()';
export const ASYNC_DATASOURCE = 'dbos.AsyncSQLAlchemyDatasource.create()';

const DECORATOR_KINDS: Record<string, FunctionKind> = {
  'dbos.DBOS.workflow': 'workflow',
  'dbos.DBOS.step': 'step',
  'dbos.DBOS.transaction': 'transaction',
  'dbos.DBOS.scheduled': 'scheduled',
  'pytest.fixture': 'fixture',
  'pytest_asyncio.fixture': 'fixture',
};

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'api_route', 'websocket', 'route', 'trace']);
const APP_CONSTRUCTORS = new Set(['FastAPI', 'APIRouter', 'Flask', 'Blueprint', 'Starlette', 'Quart', 'Sanic']);
const APP_NAME = /^(app|api|router|bp|blueprint|server|\w+_(app|router|api|bp))$/;

/** Whether an FQN denotes a datasource object; 'sync' | 'async' | null. */
export function datasourceKind(fqn: string | null): 'sync' | 'async' | null {
  if (fqn === SYNC_DATASOURCE) return 'sync';
  if (fqn === ASYNC_DATASOURCE) return 'async';
  return null;
}

/** The kind a decorator gives the function, if any. */
export function decoratorKind(model: ModuleModel, d: DecoratorInfo): FunctionKind | null {
  const fqn = d.fqn;
  if (fqn) {
    const k = DECORATOR_KINDS[fqn];
    if (k) return k;
    if (fqn.endsWith('.transaction') && datasourceKind(fqn.slice(0, -'.transaction'.length))) return 'dstransaction';
  }
  if (d.called && d.expr.type === 'call') {
    const callee = d.expr.childForFieldName('function');
    if (callee?.type === 'attribute') {
      const attr = callee.childForFieldName('attribute');
      const obj = callee.childForFieldName('object');
      if (attr && obj) {
        const method = model.textOf(attr);
        if (method === 'on_event') return 'entry';
        if (ROUTE_METHODS.has(method) && isWebApp(model, obj)) return 'http';
      }
    }
  }
  return null;
}

/** pydantic-ai's tool decorators: the agent keeps the function they are applied to. */
const AGENT_TOOL = /^pydantic_ai\.(?:agent\.)?Agent\(\)\.(tool|tool_plain)$/;

/**
 * A framework decorator that registers the function it is applied to, so that a decorator below it
 * is bypassed: a web route (`@app.get(...)`, kind `http`) or an agent tool (`@agent.tool` of
 * pydantic-ai, `tool`). Null for any other decorator.
 */
export function registeringDecorator(model: ModuleModel, d: DecoratorInfo): 'http' | 'tool' | null {
  if (decoratorKind(model, d) === 'http') return 'http';
  return d.fqn && AGENT_TOOL.test(d.fqn) ? 'tool' : null;
}

function isWebApp(model: ModuleModel, obj: import('web-tree-sitter').Node): boolean {
  const fqn = model.resolve(obj);
  if (fqn && fqn.endsWith('()')) return APP_CONSTRUCTORS.has(lastSegment(fqn.slice(0, -2)));
  return obj.type === 'identifier' && APP_NAME.test(model.textOf(obj));
}

function decoratorTarget(model: ModuleModel, d: DecoratorInfo): void {
  if (d.expr.type === 'call') {
    d.fqn = model.resolve(d.expr.childForFieldName('function'));
    return;
  }
  const fqn = model.resolve(d.expr);
  if (fqn && fqn.endsWith('()')) {
    // a variable holding a configured decorator: `wf = DBOS.workflow()` then `@wf`
    d.fqn = fqn.slice(0, -2);
    d.called = true;
  } else d.fqn = fqn;
}

/** Fills `kinds` of every function of the model. Runs once, after the model is built. */
export function classifyFunctions(model: ModuleModel): void {
  for (const fn of model.functions) {
    for (const d of fn.decorators) {
      checkTime();
      decoratorTarget(model, d);
      const k = decoratorKind(model, d);
      if (k) fn.kinds.add(k);
      if (d.fqn === 'contextlib.asynccontextmanager' && fn.name === 'lifespan') fn.kinds.add('lifespan');
    }
    if (fn.kinds.has('lifespan')) fn.kinds.add('entry');
    if (model.isTestFile && !fn.isLambda && /^test/.test(fn.name) && !fn.kinds.has('fixture')) fn.kinds.add('test');
  }
  for (const cls of model.classes) for (const d of cls.decorators) decoratorTarget(model, d);
  // decorator names are final: name lookups can be remembered from here on
  model.cacheLookups();

  for (const call of model.calls) {
    checkTime();
    const fqn = model.calleeFqn(call);
    if (fqn === 'dbos.DBOS.run_step' || fqn === 'dbos.DBOS.run_step_async') {
      markArg(model, argsOf(call)[1], 'step');
    } else if (fqn && /\.run_tx_step(_async)?$/.test(fqn) && datasourceKind(fqn.replace(/\.run_tx_step(_async)?$/, ''))) {
      markArg(model, argsOf(call)[1], 'dstransaction');
    } else if (fqn && /(^|\.)(FastAPI|Starlette)$/.test(fqn)) {
      for (const a of argsOf(call)) {
        if (a?.type === 'keyword_argument' && model.textOf(a.childForFieldName('name')!) === 'lifespan') {
          const f = markArg(model, a.childForFieldName('value'), 'lifespan');
          f?.kinds.add('entry');
        }
      }
    } else if (call.calleeType === 'call') {
      // functional registration: DBOS.workflow(name="job")(impl)
      const inner = model.resolve(call.callee.childForFieldName('function'));
      const k = inner ? DECORATOR_KINDS[inner] : undefined;
      if (k === 'workflow' || k === 'step' || k === 'transaction') markArg(model, argsOf(call)[0], k);
    }
  }

  // Entry points: functions called from the main guard (and from those, transitively).
  const work: FunctionInfo[] = [];
  for (const call of model.moduleCalls) {
    if (!call.scope.mainGuard) continue;
    const f = model.targetFunction(call);
    if (f && !f.kinds.has('entry')) {
      f.kinds.add('entry');
      work.push(f);
    }
  }
  for (const fn of model.functions) if (fn.kinds.has('entry') && !work.includes(fn)) work.push(fn);
  while (work.length > 0) {
    const f = work.pop()!;
    for (const call of f.calls) {
      checkTime();
      const g = model.targetFunction(call);
      if (g && !g.kinds.has('entry') && isPlain(g)) {
        g.kinds.add('entry');
        work.push(g);
      }
    }
  }
}

/** A call's arguments, materialised only for the few calls that need them (reading them costs node objects). */
function argsOf(call: CallInfo): (import('web-tree-sitter').Node | null)[] {
  return call.args?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
}

function markArg(model: ModuleModel, arg: import('web-tree-sitter').Node | null | undefined, kind: FunctionKind): FunctionInfo | undefined {
  if (!arg) return undefined;
  let f: FunctionInfo | undefined;
  if (arg.type === 'lambda') f = model.functionOf(arg);
  else {
    const fqn = model.resolve(arg);
    f = fqn ? model.functionsByFqn.get(fqn) : undefined;
    if (!f && arg.type === 'identifier') f = wrappedDef(model, arg);
  }
  f?.kinds.add(kind);
  return f;
}

/**
 * `step_one = DBOS.step()(step_one)`: the name is bound twice (the def and the registration), so it does not
 * resolve to one value; the function registered is the last def of that name before the call, in the same scope.
 */
function wrappedDef(model: ModuleModel, arg: import('web-tree-sitter').Node): FunctionInfo | undefined {
  const name = model.textOf(arg);
  const scope = model.scopeOf(arg);
  let best: FunctionInfo | undefined;
  for (const g of model.functions) {
    if (g.name !== name || g.parent !== scope.fn || (!scope.fn && g.cls !== (scope.cls ?? null)) || g.node.endIndex > arg.startIndex) continue;
    if (!best || g.node.startIndex > best.node.startIndex) best = g;
  }
  return best;
}

const DBOS_KINDS: FunctionKind[] = ['workflow', 'step', 'transaction', 'dstransaction', 'scheduled'];

/** Not a DBOS function (workflow, step, transaction). */
export function isPlain(fn: FunctionInfo): boolean {
  return !DBOS_KINDS.some((k) => fn.kinds.has(k));
}

export function isWorkflow(fn: FunctionInfo | null | undefined): boolean {
  return !!fn && (fn.kinds.has('workflow') || fn.kinds.has('scheduled'));
}

/** Step-like: steps, legacy transactions, datasource transactions (not workflows). */
export function isStepLike(fn: FunctionInfo | null | undefined): boolean {
  return !!fn && !isWorkflow(fn) && (fn.kinds.has('step') || fn.kinds.has('transaction') || fn.kinds.has('dstransaction'));
}
