// DBOS904: workflow inputs/outputs and step outputs that DBOS cannot serialize (pickle), from type
// annotations and from the arguments passed where DBOS records them.
// Step *inputs* are not recorded by DBOS (only the step's output is), so step parameters are not checked.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isStepLike, isWorkflow } from '../model/kinds';
import { argList, keywordArgument, positionalArgs } from '../syntax/arguments';
import { DBOS_START, workflowStart } from '../model/workflow-starts';

/** Annotation types whose instances do not pickle (`cannot pickle '...' object`). */
const TYPES = new Map<string, string>(
  Object.entries({
    'threading.Lock': 'a lock',
    'threading.RLock': 'a lock',
    'threading.Condition': 'a condition variable',
    'threading.Semaphore': 'a semaphore',
    'threading.BoundedSemaphore': 'a semaphore',
    'threading.Event': 'a threading event',
    'threading.Thread': 'a thread',
    'asyncio.Lock': 'an asyncio lock',
    'asyncio.Task': 'an asyncio task',
    'asyncio.Future': 'an asyncio future',
    'socket.socket': 'a socket',
    'sqlalchemy.orm.Session': 'a SQLAlchemy session',
    'sqlalchemy.orm.session.Session': 'a SQLAlchemy session',
    'sqlalchemy.orm.scoped_session': 'a SQLAlchemy session',
    'sqlalchemy.ext.asyncio.AsyncSession': 'a SQLAlchemy session',
    'sqlalchemy.Engine': 'a SQLAlchemy engine',
    'sqlalchemy.engine.Engine': 'a SQLAlchemy engine',
    'sqlalchemy.engine.base.Engine': 'a SQLAlchemy engine',
    'sqlalchemy.ext.asyncio.AsyncEngine': 'a SQLAlchemy engine',
    'sqlalchemy.Connection': 'a database connection',
    'sqlalchemy.engine.Connection': 'a database connection',
    'sqlalchemy.engine.base.Connection': 'a database connection',
    'sqlalchemy.ext.asyncio.AsyncConnection': 'a database connection',
    'sqlite3.Connection': 'a database connection',
    'sqlite3.Cursor': 'a database cursor',
    'psycopg.Connection': 'a database connection',
    'psycopg.AsyncConnection': 'a database connection',
    'psycopg.Cursor': 'a database cursor',
    'psycopg.AsyncCursor': 'a database cursor',
    'psycopg2.extensions.connection': 'a database connection',
    'psycopg2.extensions.cursor': 'a database cursor',
    'asyncpg.Connection': 'a database connection',
    'asyncpg.Pool': 'a connection pool',
    'httpx.Client': 'an HTTP client',
    'httpx.AsyncClient': 'an HTTP client',
    'aiohttp.ClientSession': 'an HTTP client session',
    'io.TextIOWrapper': 'an open file',
    'io.BufferedReader': 'an open file',
    'io.BufferedWriter': 'an open file',
    'io.BufferedRandom': 'an open file',
    'io.FileIO': 'an open file',
    'typing.Generator': 'a generator',
    'typing.AsyncGenerator': 'an async generator',
    'typing.AsyncIterator': 'an async iterator',
    'collections.abc.Generator': 'a generator',
    'collections.abc.AsyncGenerator': 'an async generator',
    'collections.abc.AsyncIterator': 'an async iterator',
    'concurrent.futures.ThreadPoolExecutor': 'an executor',
    'subprocess.Popen': 'a subprocess',
    'dbos.DBOSClient': 'a DBOS client',
  }),
);

/** Values (resolved FQNs of calls) that do not pickle. */
const VALUES = new Map<string, string>(
  Object.entries({
    'builtins.open()': 'an open file',
    'io.open()': 'an open file',
    'threading.Lock()': 'a lock',
    'threading.RLock()': 'a lock',
    'threading.Condition()': 'a condition variable',
    'threading.Semaphore()': 'a semaphore',
    'threading.Event()': 'a threading event',
    'threading.Thread()': 'a thread',
    'asyncio.Lock()': 'an asyncio lock',
    'asyncio.create_task()': 'an asyncio task',
    'asyncio.ensure_future()': 'an asyncio future',
    'socket.socket()': 'a socket',
    'socket.create_connection()': 'a socket',
    'sqlalchemy.create_engine()': 'a SQLAlchemy engine',
    'sqlalchemy.ext.asyncio.create_async_engine()': 'a SQLAlchemy engine',
    'sqlalchemy.orm.Session()': 'a SQLAlchemy session',
    'sqlite3.connect()': 'a database connection',
    'psycopg.connect()': 'a database connection',
    'psycopg2.connect()': 'a database connection',
    'httpx.Client()': 'an HTTP client',
    'httpx.AsyncClient()': 'an HTTP client',
    'aiohttp.ClientSession()': 'an HTTP client session',
    'concurrent.futures.ThreadPoolExecutor()': 'an executor',
    'subprocess.Popen()': 'a subprocess',
    'dbos.DBOSClient()': 'a DBOS client',
  }),
);

