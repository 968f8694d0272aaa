// Builds the module model from a tree-sitter tree in one pass over the interesting nodes.
import type { Node, Tree } from 'web-tree-sitter';
import { LineIndex } from '../text';
import { normalizeFqn, DBOS_PUBLIC_NAMES, PY_BUILTINS } from './names';
import { classifyFunctions } from './kinds';
import type { Binding, CallInfo, ClassInfo, FunctionInfo, Scope, ScopeInfo, WithInfo } from './types';

const INTERESTING = [
  'call',
  'function_definition',
  'lambda',
  'class_definition',
  'import_statement',
  'import_from_statement',
  'assignment',
  'augmented_assignment',
  'named_expression',
  'for_statement',
  'with_statement',
  'global_statement',
  'nonlocal_statement',
  'decorated_definition',
];

const UNBOUND_FALLBACK = new Map<string, string>([
  ...[...DBOS_PUBLIC_NAMES].filter((n) => n !== 'error').map((n): [string, string] => [n, `dbos.${n}`]),
  ...['time', 'random', 'uuid', 'os', 'asyncio', 'threading', 'subprocess', 'secrets', 'socket', 'requests', 'httpx', 'aiohttp', 'shutil', 'sqlite3', 'psycopg', 'psycopg2', 'concurrent', 'multiprocessing'].map(
    (n): [string, string] => [n, n],
  ),
  ['datetime', 'datetime.datetime'],
  ['date', 'datetime.date'],
]);

const EXPECTS_FAILURE = /(^|\.)(raises|warns|assertRaises|assertRaisesRegex|assertRaisesRegexp|assertWarns|suppress)$/;

