// Name resolution in the module model: the qualified name an expression refers to, after every
// import, alias, assignment and `self.attr` of the file, with the caches that make it cheap.
import type { Node } from 'web-tree-sitter';
import { DBOS_PUBLIC_NAMES, PY_BUILTINS } from './names';
import { factoryDecorator, type FactoryReader } from './decorator-factories';
import { DeclaredTypes, DOTTED } from './declared-types';
import type { ModuleModel } from './module';
import type { Binding, ClassInfo, FunctionInfo, Scope, ScopeInfo } from './types';
import { reachingBindings } from './reaching';
import { checkTime } from '../budget';
import { InjectedCallables, enclosingDef, enclosingMethod } from './injected-callables';
import { fluentType, pathInstance } from './fluent-types';

const UNBOUND_FALLBACK = new Map<string, string>([
  ...[...DBOS_PUBLIC_NAMES].filter((n) => n !== 'error').map((n): [string, string] => [n, `dbos.${n}`]),
  ...['time', 'random', 'uuid', 'os', 'asyncio', 'threading', 'subprocess', 'secrets', 'socket', 'requests', 'httpx', 'aiohttp', 'shutil', 'sqlite3', 'psycopg', 'psycopg2', 'concurrent', 'multiprocessing', 'pytest'].map(
    (n): [string, string] => [n, n],
  ),
  ['datetime', 'datetime.datetime'],
  ['date', 'datetime.date'],
]);

const MAX_RESOLVE_DEPTH = 24;

/** `self.name` or `cls.name` (group 2: the name), spaces and line breaks around the dot allowed. */
export const SELF_ATTR = /^(self|cls)\s*\.\s*([A-Za-z_]\w*)$/;

/** Resolves the names of one model; owned by the model, which answers `resolve` through it. */
export class Resolver {
  /** Resolutions by node id, each with the scope it was resolved in (a caller may name another scope than the node's). */
  private readonly resolveCache = new Map<number, { scope: Scope; ownScope: boolean; result: string | null }>();
  private lookupCacheOn = false;
  private readonly lookupCache = new Map<FunctionInfo | ClassInfo | null, Map<string, { result: string | null; need: number }>>();
  /** Deepest resolveIn depth reached so far, and how often the depth limit cut a resolution short. */
  private deepest = 0;
  private cutoffs = 0;
  private readonly factories = new Map<FunctionInfo, string | null>();
  /** `reachedValue`'s answers, each with how deep its resolution went (see `lookup`). */
  private readonly reachedCache = new Map<Binding, { result: string | null; need: number }>();
  /** The bindings whose values are being resolved (a value that reaches its own binding is unknown). */
  private readonly binding = new Set<Binding>();
  private readonly externals = new Map<string, string>();
  /** The declared and inferred types of the module's names (annotations, returns). */
  private readonly types: DeclaredTypes;
  /** Functions passed by reference and called later, followed to their defaults. */
  private readonly injected: InjectedCallables;

  constructor(
    private readonly m: ModuleModel,
    private readonly externalName?: (fqn: string) => string | null,
  ) {
    this.types = new DeclaredTypes(m, {
      resolveIn: (node, scope, depth) => this.resolveIn(node, scope, depth),
      resolveDottedIn: (text, scope, depth) => this.resolveDottedIn(text, scope, depth),
    });
    this.injected = new InjectedCallables(m, {
      resolveIn: (node, scope, depth) => this.resolveIn(node, scope, depth),
      resolve: (node, scope) => this.resolve(node, scope),
    });
  }

  /** See ModuleModel.injectedAt. */
  injectedAt(callee: Node, scope: Scope): Node | null {
    return this.injected.injectedAt(callee, scope);
  }

  /** See ModuleModel.returnedInstance. */
  returnedInstance(fn: FunctionInfo): string | null {
    return this.types.returnedInstance(fn);
  }

  /** See ModuleModel.returnedInstances. */
  returnedInstances(fn: FunctionInfo): string[] {
    return this.types.returnedInstances(fn);
  }


  /**
   * The qualified name an expression refers to: `time.sleep`, `dbos.DBOS.workflow`,
   * `requests.Session()` for an instance, `app.helpers.load` for a local function. Null when unknown.
   * `scope` defaults to the scope of the node.
   */
  resolve(node: Node | null | undefined, scope?: Scope, type?: string): string | null {
    if (!node) return null;
    const cached = this.resolveCache.get(node.id);
    if (cached !== undefined && (scope ? sameScope(cached.scope, scope) : cached.ownScope)) return cached.result;
    const within = scope ?? this.m.scopeOf(node);
    const found = this.resolveIn(node, within, 0, type);
    const result = found && fluentType(found);
    this.resolveCache.set(node.id, { scope: within, ownScope: !scope, result });
    return result;
  }

