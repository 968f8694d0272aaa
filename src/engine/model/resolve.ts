// Name resolution in the module model: the qualified name an expression refers to, after every
// import, alias, assignment and `self.attr` of the file, with the caches that make it cheap.
import type { Node } from 'web-tree-sitter';
import { DBOS_PUBLIC_NAMES, PY_BUILTINS } from './names';
import { soleReturnedCall } from '../syntax/statements';
import type { ModuleModel } from './module';
import type { ClassInfo, FunctionInfo, Scope, ScopeInfo } from './types';
import { checkTime } from '../budget';
import { parentOf } from '../syntax/enclosing';

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
/** A dotted name, as text: `a`, `a.b.c` (spaces and line breaks around dots allowed). */
const DOTTED = /^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*$/;

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
  /** What a call of each function gives (`returnedInstance`), once asked. */
  private readonly returned = new Map<FunctionInfo, string | null>();
  private readonly externals = new Map<string, string>();

  constructor(
    private readonly m: ModuleModel,
    private readonly externalName?: (fqn: string) => string | null,
  ) {}

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
    const result = this.resolveIn(node, within, 0, type);
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
      if (DOTTED.test(text)) return this.resolveDottedIn(text, scope, depth);
    }
    switch (type) {
      case 'identifier':
        return this.lookup(this.m.textOf(node), scope, depth);
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
        return base ? `${base}.${this.m.textOf(attr)}` : null;
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        if (!fn) return null;
        const f = this.resolveIn(fn, scope, depth + 1);
        // a function of this module (or a method called on `self`) annotated with what it returns
        const own = f ? this.m.functionsByFqn.get(f) : this.selfMethod(fn, scope);
        const returned = own ? this.returnedInstance(own) : null;
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
    // declared in the class body (`session: Session`, a dataclass field): the declared type wins
    const declared = method.cls.declared.get(attr);
    if (declared !== undefined) return this.annotatedInstance(declared, method, depth + 1);
    const bindings = method.cls.selfAttrs.get(attr);
    if (!bindings) {
      // a method the class inherits (`self.run()` with `run` defined by a base class)
      if (method.cls.methods.some((m) => m.name === attr)) return undefined;
      return this.inheritedMember(method.cls, attr, depth) ?? undefined;
    }
    // a declared type wins (`self.pool: asyncpg.Pool | None = None`), as in a type checker
    for (const b of bindings) {
      const assignment = b.node.parent;
      const type = assignment?.type === 'assignment' ? assignment.childForFieldName('type') : null;
      if (!type) continue;
      const f = this.m.functionOf(enclosingDef(b.node)!);
      return f ? this.annotatedInstance(this.m.textOf(type), f, depth + 1) : null;
    }
    let result: string | null | undefined;
    for (const b of bindings) {
      // `self.client = None` until a method sets the real value: the placeholder says nothing
      if (b.value?.type === 'none') continue;
      const f = this.m.functionOf(enclosingDef(b.node)!);
      const r = b.value && f ? this.resolveIn(b.value, { fn: f, cls: null, mainGuard: false }, depth + 1) : null;
      if (r === null || (result !== undefined && result !== r)) return null;
      result = r;
    }
    return result ?? null;
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
   * A function whose body only returns a DBOS decorator (`def dbos_step(**kw): return DBOS.step(**kw)`):
   * calling it is calling that decorator, so a name bound to it resolves to the decorator's name.
   */
  apiFactory(fn: FunctionInfo): string | null {
    let hit = this.factories.get(fn);
    if (hit === undefined) {
      hit = null;
      // read the body only when its text can return a DBOS decorator
      const body = fn.body;
      const call = fn.isLambda || !body || !DECORATOR_CALL.test(this.m.textOf(body)) ? null : soleReturnedCall(body);
      if (call) {
        const callee = call.childForFieldName('function');
        const r = callee ? this.resolveIn(callee, { fn, cls: null, mainGuard: false }, 1) : null;
        if (r && DBOS_DECORATORS.has(r)) hit = r;
      }
      this.factories.set(fn, hit);
    }
    return hit;
  }

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
   * What a parameter annotated `text` holds: an instance of the class the annotation names, in the
   * form an assignment `x = Cls()` gives (`requests.Session()`; `dbos.DBOS` for DBOS itself). Plain
   * dotted names, `Optional[X]`, `Union[X, None]`, `X | None`, `Annotated[X, ...]` and a string
   * `"X"`; null for anything else (several classes, other generics, unknown names). `fn` is the
   * function whose parameter it is: the annotation is read in the scope around its definition.
   */
  private annotatedInstance(text: string, fn: FunctionInfo | null, depth: number): string | null {
    if (!fn) return null;
    const scope: Scope = { fn: fn.parent, cls: fn.cls, mainGuard: false };
    let t: string | null = text.trim();
    for (let hops = 0; t && hops < 6; hops++) {
      const quoted = /^(["'])([^"']*)\1$/.exec(t);
      if (quoted) {
        t = quoted[2].trim();
        continue;
      }
      const union = splitTopLevel(t, '|');
      if (union.length > 1) {
        t = oneNotNone(union);
        continue;
      }
      const generic = /^([A-Za-z_][\w.\s]*?)\s*\[([\s\S]*)\]$/.exec(t);
      if (generic) {
        const head = this.resolveDottedIn(generic[1].trim(), scope, depth);
        const args = splitTopLevel(generic[2], ',');
        if (head && OPTIONAL.has(head) && args.length === 1) t = args[0];
        else if (head && UNION.has(head)) t = oneNotNone(args);
        else if (head && ANNOTATED.has(head)) t = args[0];
        else return null;
        continue;
      }
      if (!DOTTED.test(t) || t === 'None') return null;
      const cls = this.resolveDottedIn(t, scope, depth);
      if (!cls) return null;
      return cls === 'dbos.DBOS' ? cls : cls + '()';
    }
    return null;
  }

  /**
   * A name unpacked from the call of a function of this module annotated `-> tuple[A, B]`
   * (`instance, kwargs = bind(...)`): an instance of the class at its position, as for an annotated
   * parameter. Null for anything else (another module's function, `tuple[A, ...]`, no annotation).
   */
  private tupleElement(element: { value: Node; index: number }, scope: Scope, depth: number): string | null {
    let call: Node | null = element.value;
    if (call.type === 'await') call = call.namedChildren.find((c) => c?.type === 'call') ?? null;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    const f = callee ? this.resolveIn(callee, scope, depth + 1) : null;
    const fn = f ? this.m.functionsByFqn.get(f) : undefined;
    const type = fn && !fn.isLambda ? fn.node.childForFieldName('return_type') : null;
    const generic = type ? SUBSCRIPTED.exec(this.m.textOf(type).trim()) : null;
    if (!fn || !generic || !TUPLE.has(this.resolveDottedIn(generic[1], { fn: fn.parent, cls: fn.cls, mainGuard: false }, depth + 1) ?? '')) return null;
    const parts = splitTopLevel(generic[2], ',').map((p) => p.trim());
    const part = parts[element.index];
    return part && !parts.includes('...') ? this.annotatedInstance(part, fn, depth + 1) : null;
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

  /** See ModuleModel.returnedInstance. */
  returnedInstance(fn: FunctionInfo): string | null {
    let hit = this.returned.get(fn);
    if (hit === undefined) {
      this.returned.set(fn, null); // a function that returns a call of itself
      hit = this.findReturned(fn);
      this.returned.set(fn, hit);
    }
    return hit;
  }

  private findReturned(fn: FunctionInfo): string | null {
    if (fn.isLambda || !fn.body) return null;
    // read the annotation from the tree only when the header's text has one
    const header = this.m.text.slice(fn.node.startIndex, fn.body.startIndex);
    const type = header.includes('->') ? fn.node.childForFieldName('return_type') : null;
    if (!type) return this.inferredReturn(fn);
    let text = this.m.textOf(type);
    if (fn.decorators.some((d) => d.fqn && CONTEXT_MANAGER.test(d.fqn))) {
      const yielded = SUBSCRIPTED.exec(text.trim());
      const head = yielded ? this.resolveDottedIn(yielded[1], { fn: fn.parent, cls: fn.cls, mainGuard: false }, 0) : null;
      if (!yielded || !head || !YIELDING.has(head)) return null;
      text = splitTopLevel(yielded[2], ',')[0];
    }
    return this.annotatedInstance(text, fn, 0);
  }

  /**
   * An unannotated function whose every `return` (of its own body; at least one, no bare one, not a
   * generator) gives the same instance: `return OpenAI()`, or a client cached in a module variable.
   */
  private inferredReturn(fn: FunctionInfo): string | null {
    const body = fn.body;
    if (!body || !this.m.textHas(body, 'return') || this.m.textHas(body, 'yield')) return null;
    let result: string | null = null;
    for (const r of body.descendantsOfType('return_statement')) {
      if (!r || this.m.scopeOf(r).fn !== fn) continue;
      const value = r.namedChildren.find((c) => c && c.type !== 'comment');
      const v = value ? this.resolveIn(value, { fn, cls: null, mainGuard: false }, 1) : null;
      if (!v || !v.endsWith('()') || (result !== null && result !== v)) return null;
      result = v;
    }
    return result;
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

  private resolveDottedIn(text: string, scope: Scope, depth: number): string | null {
    // most names are a single identifier: no parts to split and join
    if (!text.includes('.')) return this.lookup(text.trim(), scope, depth);
    const parts = text.split('.').map((p) => p.trim());
    if (parts.length > 1) {
      const selfAttr = this.resolveSelfAttribute(parts[0], parts[1], scope, depth);
      if (selfAttr !== undefined) return selfAttr === null ? null : [selfAttr, ...parts.slice(2)].join('.');
    }
    const head = this.lookup(parts[0], scope, depth);
    return head === null ? null : parts.length === 1 ? head : `${head}.${parts.slice(1).join('.')}`;
  }

  /**
   * `lookupUncached`, remembered per scope and name once the model is complete. An answer is reused
   * only at depths where computing it again could not reach the depth limit either (it records how
   * deep its own resolution went), so results are the same as without the cache.
   */
  private lookup(name: string, scope: Scope, depth: number): string | null {
    const key = !this.lookupCacheOn ? undefined : scope.cls ? (scope.fn ? undefined : scope.cls) : scope.fn;
    if (key === undefined) return this.lookupUncached(name, scope, depth);
    let byName = this.lookupCache.get(key);
    const hit = byName?.get(name);
    if (hit && depth + hit.need <= MAX_RESOLVE_DEPTH) {
      if (depth + hit.need > this.deepest) this.deepest = depth + hit.need;
      return hit.result;
    }
    const outerDeepest = this.deepest;
    const outerCutoffs = this.cutoffs;
    this.deepest = depth;
    const result = this.lookupUncached(name, scope, depth);
    if (this.cutoffs === outerCutoffs) {
      if (!byName) this.lookupCache.set(key, (byName = new Map()));
      byName.set(name, { result, need: this.deepest - depth });
    }
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

  /** undefined: not bound here; null: bound to something unknown. */
  private lookupIn(info: ScopeInfo, name: string, scope: Scope, depth: number): string | null | undefined {
    const imp = info.imports.get(name);
    const bindings = info.bindings.get(name);
    if (!bindings) return imp === undefined ? imp : this.external(imp);
    let result: string | null | undefined;
    let agree = true;
    const seen: string[] = [];
    for (const b of bindings) {
      checkTime();
      let r: string | null;
      const valueType = b.value?.type;
      if (!b.value) r = b.annotation ? this.annotatedInstance(b.annotation, scope.fn, depth + 1) : b.element ? this.tupleElement(b.element, scope, depth + 1) : null;
      else if (valueType === 'function_definition' || valueType === 'class_definition') {
        const fn = this.m.functionOf(b.value);
        r = fn ? (this.apiFactory(fn) ?? fn.fqn) : (this.m.classes.find((c) => c.node.id === b.value!.id)?.fqn ?? null);
      } else if (valueType === 'none') r = NONE;
      else r = this.resolveIn(b.value, scope, depth + 1, valueType);
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

/** The text of a call of one of those decorators (`.step(`, `.workflow (`). */
const DECORATOR_CALL = /\.\s*(workflow|step|transaction|scheduled|dbos_class)\s*\(/;

/** DBOS decorators a factory function can stand for. */
const DBOS_DECORATORS = new Set(['dbos.DBOS.workflow', 'dbos.DBOS.step', 'dbos.DBOS.transaction', 'dbos.DBOS.scheduled', 'dbos.DBOS.dbos_class']);

/** The method whose body holds the scope (its class is `cls`), looking out through nested functions. */
function enclosingMethod(scope: Scope): FunctionInfo | null {
  let f = scope.fn;
  while (f && !f.cls) f = f.parent;
  return f;
}

/** `typing.Optional` and the like, as the annotations of parameters spell them. */
const OPTIONAL = new Set(['typing.Optional', 'typing_extensions.Optional']);
/** A subscripted annotation, `Name[args]`: the name and the text of the arguments. */
const SUBSCRIPTED = /^([A-Za-z_][\w.]*)\s*\[\s*([\s\S]*)\]$/;
const TUPLE = new Set(['builtins.tuple', 'typing.Tuple', 'typing_extensions.Tuple']);
/** The decorators that turn a generator into a context manager, and the annotations of such generators. */
const CONTEXT_MANAGER = /^contextlib\.(contextmanager|asynccontextmanager)$/;
const YIELDING = new Set(
  ['Iterator', 'Generator', 'AsyncIterator', 'AsyncGenerator'].flatMap((n) => [`typing.${n}`, `collections.abc.${n}`, `typing_extensions.${n}`]),
);
const UNION = new Set(['typing.Union', 'typing_extensions.Union']);
const ANNOTATED = new Set(['typing.Annotated', 'typing_extensions.Annotated']);

/** `text` split at `sep` outside brackets and quotes, each part trimmed. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  parts.push(text.slice(from).trim());
  return parts;
}

/** The one part that is not `None`, if there is exactly one. */
function oneNotNone(parts: string[]): string | null {
  const rest = parts.filter((p) => p !== 'None');
  return rest.length === 1 ? rest[0] : null;
}

function enclosingDef(node: Node): Node | null {
  for (let p = parentOf(node); p; p = parentOf(p)) if (p.type === 'function_definition') return p;
  return null;
}

function sameScope(a: Scope, b: Scope): boolean {
  return a.fn === b.fn && a.cls === b.cls && a.mainGuard === b.mainGuard;
}