const MAIN_GUARD = /^__name__\s*==\s*(['"])__main__\1$|^(['"])__main__\2\s*==\s*__name__$/;
const MAX_RESOLVE_DEPTH = 24;

export interface ModuleOptions {
  /** Path of the file, as the caller knows it. */
  path: string;
  /**
   * The path whose folders decide whether this is a test file (`tests/...`): relative to the
   * project root when the caller knows it, so that a project kept under a folder named `tests`
   * is not all tests. Default: `path`.
   */
  testPath?: string;
  /** Dotted module name (`app.helpers`), used to name local functions. Default: the file's stem. */
  moduleName?: string;
}

interface ScopeRegion {
  start: number;
  end: number;
  bodyStart: number;
  bodyEnd: number;
  fn: FunctionInfo | null;
  cls: ClassInfo | null;
  /** Index of the enclosing region, -1 for none. */
  up: number;
}

interface StackEntry {
  end: number;
  bodyStart: number;
  scope: Scope;
  /** The def, lambda or class node (null for a main guard). */
  def: Node | null;
}

export class ModuleModel {
  readonly lines: LineIndex;
  readonly root: Node;
  readonly moduleName: string;
  readonly path: string;
  readonly isTestFile: boolean;
  /** `__main__.py`: its module level is an entry point. */
  readonly isMainModule: boolean;
  readonly module: ScopeInfo = { bindings: new Map(), imports: new Map() };
  readonly starImports: string[] = [];
  readonly functions: FunctionInfo[] = [];
  readonly classes: ClassInfo[] = [];
  readonly calls: CallInfo[] = [];
  readonly withs: WithInfo[] = [];
  /** Calls directly at module level, in the main guard, or in class bodies. */
  readonly moduleCalls: CallInfo[] = [];
  readonly functionsByFqn = new Map<string, FunctionInfo>();
  readonly mainGuards: Node[] = [];
  /** Every `assignment` node (`x = v`, `x: T = v`, `a.b = v`, `d[k] = v`), in source order. */
  readonly assignments: Node[] = [];
  private expectedFailureRanges: [number, number][] | undefined;
  private readonly resolveCache = new Map<number, string | null>();
  private readonly scopeByNode = new Map<number, Scope>();
  private readonly functionByNodeId = new Map<number, FunctionInfo>();
  private readonly classBodyStart = new Map<ClassInfo, number>();
  private readonly guardBodies = new Map<number, [number, number]>();
  private regions: ScopeRegion[] | undefined;
  private lookupCacheOn = false;
  private readonly lookupCache = new Map<FunctionInfo | ClassInfo | null, Map<string, { result: string | null; need: number }>>();
  /** Deepest resolveIn depth reached so far, and how often the depth limit cut a resolution short. */
  private deepest = 0;
  private cutoffs = 0;
  /** Decorated definitions seen by the build whose definition has not been reached yet. */
  private readonly pendingDecorated: Node[] = [];

  constructor(
    readonly text: string,
    readonly tree: Tree,
    options: ModuleOptions,
  ) {
    this.lines = new LineIndex(text);
    this.root = tree.rootNode;
    this.path = options.path;
    const base = options.path.replace(/\\/g, '/').split('/').pop() ?? options.path;
    this.moduleName = options.moduleName ?? base.replace(/\.pyi?$/, '');
    this.isTestFile = /^(test_.*|.*_test|conftest)\.py$/.test(base) || /(^|\/)(tests?|testing)\//.test((options.testPath ?? options.path).replace(/\\/g, '/'));
    this.isMainModule = base === '__main__.py';
    this.build();
    classifyFunctions(this);
    this.cacheLookups();
  }

  // ---------------------------------------------------------------- building

  private build(): void {
    const moduleScope: Scope = { fn: null, cls: null, mainGuard: false };
    const stack: StackEntry[] = [];
    // main guards are module-level `if`s: found among the module's statements, not by a tree walk
    const guards: Node[] = [];
    for (const c of this.root.namedChildren) {
      if (c?.type !== 'if_statement') continue;
      const cond = c.childForFieldName('condition');
      const body = c.childForFieldName('consequence');
      if (cond && body && MAIN_GUARD.test(this.textOf(cond).trim())) guards.push(c);
    }
    const nodes: (Node | null)[] = this.root.descendantsOfType(INTERESTING);
    if (guards.length > 0) {
      // put each guard in document order among the collected nodes so its body opens a scope
      nodes.push(...guards);
      nodes.sort((a, b) => a!.startIndex - b!.startIndex || b!.endIndex - a!.endIndex);
    }
    for (const node of nodes) {
      if (!node) continue;
      const start = node.startIndex;
      while (stack.length > 0 && start >= stack[stack.length - 1].end) stack.pop();
      let scope = moduleScope;
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i].bodyStart <= start) {
          scope = stack[i].scope;
          break;
        }
      }
      const info: ScopeInfo = scope.fn ?? this.module;
      switch (node.type) {
        case 'decorated_definition':
          this.pendingDecorated.push(node);
          break;
        case 'call': {
          const callee = node.childForFieldName('function');
          if (!callee) break;
          let def: Node | null = null;
          for (let i = stack.length - 1; i >= 0 && !def; i--) def = stack[i].def;
          const call: CallInfo = new ModelCall(node, callee, scope, start, node.endIndex, def);
          this.calls.push(call);
          if (scope.fn) scope.fn.calls.push(call);
          else this.moduleCalls.push(call);
          this.scopeByNode.set(node.id, scope);
          break;
        }
        case 'function_definition':
        case 'lambda': {
          if (!node.isNamed) break; // the `lambda` keyword token has the same type name
          const fn = this.addFunction(node, scope);
          const body = fn.body;
          // pushed without a body too (a broken def): it still encloses its calls (`CallInfo.def`)
          stack.push({ end: node.endIndex, bodyStart: body ? body.startIndex : Infinity, scope: { fn, cls: null, mainGuard: false }, def: node });
          break;
        }
        case 'class_definition': {
          const cls = this.addClass(node, scope);
          const body = node.childForFieldName('body');
          if (body) this.classBodyStart.set(cls, body.startIndex);
          stack.push({ end: node.endIndex, bodyStart: body ? body.startIndex : Infinity, scope: { fn: scope.fn, cls, mainGuard: false }, def: node });
          break;
        }
        case 'import_statement':
        case 'import_from_statement':
          this.addImport(node, info);
          break;
        case 'assignment':
        case 'augmented_assignment':
        case 'named_expression':
          if (node.type === 'assignment') this.assignments.push(node);
          this.addAssignment(node, info);
          break;
        case 'for_statement': {
          const left = node.childForFieldName('left');
          if (left) this.bindTargets(left, null, info);
          break;
        }
        case 'with_statement': {
          const w = this.addWith(node, scope);
          for (const item of w.items) if (item.target) this.bindTargets(item.target, item.value, info);
          break;
        }
        case 'if_statement': {
          const body = node.childForFieldName('consequence');
          if (body) {
            this.mainGuards.push(node);
            this.guardBodies.set(node.id, [body.startIndex, body.endIndex]);
            stack.push({ end: body.endIndex, bodyStart: body.startIndex, scope: { fn: null, cls: null, mainGuard: true }, def: null });
          }
          break;
        }
        case 'global_statement':
        case 'nonlocal_statement':
          if (scope.fn) {
            const set = node.type === 'global_statement' ? scope.fn.globals : scope.fn.nonlocals;
            for (const c of node.namedChildren) if (c && c.type === 'identifier') set.add(this.textOf(c));
          }
          break;
      }
    }
  }

  /**
   * The `decorated_definition` whose definition is `node`, else `node`. Decorated definitions come
   * just before their definition in the walk: only the latest unmatched one can be its parent.
   */
  private decoratedStatement(node: Node): Node {
    const stack = this.pendingDecorated;
    while (stack.length > 0 && stack[stack.length - 1].endIndex <= node.startIndex) stack.pop();
    const d = stack[stack.length - 1];
    if (!d || d.startIndex >= node.startIndex || d.endIndex < node.endIndex) return node;
    if (d.childForFieldName('definition')?.id === node.id || node.parent?.id === d.id) {
      stack.pop();
      return d;
    }
    return node;
  }

  private addFunction(node: Node, scope: Scope): FunctionInfo {
    const isLambda = node.type === 'lambda';
    const nameNode = isLambda ? null : node.childForFieldName('name');
    const name = nameNode ? this.textOf(nameNode) : '<lambda>';
    const parent = scope.fn;
    const cls = scope.cls;
    const prefix = cls ? cls.qualname + '.' : parent ? parent.qualname + '.<locals>.' : '';
    const qualname = prefix + name;
    const statement = isLambda ? node : this.decoratedStatement(node);
    const fn: FunctionInfo = {
      node,
      statement,
      name,
      qualname,
      fqn: `${this.moduleName}.${qualname}`,
      isAsync: !isLambda && /^async\b/.test(this.text.slice(node.startIndex, node.startIndex + 6)),
      isLambda,
      decorators: statement !== node ? this.decoratorsOf(statement) : [],
      kinds: new Set(),
      parent,
      cls,
      body: node.childForFieldName('body'),
      params: [],
      globals: new Set(),
      nonlocals: new Set(),
      calls: [],
      bindings: new Map(),
      imports: new Map(),
    };
    const params = node.childForFieldName('parameters');
    if (params) {
      for (const p of params.namedChildren) {
        if (!p) continue;
        const id = p.type === 'identifier' ? p : firstIdentifier(p);
        if (id) {
          const pname = this.textOf(id);
          fn.params.push(pname);
          pushBinding(fn.bindings, pname, { value: null, node: id });
        }
      }
    }
    if (!isLambda) {
      const target: ScopeInfo = cls ? classScope(cls) : parent ?? this.module;
      pushBinding(target.bindings, name, { value: node, node: nameNode ?? node });
      if (cls) cls.methods.push(fn);
    }
    this.functions.push(fn);
    this.functionsByFqn.set(fn.fqn, fn);
    this.functionByNodeId.set(node.id, fn);
    return fn;
  }

  private addClass(node: Node, scope: Scope): ClassInfo {
    const nameNode = node.childForFieldName('name');
    const name = nameNode ? this.textOf(nameNode) : '<class>';
    const prefix = scope.cls ? scope.cls.qualname + '.' : scope.fn ? scope.fn.qualname + '.<locals>.' : '';
    const statement = this.decoratedStatement(node);
    const supers = node.childForFieldName('superclasses');
    const cls: ClassInfo = {
      node,
      statement,
      name,
      qualname: prefix + name,
      fqn: `${this.moduleName}.${prefix}${name}`,
      decorators: statement !== node ? this.decoratorsOf(statement) : [],
      bases: supers ? (supers.namedChildren.filter((c) => c && c.type !== 'keyword_argument') as Node[]) : [],
      methods: [],
      parentFunction: scope.fn,
      selfAttrs: new Map(),
    };
    const target: ScopeInfo = scope.fn ?? this.module;
    pushBinding(target.bindings, name, { value: node, node: nameNode ?? node });
    this.classes.push(cls);
    return cls;
  }

  private decoratorsOf(statement: Node): FunctionInfo['decorators'] {
    const out: FunctionInfo['decorators'] = [];
    for (const d of statement.namedChildren) {
      if (!d || d.type !== 'decorator') continue;
      const expr = d.namedChildren.find((c) => c && c.type !== 'comment');
      if (!expr) continue;
      const isCall = expr.type === 'call';
      out.push({
        node: d,
        expr,
        fqn: null,
        called: isCall,
        args: isCall ? expr.childForFieldName('arguments') : null,
      });
    }
    return out;
  }

  private addImport(node: Node, info: ScopeInfo): void {
    if (node.type === 'import_statement') {
      for (const n of node.childrenForFieldName('name')) {
        if (!n) continue;
        if (n.type === 'aliased_import') {
          const mod = n.childForFieldName('name');
          const alias = n.childForFieldName('alias');
          if (mod && alias) info.imports.set(this.textOf(alias), normalizeFqn(this.dotted(mod)));
        } else {
          const full = this.dotted(n);
          const head = full.split('.')[0];
          info.imports.set(head, head);
        }
      }
      return;
    }
    const modNode = node.childForFieldName('module_name');
    if (!modNode) return;
    const mod = modNode.type === 'relative_import' ? this.relativeModule(modNode) : this.dotted(modNode);
    if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
      this.starImports.push(normalizeFqn(mod));
      return;
    }
    for (const n of node.childrenForFieldName('name')) {
      if (!n) continue;
      if (n.type === 'aliased_import') {
        const nm = n.childForFieldName('name');
        const alias = n.childForFieldName('alias');
        if (nm && alias) info.imports.set(this.textOf(alias), normalizeFqn(`${mod}.${this.dotted(nm)}`));
      } else {
        const nm = this.dotted(n);
        info.imports.set(nm, normalizeFqn(`${mod}.${nm}`));
      }
    }
  }

  private relativeModule(node: Node): string {
    const text = this.textOf(node).replace(/\s+/g, '');
    const dots = /^\.+/.exec(text)?.[0].length ?? 0;
    const rest = text.slice(dots);
    const parts = this.moduleName.split('.');
    // in a package's __init__.py the module is the package itself: `.` is that package
    const inInit = /(^|[\\/])__init__\.pyi?$/.test(this.path) ? 1 : 0;
    const base = parts.slice(0, Math.max(0, parts.length - dots + inInit));
    return [...base, ...(rest ? [rest] : [])].join('.') || rest;
  }

  private addAssignment(node: Node, info: ScopeInfo): void {
    // Fast path, from the text alone: `name = ...`, `name: T = ...`, `self.attr = ...`, `name += ...`.
    // The nodes of the target and the value are only fetched if a lookup needs them.
    const head = this.text.slice(node.startIndex, node.startIndex + 160);
    if (node.type === 'assignment') {
      const m = SIMPLE_ASSIGN.exec(head);
      if (m) {
        const method = info as Partial<FunctionInfo>;
        if (m[2] === undefined) pushBinding(info.bindings, m[1], new LazyBinding(node, 'left', 'right'));
        else if (method.cls && method.params && m[1] === method.params[0]) pushBinding(method.cls.selfAttrs, m[2], new LazyBinding(node, 'left', 'right'));
        // any other `obj.attr = v` binds no name
        return;
      }
    } else if (node.type === 'augmented_assignment') {
      const m = /^([A-Za-z_]\w*)\s*[-+*/%&|^@<>]{1,3}=/.exec(head);
      if (m) {
        pushBinding(info.bindings, m[1], new LazyBinding(node, 'left', null));
        return;
      }
    }
    const left = node.childForFieldName(node.type === 'named_expression' ? 'name' : 'left');
    if (!left) return;
    const right = node.childForFieldName(node.type === 'named_expression' ? 'value' : 'right');
    if (node.type === 'augmented_assignment') {
      if (left.type === 'identifier') pushBinding(info.bindings, this.textOf(left), { value: null, node: left });
      return;
    }
    if (node.type === 'assignment' && !right) return; // bare annotation `x: int`
    const method = info as Partial<FunctionInfo>;
    if (left.type === 'attribute' && right && method.cls && method.params) {
      // `self.client = OpenAI()` in a method: remembered for `self.client.x` lookups
      const obj = left.childForFieldName('object');
      const attr = left.childForFieldName('attribute');
      if (obj && attr && this.textOf(obj) === method.params[0]) pushBinding(method.cls.selfAttrs, this.textOf(attr), { value: right, node: left });
      return;
    }
    this.bindTargets(left, right, info);
  }

  private bindTargets(target: Node, value: Node | null, info: ScopeInfo): void {
    if (target.type === 'identifier') {
      pushBinding(info.bindings, this.textOf(target), { value, node: target });
      return;
    }
    if (
      target.type === 'pattern_list' ||
      target.type === 'tuple_pattern' ||
      target.type === 'list_pattern' ||
      target.type === 'parenthesized_expression' ||
      target.type === 'list_splat_pattern' ||
      target.type === 'tuple' ||
      target.type === 'list'
    ) {
      for (const c of target.namedChildren) if (c) this.bindTargets(c, null, info);
    }
  }

  private addWith(node: Node, scope: Scope): WithInfo {
    const items: WithInfo['items'] = [];
    const clause = node.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      if (!item || item.type !== 'with_item') continue;
      const v = item.childForFieldName('value');
      if (!v) continue;
      if (v.type === 'as_pattern') {
        const inner = v.namedChildren[0];
        const alias = v.childForFieldName('alias');
        const target = alias?.namedChildren[0] ?? alias;
        if (inner) items.push({ value: inner, target: target ?? null });
      } else {
        items.push({ value: v, target: null });
      }
    }
    const w: WithInfo = { node, scope, items, body: node.childForFieldName('body') };
    this.withs.push(w);
    return w;
  }

  // ---------------------------------------------------------------- queries

  textOf(node: Node): string {
    return this.text.slice(node.startIndex, node.endIndex);
  }

  private dotted(node: Node): string {
    return this.textOf(node).replace(/\s+/g, '');
  }

  /**
   * The type annotation of an `assignment` node (`x: T = v`), null for none. Most assignments are
   * `name = ...` or `a.b = ...`, which the text shows to have none without asking the tree.
   */
  annotationOf(assignment: Node): Node | null {
    if (PLAIN_TARGET.test(this.text.slice(assignment.startIndex, assignment.startIndex + 160))) return null;
    return assignment.childForFieldName('type');
  }

  /** The FunctionInfo of a `function_definition` or `lambda` node. */
  functionOf(node: Node): FunctionInfo | undefined {
    return this.functionByNodeId.get(node.id);
  }

  /** The scope of a call collected by the model. */
  scopeOfCall(node: Node): Scope | undefined {
    return this.scopeByNode.get(node.id);
  }

  /**
   * The scope of any node: the innermost function whose body holds it, else the class whose body
   * holds it, else the module (in the main guard or not). Found from the node's offsets among the
   * model's functions and classes, without walking up the tree (`.parent` walks down from the root
   * in web-tree-sitter).
   */
  scopeOf(node: Node): Scope {
    const known = this.scopeByNode.get(node.id);
    if (known) return known;
    const s = node.startIndex;
    const e = node.endIndex;
    // a zero-width node (MISSING) can touch a region it is not in: walk up the tree for those
    if (s === e) return this.scopeByWalk(node);
    const regions = this.scopeRegions();
    let lo = 0;
    let hi = regions.length - 1;
    let i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (regions[mid].start <= s) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (; i >= 0; i = regions[i].up) {
      const r = regions[i];
      if (e > r.end) continue; // starts before the node but ends before it too: try the enclosing one
      if (r.fn) {
        if (s >= r.bodyStart && e <= r.bodyEnd) return { fn: r.fn, cls: null, mainGuard: false };
      } else if (r.cls && s >= r.bodyStart) {
        return { fn: r.cls.parentFunction, cls: r.cls, mainGuard: false };
      }
    }
    for (const g of this.mainGuards) {
      const body = this.guardBodies.get(g.id);
      if (body && s >= body[0] && e <= body[1]) return { fn: null, cls: null, mainGuard: true };
    }
    return { fn: null, cls: null, mainGuard: false };
  }

  /** Functions and classes in document order, each with the index of the one enclosing it (-1: none). */
  private scopeRegions(): ScopeRegion[] {
    if (this.regions) return this.regions;
    const all: ScopeRegion[] = [];
    for (const fn of this.functions) {
      all.push({ start: fn.node.startIndex, end: fn.node.endIndex, bodyStart: fn.body ? fn.body.startIndex : Infinity, bodyEnd: fn.body ? fn.body.endIndex : -1, fn, cls: null, up: -1 });
    }
    for (const cls of this.classes) {
      all.push({ start: cls.node.startIndex, end: cls.node.endIndex, bodyStart: this.classBodyStart.get(cls) ?? Infinity, bodyEnd: -1, fn: null, cls, up: -1 });
    }
    all.sort((a, b) => a.start - b.start || b.end - a.end);
    const open: number[] = [];
    for (let i = 0; i < all.length; i++) {
      while (open.length > 0 && all[open[open.length - 1]].end <= all[i].start) open.pop();
      all[i].up = open.length > 0 ? open[open.length - 1] : -1;
      open.push(i);
    }
    this.regions = all;
    return all;
  }

  /** The scope of a node by walking up its ancestors (the definition `scopeOf` follows). */
  private scopeByWalk(node: Node): Scope {
    let child: Node = node;
    let mainGuard = false;
    for (let p = node.parent; p; child = p, p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'lambda') {
        const body = p.childForFieldName('body');
        if (body && child.startIndex >= body.startIndex && child.endIndex <= body.endIndex) {
          return { fn: this.functionOf(p) ?? null, cls: null, mainGuard: false };
        }
      } else if (p.type === 'class_definition') {
        const body = p.childForFieldName('body');
        if (body && child.startIndex >= body.startIndex) {
          const cls = this.classes.find((c) => c.node.id === p.id) ?? null;
          return { fn: cls?.parentFunction ?? null, cls, mainGuard: false };
        }
      } else if (p.type === 'if_statement' && this.mainGuards.some((g) => g.id === p.id)) {
        const body = p.childForFieldName('consequence');
        if (body && child.startIndex >= body.startIndex && child.endIndex <= body.endIndex) mainGuard = true;
      }
    }
    return { fn: null, cls: null, mainGuard };
  }

  /**
   * The qualified name an expression refers to: `time.sleep`, `dbos.DBOS.workflow`,
   * `requests.Session()` for an instance, `app.helpers.load` for a local function. Null when unknown.
   * `scope` defaults to the scope of the node.
   */
  resolve(node: Node | null | undefined, scope?: Scope): string | null {
    if (!node) return null;
    const cached = this.resolveCache.get(node.id);
    if (cached !== undefined) return cached;
    const r = this.resolveIn(node, scope ?? this.scopeOf(node), 0);
    this.resolveCache.set(node.id, r);
    return r;
  }

  /** Resolution of the callee of a call. */
  calleeFqn(call: CallInfo): string | null {
    if (call.fqn === undefined) call.fqn = this.resolve(call.callee, call.scope);
    return call.fqn;
  }

  private resolveIn(node: Node, scope: Scope, depth: number): string | null {
    if (depth > this.deepest) this.deepest = depth;
    if (depth > MAX_RESOLVE_DEPTH) {
      this.cutoffs++;
      return null;
    }
    if (node.type === 'attribute' || node.type === 'identifier') {
      // the common case, a dotted name, is resolved from the text without walking the tree
      const text = this.textOf(node);
      if (DOTTED.test(text)) return this.resolveDottedIn(text, scope, depth);
    }
    switch (node.type) {
      case 'identifier':
        return this.lookup(this.textOf(node), scope, depth);
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (!obj || !attr) return null;
        const selfAttr = obj.type === 'identifier' ? this.resolveSelfAttribute(this.textOf(obj), this.textOf(attr), scope, depth) : undefined;
        if (selfAttr !== undefined) return selfAttr;
        const base = this.resolveIn(obj, scope, depth + 1);
        return base ? `${base}.${this.textOf(attr)}` : null;
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        if (!fn) return null;
        const f = this.resolveIn(fn, scope, depth + 1);
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
   * `self.attr` inside a method, when the class assigns `self.attr = <value>` (in any method) and
   * every such assignment resolves to the same name. undefined: not a `self` attribute.
   */
  private resolveSelfAttribute(objName: string, attr: string, scope: Scope, depth: number): string | null | undefined {
    let method: FunctionInfo | null = scope.fn;
    while (method && !method.cls) method = method.parent;
    if (!method?.cls || method.params[0] !== objName) return undefined;
    if (method.decorators.some((d) => /^(builtins\.)?staticmethod$/.test(d.fqn ?? this.textOf(d.expr)))) return undefined;
    const bindings = method.cls.selfAttrs.get(attr);
    if (!bindings) return undefined;
    let result: string | null | undefined;
    for (const b of bindings) {
      const f = this.functionOf(enclosingDef(b.node)!);
      const r = b.value && f ? this.resolveIn(b.value, { fn: f, cls: null, mainGuard: false }, depth + 1) : null;
      if (r === null || (result !== undefined && result !== r)) return null;
      result = r;
    }
    return result ?? null;
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
      if (f.globals.has(name)) break;
      const hit = this.lookupIn(f, name, { fn: f, cls: null, mainGuard: false }, depth);
      if (hit !== undefined) return hit;
    }
    if (scope.cls) {
      const m = scope.cls.methods.find((x) => x.name === name);
      if (m) return m.fqn;
    }
    const hit = this.lookupIn(this.module, name, { fn: null, cls: null, mainGuard: false }, depth);
    if (hit !== undefined) return hit;
    if (DBOS_PUBLIC_NAMES.has(name) && this.starImports.includes('dbos')) return `dbos.${name}`;
    if (PY_BUILTINS.has(name)) return `builtins.${name}`;
    // A name bound nowhere in the file: a snippet that left out its imports. Python would raise
    // NameError unless it is the well-known module or DBOS name it looks like.
    if (this.starImports.length === 0) return UNBOUND_FALLBACK.get(name) ?? null;
    return null;
  }

  /** undefined: not bound here; null: bound to something unknown. */
  private lookupIn(info: ScopeInfo, name: string, scope: Scope, depth: number): string | null | undefined {
    const imp = info.imports.get(name);
    const bindings = info.bindings.get(name);
    if (!bindings) return imp;
    let result: string | null | undefined;
    for (const b of bindings) {
      let r: string | null;
      if (!b.value) r = null;
      else if (b.value.type === 'function_definition' || b.value.type === 'class_definition') {
        r = this.functionOf(b.value)?.fqn ?? this.classes.find((c) => c.node.id === b.value!.id)?.fqn ?? null;
      } else r = this.resolveIn(b.value, scope, depth + 1);
      if (r === null) return null;
      if (result === undefined) result = r;
      else if (result !== r) return null;
    }
    return result ?? null;
  }

  /**
   * Identifiers named `name` (not attribute names or keyword names), found by a text search instead
   * of a walk over every node. `within` limits the search to one node.
   */
  identifierUses(name: string, within?: Node): Node[] {
    const from = within?.startIndex ?? 0;
    const to = within?.endIndex ?? this.text.length;
    const out: Node[] = [];
    const re = new RegExp(`(?<![\\w.])${name.replace(/[^\w]/g, '')}(?!\\w)`, 'g');
    const slice = this.text.slice(from, to);
    for (let m = re.exec(slice); m; m = re.exec(slice)) {
      const at = from + m.index;
      const id = this.root.descendantForIndex(at, at + name.length);
      if (!id || id.type !== 'identifier' || id.startIndex !== at || id.endIndex !== at + name.length) continue;
      const p = id.parent;
      if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) continue;
      out.push(id);
    }
    return out;
  }

  /** Whether the text of `node` contains `word` (a cheap test before walking its subtree). */
  textHas(node: Node, word: string): boolean {
    const at = this.text.indexOf(word, node.startIndex);
    return at >= 0 && at + word.length <= node.endIndex;
  }

  /**
   * The `identifier` nodes spelled `name` inside `within`, in document order: every identifier
   * whose text is `name`, like filtering `within.descendantsOfType('identifier')`, but found from
   * the text's occurrences of the name instead of a walk over every identifier.
   */
  identifiersNamed(name: string, within: Node): Node[] {
    const out: Node[] = [];
    if (!name) return out;
    const end = within.endIndex;
    for (let at = this.text.indexOf(name, within.startIndex); at >= 0 && at + name.length <= end; at = this.text.indexOf(name, at + 1)) {
      const id = within.descendantForIndex(at, at + name.length);
      if (id && id.type === 'identifier' && id.startIndex === at && id.endIndex === at + name.length) out.push(id);
    }
    return out;
  }

  /** `<expr>.<name>` attribute nodes (`DBOS.sql_session`), found by a text search. */
  attributesNamed(name: string): Node[] {
    const out: Node[] = [];
    const re = new RegExp(`\\.\\s*${name.replace(/[^\w]/g, '')}(?!\\w)`, 'g');
    for (let m = re.exec(this.text); m; m = re.exec(this.text)) {
      const at = m.index + m[0].length - name.length;
      const id = this.root.descendantForIndex(at, at + name.length);
      const p = id?.parent;
      if (id?.type === 'identifier' && p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) out.push(p);
    }
    return out;
  }

  /**
   * Inside `with pytest.raises(...)`, `with self.assertRaises(...)` or `with contextlib.suppress(...)`
   * (directly, not in a nested function): the code is meant to fail, so rules stay quiet there.
   */
  expectsFailure(node: Node): boolean {
    if (!this.expectedFailureRanges) {
      this.expectedFailureRanges = [];
      for (const w of this.withs) {
        if (!w.body) continue;
        const expecting = w.items.some((item) => {
          if (item.value.type !== 'call') return false;
          const callee = item.value.childForFieldName('function');
          if (!callee) return false;
          const fqn = this.resolve(callee, w.scope) ?? '';
          return EXPECTS_FAILURE.test(fqn) || EXPECTS_FAILURE.test(this.textOf(callee));
        });
        if (expecting) this.expectedFailureRanges.push([w.body.startIndex, w.body.endIndex]);
      }
    }
    if (this.expectedFailureRanges.length === 0) return false;
    const at = node.startIndex;
    const inside = this.expectedFailureRanges.filter(([a, b]) => at >= a && at < b);
    if (inside.length === 0) return false;
    // a function defined inside the block runs later, not under it
    const scope = this.scopeOf(node);
    return inside.some(([a]) => !scope.fn || scope.fn.node.startIndex < a);
  }

  /** The local function a call targets (`helper()`, `self.helper()`, `Cls.helper()`), if any. */
  targetFunction(call: CallInfo): FunctionInfo | undefined {
    const fqn = this.calleeFqn(call);
    if (fqn) {
      const f = this.functionsByFqn.get(fqn);
      if (f) return f;
    }
    const cls = call.scope.fn?.cls;
    if (cls && call.callee.type === 'attribute') {
      // `self.name` / `cls.name` read from the text; anything else (comments, calls) from the tree
      const m = SELF_ATTR.exec(this.textOf(call.callee));
      if (m) return cls.methods.find((x) => x.name === m[2]);
      const obj = call.callee.childForFieldName('object');
      const attr = call.callee.childForFieldName('attribute');
      if (obj && attr && (this.textOf(obj) === 'self' || this.textOf(obj) === 'cls')) {
        return cls.methods.find((m) => m.name === this.textOf(attr));
      }
    }
    return undefined;
  }

  /** Every function whose body (at any depth of nesting) contains the node, innermost first. */
  enclosingFunctions(scope: Scope): FunctionInfo[] {
    const out: FunctionInfo[] = [];
    for (let f = scope.fn; f; f = f.parent) out.push(f);
    return out;
  }

  /** The local name that refers to `fqn` in this module (`DBOS`, `D`, `dbos.DBOS`), if imported. */
  localNameFor(fqn: string): string | null {
    for (const [name, target] of this.module.imports) {
      if (target === fqn) return name;
    }
    for (const [name, target] of this.module.imports) {
      if (fqn.startsWith(target + '.')) return name + fqn.slice(target.length);
    }
    return null;
  }
}