  /** `type`: the node's type when the caller knows it (reading it from the tree costs a call into wasm). */
  private resolveIn(node: Node, scope: Scope, depth: number, knownType?: string): string | null {
    checkTime();
    if (depth > this.deepest) this.deepest = depth;
    if (depth > MAX_RESOLVE_DEPTH) {
      this.cutoffs++;
      return null;
    }
    const type = knownType ?? node.type;
    if (type === 'attribute' || type === 'identifier') {
      // the common case, a dotted name, is resolved from the text without walking the tree
      const text = this.m.textOf(node);
      if (DOTTED.test(text)) return this.resolveDottedIn(text, scope, depth, node.startIndex);
    }
    switch (type) {
      case 'identifier':
        return this.lookup(this.m.textOf(node), scope, depth, node.startIndex);
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (!obj || !attr) return null;
        const selfAttr = obj.type === 'identifier' ? this.resolveSelfAttribute(this.m.textOf(obj), this.m.textOf(attr), scope, depth) : undefined;
        if (selfAttr !== undefined) return selfAttr;
        // `super().run`: the method of the first base class that has it
        if (obj.type === 'call' && SUPER_CALL.test(this.m.textOf(obj))) {
          const cls = enclosingMethod(scope)?.cls;
          return cls ? this.inheritedMember(cls, this.m.textOf(attr), depth) : null;
        }
        const base = this.resolveIn(obj, scope, depth + 1);
        if (!base) return null;
        return this.injected.instanceMember(base, this.m.textOf(attr), depth) ?? `${base}.${this.m.textOf(attr)}`;
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        if (!fn) return null;
        const f = this.resolveIn(fn, scope, depth + 1);
        // a function of this module (or a method called on `self`) annotated with what it returns
        const own = f ? this.m.functionsByFqn.get(f) : this.selfMethod(fn, scope);
        const returned = own ? this.types.returnedInstance(own) : null;
        if (returned) return returned;
        if (!f) return null;
        if (f === 'dbos.DBOS') return 'dbos.DBOS'; // the DBOS instance behaves like the class
        if (f === 'asyncio.run') {
          const arg = node.childForFieldName('arguments')?.namedChildren[0];
          return arg ? this.resolveIn(arg, scope, depth + 1) : null;
        }
        return f + '()';
      }
      case 'await':
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.resolveIn(inner, scope, depth + 1) : null;
      }
      case 'assignment': {
        const right = node.childForFieldName('right');
        return right ? this.resolveIn(right, scope, depth + 1) : null;
      }
      case 'binary_operator': {
        // `base / "name"` with `base` a path is a path
        const left = node.childForFieldName('left');
        const op = node.childForFieldName('operator');
        if (!left || !op || this.m.textOf(op) !== '/') return null;
        const base = this.resolveIn(left, scope, depth + 1);
        return base && pathInstance(base);
      }
      case 'conditional_expression': {
        // `Store() if Store else None` (an optional import): the value, the None placeholder left out;
        // two real values must agree, as for a name bound twice
        const [a, , b] = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        if (!a || !b) return null;
        if (b.type === 'none') return this.resolveIn(a, scope, depth + 1);
        if (a.type === 'none') return this.resolveIn(b, scope, depth + 1);
        const r = this.resolveIn(a, scope, depth + 1);
        return r !== null && r === this.resolveIn(b, scope, depth + 1) ? r : null;
      }
      case 'boolean_operator': {
        // `clock or time.time` with `clock` a parameter: what runs unless a caller injects another
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right || left.type !== 'identifier' || !/^\s*or\b/.test(this.m.text.slice(left.endIndex, right.startIndex))) return null;
        return scope.fn?.params.includes(this.m.textOf(left)) ? this.resolveIn(right, scope, depth + 1) : null;
      }
      default:
        return null;
    }
  }

  /**
   * `self.attr` inside a method: the annotation of an assignment that declares it
   * (`self.attr: T = ...`), else the name every `self.attr = <value>` of the class (in any method)
   * resolves to, `None` placeholders left out. undefined: not a `self` attribute.
   */
  private resolveSelfAttribute(objName: string, attr: string, scope: Scope, depth: number): string | null | undefined {
    let method: FunctionInfo | null = scope.fn;
    while (method && !method.cls) method = method.parent;
    if (!method?.cls || method.params[0] !== objName) return undefined;
    if (method.decorators.some((d) => /^(builtins\.)?staticmethod$/.test(d.fqn ?? this.m.textOf(d.expr)))) return undefined;
    // declared in the class body (`session: Session`, a dataclass field): the declared type wins;
    // a declared callable (`clock: Callable[[], datetime] = datetime.now`) is its default
    const declared = method.cls.declared.get(attr);
    if (declared !== undefined) return this.types.annotatedInstance(declared, method, depth + 1) ?? this.injected.default(method.cls, attr, depth);
    const bindings = method.cls.selfAttrs.get(attr);
    if (!bindings) {
      // a method the class inherits (`self.run()` with `run` defined by a base class)
      if (method.cls.methods.some((m) => m.name === attr)) return undefined;
      return this.injected.default(method.cls, attr, depth) ?? this.inheritedMember(method.cls, attr, depth) ?? undefined;
    }
    // a declared type wins (`self.pool: asyncpg.Pool | None = None`), as in a type checker
    for (const b of bindings) {
      const assignment = b.node.parent;
      const type = assignment?.type === 'assignment' ? assignment.childForFieldName('type') : null;
      if (!type) continue;
      const f = this.m.functionOf(enclosingDef(b.node)!);
      return f ? this.types.annotatedInstance(this.m.textOf(type), f, depth + 1) : null;
    }
    let result: string | null | undefined;
    let injected = false;
    for (const b of bindings) {
      // `self.client = None` until a method sets the real value: the placeholder says nothing
      if (b.value?.type === 'none') continue;
      const f = this.m.functionOf(enclosingDef(b.node)!);
      const r = b.value && f ? this.resolveIn(b.value, { fn: f, cls: null, mainGuard: false }, depth + 1) : null;
      if (r === null || (result !== undefined && result !== r)) return null;
      result = r;
      // `self.clock = clock or time.time`, `self.sleeper = sleeper` (a parameter's default): injected
      if (b.value && f && this.injected.defaultNode(b.value, { fn: f, cls: null, mainGuard: false })) injected = true;
    }
    return injected && this.injected.overridden(method.cls, attr) ? null : (result ?? null);
  }





  /**
   * The qualified name of the member `name` that `cls` inherits: the method of the first base (in
   * order, depth first) of this module that defines it, or `<base>.<name>` for a base class of the
   * project defined in another module (the workspace index finds it there). Null when no base is
   * known to define it (a library base, an unresolved base).
   */
  inheritedMember(cls: ClassInfo, name: string, depth: number, seen = new Set<ClassInfo>()): string | null {
    if (seen.has(cls) || depth > MAX_RESOLVE_DEPTH) return null;
    seen.add(cls);
    const around: Scope = { fn: cls.parentFunction, cls: null, mainGuard: false };
    for (const b of cls.bases) {
      const fqn = this.resolveIn(b, around, depth + 1);
      if (!fqn) continue;
      const local = this.m.classes.find((c) => c.fqn === fqn);
      if (local) {
        const own = local.methods.find((m) => m.name === name);
        if (own) return own.fqn;
        const up = this.inheritedMember(local, name, depth + 1, seen);
        if (up) return up;
        continue;
      }
      if (!LIBRARY_BASE.test(fqn) && !fqn.endsWith('()')) return `${fqn}.${name}`;
    }
    return null;
  }

  /**
   * A function whose call gives a DBOS decorator (`def dbos_step(**kw): return DBOS.step(**kw)`, or a
   * wrapping factory, see `factoryDecorator`): calling it is calling that decorator, so a name bound to
   * it (or a class's method that is one, `Durable.workflow`) resolves to the decorator's name.
   */
  apiFactory(fn: FunctionInfo): string | null {
    let hit = this.factories.get(fn);
    if (hit === undefined) {
      this.factories.set(fn, null); // a factory whose decorator resolves through itself
      hit = factoryDecorator(fn, this.factoryReader);
      this.factories.set(fn, hit);
    }
    return hit;
  }

  private readonly factoryReader: FactoryReader = {
    textOf: (node) => this.m.textOf(node),
    resolveIn: (node, scope) => this.resolveIn(node, scope, 1),
    nested: (fn) => this.m.functions.filter((f) => f.parent === fn),
  };

  /** The workspace index's answers about names of other modules, so far (qualified name: what it denotes). */
  externalAnswers(): ReadonlyMap<string, string> {
    return new Map(this.externals);
  }

  /** What `external` answers for a name now (asks the index if it was not asked yet). */
  externalAnswer(fqn: string): string {
    return this.external(fqn);
  }

  /**
   * What a project name imported here denotes when the workspace index knows it to be a DBOS API
   * re-exported under another name (`from app._runtime import dbos_step`); the name itself otherwise.
   */
  private external(fqn: string): string {
    if (!this.externalName || fqn.startsWith('dbos.') || !fqn.includes('.')) return fqn;
    let hit = this.externals.get(fqn);
    if (hit === undefined) this.externals.set(fqn, (hit = this.externalName(fqn) ?? fqn));
    return hit;
  }

  /**
   * A module variable bound only to `None` at module level, read in a function that declares it
   * `global` and sets it (the lazy getter: `if _client is None: _client = OpenAI()`, then
   * `return _client`): what that function sets, when its values agree (other `None`s aside). Only
   * the function's own assignments count: its facts then depend on its own text alone.
   */
  private setThroughGlobal(owner: FunctionInfo, name: string, depth: number): string | null {
    const atModule = this.m.module.bindings.get(name);
    if (!atModule || this.m.module.imports.has(name) || atModule.some((b) => b.value?.type !== 'none')) return null;
    let result: string | null = null;
    for (const b of owner.bindings.get(name) ?? []) {
      if (!b.value || b.value.type === 'none') continue;
      const r = this.resolveIn(b.value, { fn: owner, cls: null, mainGuard: false }, depth + 1);
      if (!r || (result !== null && result !== r)) return null;
      result = r;
    }
    return result;
  }

  /** `self.name` (or `cls.name`) in a method, where the class defines the method `name`. */
  private selfMethod(callee: Node, scope: Scope): FunctionInfo | undefined {
    if (callee.type !== 'attribute') return undefined;
    const m = SELF_ATTR.exec(this.m.textOf(callee));
    const method = m ? enclosingMethod(scope) : null;
    if (!m || !method?.cls || method.params[0] !== m[1]) return undefined;
    return method.cls.methods.find((x) => x.name === m[2]);
  }

  /**
   * From now on, remember lookups. Called once the decorators' names are resolved (resolution
   * reads them, for `@staticmethod`): nothing that lookups read changes after that.
   */
  cacheLookups(): void {
    this.lookupCacheOn = true;
  }

  /**
   * The qualified name a dotted name written in `scope` refers to, from its text (`a.b.c`, spaces
   * around dots allowed): what `resolve` gives for an identifier or attribute node with this text.
   * Null when the text is not a plain dotted name.
   */
  resolveDotted(text: string, scope: Scope): string | null | undefined {
    if (!DOTTED.test(text)) return undefined;
    return this.resolveDottedIn(text, scope, 0);
  }

  /** `at`: where the name is used, when the text is a node's (a local name's binding that reaches it is followed). */
  private resolveDottedIn(text: string, scope: Scope, depth: number, at?: number): string | null {
    // most names are a single identifier: no parts to split and join
    if (!text.includes('.')) return this.lookup(text.trim(), scope, depth, at);
    const parts = text.split('.').map((p) => p.trim());
    if (parts.length > 1) {
      const selfAttr = this.resolveSelfAttribute(parts[0], parts[1], scope, depth);
      if (selfAttr !== undefined) return selfAttr === null ? null : [selfAttr, ...parts.slice(2)].join('.');
    }
    const head = this.lookup(parts[0], scope, depth, at);
    if (head === null) return null;
    const full = `${head}.${parts.slice(1).join('.')}`;
    // an instance's injected callable (`c.clock` with `c: Clocked`)
    const member = this.injected.instanceMember(head, parts[1], depth);
    if (member) return [member, ...parts.slice(2)].join('.');
    // a method of a class of this module that makes DBOS decorators (`Durable.workflow`)
    if (parts.length !== 2) return full;
    const method = this.m.functionsByFqn.get(full);
    if (method) return (method.cls && this.apiFactory(method)) || full;
    // a member of a name of another project module that the index knows to be a DBOS API
    // (`Durable.workflow` with `from app.durable import Durable`, `runtime.dbos_step`)
    return head.startsWith('dbos.') ? full : this.external(full);
  }

  /**
   * `lookupUncached`, remembered per scope and name once the model is complete (`remembered`); a
   * use at `at` of a name bound several times in its own function first gets the value of the
   * bindings that reach it (`reachingValue`).
   */
  private lookup(name: string, scope: Scope, depth: number, at?: number): string | null {
    if (at !== undefined) {
      const reached = this.reachingValue(name, scope, depth, at);
      if (reached !== undefined) return reached;
    }
    const key = !this.lookupCacheOn ? undefined : scope.cls ? (scope.fn ? undefined : scope.cls) : scope.fn;
    if (key === undefined) return this.lookupUncached(name, scope, depth);
    let byName = this.lookupCache.get(key);
    if (!byName) this.lookupCache.set(key, (byName = new Map()));
    return this.remembered(byName, name, depth, () => this.lookupUncached(name, scope, depth));
  }

  /**
   * `compute`'s answer, kept in `cache` under `key`. An answer is reused only at depths where
   * computing it again could not reach the depth limit either (it records how deep its own
   * resolution went), and one that met a cut-off is not kept, so results are the same as without it.
   */
  private remembered<K>(cache: Map<K, { result: string | null; need: number }>, key: K, depth: number, compute: () => string | null): string | null {
    const hit = cache.get(key);
    if (hit && depth + hit.need <= MAX_RESOLVE_DEPTH) {
      if (depth + hit.need > this.deepest) this.deepest = depth + hit.need;
      return hit.result;
    }
    const outerDeepest = this.deepest;
    const outerCutoffs = this.cutoffs;
    this.deepest = depth;
    const result = compute();
    if (this.cutoffs === outerCutoffs) cache.set(key, { result, need: this.deepest - depth });
    if (outerDeepest > this.deepest) this.deepest = outerDeepest;
    return result;
  }

  private lookupUncached(name: string, scope: Scope, depth: number): string | null {
    for (let f = scope.fn; f; f = f.parent) {
      if (f.globals.has(name)) {
        // `global _client` in a lazy getter that sets it
        const set = this.setThroughGlobal(f, name, depth);
        if (set) return set;
        break;
      }
      const hit = this.lookupIn(f, name, { fn: f, cls: null, mainGuard: false }, depth);
      if (hit !== undefined) return hit;
    }
    if (scope.cls) {
      const m = scope.cls.methods.find((x) => x.name === name);
      if (m) return m.fqn;
    }
    const hit = this.lookupIn(this.m.module, name, { fn: null, cls: null, mainGuard: false }, depth);
    if (hit !== undefined) return hit;
    if (DBOS_PUBLIC_NAMES.has(name) && this.m.starImports.includes('dbos')) return `dbos.${name}`;
    if (PY_BUILTINS.has(name)) return `builtins.${name}`;
    // A name bound nowhere in the file: a snippet that left out its imports. Python would raise
    // NameError unless it is the well-known module or DBOS name it looks like.
    if (this.m.starImports.length === 0) return UNBOUND_FALLBACK.get(name) ?? null;
    return null;
  }

  /**
   * What a name bound several times in the function (or at module level) around its use holds there:
   * the values of the bindings that reach the use (`model/reaching.ts`), `None` placeholders left out,
   * when they agree (or form the optional-dependency pattern). Undefined when the name is not bound
   * several times there, or when every binding may reach the use, or only `None`s do: then the
   * answer is the one for all the bindings (`lookupIn`).
   */
  private reachingValue(name: string, scope: Scope, depth: number, at: number): string | null | undefined {
    const fn = scope.fn;
    if (fn ? fn.isLambda || !fn.body || fn.globals.has(name) || fn.nonlocals.has(name) : scope.cls) return undefined;
    const owner: ScopeInfo = fn ?? this.m.module;
    const bindings = owner.bindings.get(name);
    if (!bindings || bindings.length < 2 || owner.imports.has(name)) return undefined;
    const reaching = reachingBindings(this.m, owner, fn ? fn.body! : this.m.root, name, at);
    if (!reaching || reaching.length === bindings.length) return undefined;
    const own: Scope = { fn, cls: null, mainGuard: false };
    const values: string[] = [];
    for (const b of reaching) {
      const r = this.reachedValue(b, own, depth);
      if (r === null) return null;
      if (r !== NONE) values.push(r);
    }
    if (values.length === 0) return undefined;
    return values.every((v) => v === values[0]) ? values[0] : this.optionalDependency(values);
  }

  /** `bindingValue` for a binding that reaches a use, remembered like `lookup`'s answers (each use asks again). */
  private reachedValue(b: Binding, scope: Scope, depth: number): string | null {
    if (!this.lookupCacheOn) return this.bindingValue(b, scope, depth);
    return this.remembered(this.reachedCache, b, depth, () => this.bindingValue(b, scope, depth));
  }

  /**
   * What one binding binds its name to (`NONE` for the `None` literal), resolved in the scope that
   * binds it. A binding whose value reaches itself (`x = x.next()` in a loop) is unknown there.
   */
  private bindingValue(b: Binding, scope: Scope, depth: number): string | null {
    checkTime();
    if (this.binding.has(b)) {
      this.cutoffs++; // an answer that met the cycle is not remembered
      return null;
    }
    this.binding.add(b);
    try {
      const valueType = b.value?.type;
      if (!b.value) {
        const r = b.annotation ? this.types.annotatedInstance(b.annotation, scope.fn, depth + 1) : b.element ? this.types.tupleElement(b.element, scope, depth + 1) : null;
        // `now=time.time`: the function the parameter holds unless a caller passes another
        return r === null && b.defaultRef && scope.fn ? this.injected.parameterDefault(scope.fn, b.defaultRef, depth) : r;
      }
      if (valueType === 'function_definition' || valueType === 'class_definition') {
        const fn = this.m.functionOf(b.value);
        return fn ? (this.apiFactory(fn) ?? fn.fqn) : (this.m.classes.find((c) => c.node.id === b.value!.id)?.fqn ?? null);
      }
      if (valueType === 'none') return NONE;
      return this.resolveIn(b.value, scope, depth + 1, valueType);
    } finally {
      this.binding.delete(b);
    }
  }

  /** undefined: not bound here; null: bound to something unknown. */
  private lookupIn(info: ScopeInfo, name: string, scope: Scope, depth: number): string | null | undefined {
    const imp = info.imports.get(name);
    const bindings = info.bindings.get(name);
    if (!bindings) return imp === undefined ? imp : this.external(imp);
    let result: string | null | undefined;
    let agree = true;
    const seen: string[] = [];
    for (const b of bindings) {
      const r = this.bindingValue(b, scope, depth);
      // stop at the first value that settles it (each binding's resolution can be deep)
      if (r === null) return null;
      seen.push(r);
      if (result === undefined) result = r;
      else if (result !== r) agree = false;
      if (!agree && !seen.every((v) => this.standIn(v))) return null;
    }
    // `except ImportError: DBOS = None` beside the import: the import is what the code uses
    if (agree) return result === NONE ? (imp === undefined ? null : this.external(imp)) : (result ?? null);
    return this.optionalDependency(imp === undefined ? seen : [this.external(imp), ...seen]);
  }





  /**
   * The optional-dependency pattern: `try: from dbos import DBOS` / `except ImportError: DBOS = None`,
   * or `dbos_step = DBOS.step if ... else <identity decorator>`. When exactly one of a name's values is
   * a DBOS name and every other one is `None` or a function of this module (a stand-in), the name
   * denotes that DBOS name; otherwise it is unknown.
   */
  /** A value the optional-dependency pattern can hold: a DBOS name, `None`, a function of this module. */
  private standIn(v: string): boolean {
    return v === NONE || v.startsWith('dbos.') || v.startsWith(this.m.moduleName + '.');
  }

  private optionalDependency(values: (string | null)[]): string | null {
    let dbos: string | null = null;
    const local = this.m.moduleName + '.';
    for (const v of values) {
      if (v !== null && v.startsWith('dbos.')) {
        if (dbos !== null && dbos !== v) return null;
        dbos = v;
      } else if (v !== NONE && (v === null || !v.startsWith(local))) return null;
    }
    return dbos;
  }
}

/** The value of a binding to the `None` literal, while bindings are compared. */
const NONE = '\0None';

/** `super()` or `super(Cls, self)`. */
const SUPER_CALL = /^super\s*\(\s*(?:[A-Za-z_][\w.]*\s*,\s*[A-Za-z_]\w*\s*)?\)$/;

/** Bases whose members are not the project's code: not looked up in other modules. */
const LIBRARY_BASE = /^(builtins|typing|typing_extensions|abc|enum|dbos|pydantic|collections|dataclasses)(\.|$)/;


function sameScope(a: Scope, b: Scope): boolean {
  return a.fn === b.fn && a.cls === b.cls && a.mainGuard === b.mainGuard;
}