/** Generic wrappers whose arguments are the actual types. */
const WRAPPERS = /^(typing\.(Optional|Union|List|Dict|Tuple|Set|FrozenSet|Sequence|Mapping|Annotated)|builtins\.(list|dict|tuple|set|frozenset))$/;

/** What in an annotation does not pickle, if anything. */
function badType(ctx: RuleContext, node: Node | null | undefined, depth = 0): string | null {
  if (!node || depth > 6) return null;
  const { model } = ctx;
  switch (node.type) {
    case 'type':
      return badType(ctx, node.namedChildren[0], depth + 1);
    case 'identifier':
    case 'attribute': {
      const fqn = model.resolve(node);
      return fqn ? TYPES.get(fqn) ?? null : null;
    }
    case 'member_type': {
      // `threading.Lock` in a type context: resolve the head name, keep the rest
      const text = model.textOf(node).replace(/\s+/g, '');
      const head = node.descendantsOfType('identifier')[0];
      const base = head ? model.resolve(head) : null;
      if (!head || !base || !/^[\w.]+$/.test(text)) return null;
      return TYPES.get(base + text.slice(model.textOf(head).length)) ?? null;
    }
    case 'binary_operator': // X | None
      return badType(ctx, node.childForFieldName('left'), depth + 1) ?? badType(ctx, node.childForFieldName('right'), depth + 1);
    case 'union_type':
    case 'type_parameter':
      for (const c of node.namedChildren) {
        const r = badType(ctx, c, depth + 1);
        if (r) return r;
      }
      return null;
    case 'generic_type':
    case 'subscript': {
      const value = node.type === 'subscript' ? node.childForFieldName('value') : node.namedChildren[0];
      const fqn = value ? model.resolve(value) : null;
      if (fqn && TYPES.has(fqn)) return TYPES.get(fqn)!;
      if (!fqn || !WRAPPERS.test(fqn)) return null;
      const args = node.type === 'subscript' ? node.namedChildren.slice(1) : node.namedChildren.slice(1).flatMap((c) => (c ? c.namedChildren : []));
      const list = fqn === 'typing.Annotated' ? args.slice(0, 1) : args;
      for (const a of list) {
        const r = badType(ctx, a, depth + 1);
        if (r) return r;
      }
      return null;
    }
    default:
      return null;
  }
}

/** What an argument value is that does not pickle, if anything. */
function badValue(ctx: RuleContext, arg: Node, call: CallInfo): string | null {
  const { model } = ctx;
  if (arg.type === 'lambda') return 'a lambda';
  if (arg.type === 'generator_expression') return 'a generator';
  if (arg.type === 'keyword_argument') {
    const v = arg.childForFieldName('value');
    return v ? badValue(ctx, v, call) : null;
  }
  if (arg.type !== 'call' && arg.type !== 'identifier' && arg.type !== 'attribute') return null;
  const fqn = model.resolve(arg, call.scope);
  if (fqn) {
    const v = VALUES.get(fqn);
    if (v) return v;
    const f = arg.type === 'identifier' ? model.functionsByFqn.get(fqn) : undefined;
    if (f && !f.isLambda && f.qualname.includes('<locals>')) return 'a nested function';
    return null;
  }
  // `with open(path) as f:` binds `f` to the file
  if (arg.type === 'identifier') {
    const name = model.textOf(arg);
    for (const w of model.withs) {
      if (w.scope.fn !== call.scope.fn || !w.body || w.body.startIndex > arg.startIndex || w.body.endIndex < arg.endIndex) continue;
      for (const item of w.items) {
        if (item.target?.type === 'identifier' && model.textOf(item.target) === name) {
          const v = VALUES.get(model.resolve(item.value, w.scope) ?? '');
          if (v) return v;
        }
      }
    }
  }
  return null;
}

/** DBOS methods that record one of their arguments: [index, keyword, what]. */
const RECORDED: Record<string, [number, string, string]> = {
  'dbos.DBOS.send': [1, 'message', 'message'],
  'dbos.DBOS.send_async': [1, 'message', 'message'],
  'dbos.DBOS.set_event': [1, 'value', 'event value'],
  'dbos.DBOS.set_event_async': [1, 'value', 'event value'],
  'dbos.DBOS.write_stream': [1, 'value', 'stream value'],
  'dbos.DBOS.write_stream_async': [1, 'value', 'stream value'],
};