/** `x = ...`, `x: T = ...` (group 1) or `obj.attr = ...` (groups 1 and 2), read from the text. */
const SIMPLE_ASSIGN = /^([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?\s*(?::[^=\n]*)?=(?!=)/;
/** `name =` or `a.b =` at the start of an assignment: a target with no annotation. */
const PLAIN_TARGET = /^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*\s*=(?!=)/;
/** `self.name` or `cls.name` (group 2: the name), spaces and line breaks around the dot allowed. */
const SELF_ATTR = /^(self|cls)\s*\.\s*([A-Za-z_]\w*)$/;
/** A dotted name, as text: `a`, `a.b.c` (spaces and line breaks around dots allowed). */
const DOTTED = /^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*$/;

/** A call of the model; its argument list is fetched from the tree on first use. */
class ModelCall implements CallInfo {
  fqn?: string | null = undefined;
  argList?: Node[] = undefined;
  positionalArgs?: Node[] = undefined;
  private argsNode: Node | null | undefined = undefined;
  constructor(
    readonly node: Node,
    readonly callee: Node,
    readonly scope: Scope,
    readonly start: number,
    readonly end: number,
    readonly def: Node | null,
  ) {}
  get args(): Node | null {
    if (this.argsNode === undefined) this.argsNode = this.node.childForFieldName('arguments');
    return this.argsNode;
  }
}

/** A binding whose target and value nodes are fetched from the tree on first use. */
class LazyBinding implements Binding {
  private v: Node | null | undefined;
  private n: Node | undefined;
  constructor(
    private readonly assignment: Node,
    private readonly leftField: string,
    private readonly rightField: string | null,
  ) {}
  get value(): Node | null {
    if (this.v === undefined) this.v = this.rightField ? this.assignment.childForFieldName(this.rightField) : null;
    return this.v;
  }
  get node(): Node {
    if (!this.n) this.n = this.assignment.childForFieldName(this.leftField) ?? this.assignment;
    return this.n;
  }
}

function enclosingDef(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

function pushBinding(map: Map<string, Binding[]>, name: string, b: Binding): void {
  const list = map.get(name);
  if (list) list.push(b);
  else map.set(name, [b]);
}

function firstIdentifier(node: Node): Node | null {
  if (node.type === 'identifier') return node;
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'identifier') return c;
    if (c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern') return firstIdentifier(c);
  }
  return null;
}

const classScopes = new WeakMap<ClassInfo, ScopeInfo>();
/** Class bodies bind names too (methods, class attributes); kept apart from module bindings. */
function classScope(cls: ClassInfo): ScopeInfo {
  let s = classScopes.get(cls);
  if (!s) {
    s = { bindings: new Map(), imports: new Map() };
    classScopes.set(cls, s);
  }
  return s;
}