const WHY =
  'DBOS pickles it to checkpoint it and fails with `TypeError: cannot pickle ...` (or `PicklingError`)';

function isYielding(ctx: RuleContext, fn: FunctionInfo): boolean {
  if (!fn.body || !ctx.model.textHas(fn.body, 'yield')) return false;
  for (const n of fn.body.descendantsOfType(['yield'])) if (n && ctx.model.scopeOf(n).fn === fn) return true;
  return false;
}

function checkSignature(ctx: RuleContext, fn: FunctionInfo): void {
  const { model } = ctx;
  const workflow = isWorkflow(fn);
  if (!workflow && !isStepLike(fn)) return;
  if (workflow) {
    for (const p of fn.node.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p || (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter')) continue;
      // `*args: Lock` is unusual; `**kwargs` likewise: checked the same way
      const what = badType(ctx, p.childForFieldName('type'));
      if (!what) continue;
      ctx.report({
        node: p,
        message:
          `Workflow \`${fn.name}\` takes ${what} (\`${model.textOf(p)}\`)\nDBOS records workflow inputs when the workflow starts, and ${WHY}. ` +
          'Pass identifiers or plain data and create the resource inside the step that uses it.',
      });
    }
  }
  const ret = fn.node.childForFieldName('return_type');
  // a generator workflow/step is DBOS215's finding
  if (!ret || isYielding(ctx, fn)) return;
  const what = badType(ctx, ret);
  if (!what) return;
  const kind = workflow ? 'Workflow' : 'Step';
  ctx.report({
    node: ret,
    message:
      `${kind} \`${fn.name}\` returns ${what} (\`${model.textOf(ret)}\`)\nDBOS records the ${workflow ? 'workflow' : 'step'}'s output, and ${WHY}` +
      `${workflow ? '' : ' after the step has already run, so its effect is not recorded and is repeated on recovery'}. Return plain data instead.`,
  });
}

/** The arguments of a call that DBOS records as workflow inputs (or as a message/event/stream value). */
function recordedArgs(ctx: RuleContext, call: CallInfo): { args: Node[]; what: string } | null {
  const { model } = ctx;
  const fqn = model.calleeFqn(call);
  const rec = fqn ? RECORDED[fqn] : undefined;
  if (rec) {
    const v = positionalArgs(call)[rec[0]] ?? keywordArgument(model, call, rec[1]);
    return v ? { args: [v], what: rec[2] } : null;
  }
  const start = workflowStart(model, call);
  if (!start) return null;
  const all = argList(call);
  if (call.args && call.args.type === 'generator_expression') return start.kind === 'direct' ? { args: [call.args], what: 'workflow input' } : null;
  switch (start.kind) {
    case 'direct':
      return { args: all, what: 'workflow input' };
    case 'start':
      return DBOS_START.has(fqn ?? '') ? { args: all.slice(1), what: 'workflow input' } : null;
    case 'enqueue':
      return /enqueue_workflow(_async)?$/.test(fqn ?? '') ? { args: all.slice(2), what: 'workflow input' } : { args: all.slice(1), what: 'workflow input' };
    case 'queue':
      return { args: all.slice(1), what: 'workflow input' };
    case 'debounce':
      return { args: all.slice(2), what: 'workflow input' };
  }
  return null;
}

export const rule: Rule = {
  code: 'DBOS904',
  requires: ['workflow', 'step', 'transaction', 'send', 'set_event', 'write_stream', 'enqueue'],
  check(ctx) {
    const { model } = ctx;
    // a custom serializer may handle what pickle cannot
    if (/\bserializer\b/.test(model.text)) return;
    for (const fn of model.functions) {
      if (fn.decorators.length > 0 && model.expectsFailure(fn.statement)) continue;
      checkSignature(ctx, fn);
    }
    for (const call of model.calls) {
      const rec = recordedArgs(ctx, call);
      if (!rec || !call.args || model.expectsFailure(call.node)) continue;
      for (const arg of rec.args) {
        if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') continue;
        const what = badValue(ctx, arg, call);
        if (!what) continue;
        ctx.report({
          node: arg,
          message:
            `${what[0].toUpperCase()}${what.slice(1)} is passed as a ${rec.what} to \`${model.textOf(call.callee)}\`, which DBOS cannot pickle\n` +
            `\`${model.textOf(arg).split('\n')[0]}\` is ${what}: ${WHY}. ` +
            'Pass identifiers or plain data and create the resource where it is used.',
        });
      }
    }
  },
};
