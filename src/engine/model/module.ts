// The module model of one file: built from its tree-sitter tree by `build.ts` in one pass over the
// interesting nodes; names resolved by `resolve.ts`, scopes found by `scope.ts`.
import type { Node, Tree } from 'web-tree-sitter';
import { LineIndex, escapeRegExp } from '../text';
import { classifyFunctions } from './kinds';
import { ModelBuilder } from './build';
import { Resolver, SELF_ATTR } from './resolve';
import { ScopeIndex } from './scope';
import type { CallInfo, ClassInfo, FunctionInfo, Scope, ScopeInfo, WithInfo } from './types';
import { checkTime } from '../budget';

const EXPECTS_FAILURE = /(^|\.)(raises|warns|assertRaises|assertRaisesRegex|assertRaisesRegexp|assertWarns|suppress)$/;

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
  /**
   * What a qualified name of another project module denotes when it is a DBOS API under another
   * name (`app._runtime.dbos_step` -> `dbos.DBOS.step`), from the workspace index; null otherwise.
   */
  externalName?: (fqn: string) => string | null;
  /** The tree this one was parsed from incrementally (already edited); see `ModuleModel.previousTree`. */
  previousTree?: Tree | null;
}

/** Whether a path (relative to its project, or as the caller knows it) is test code: `test_*.py`, `*_test.py`, `conftest.py`, or under a `test`/`tests`/`testing` folder. */
export function isTestFilePath(p: string): boolean {
  const norm = p.replace(/\\/g, '/');
  return /(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/.test(norm) || /(^|\/)(tests?|testing)\//.test(norm);
}

export class ModuleModel {
  readonly lines: LineIndex;
  readonly root: Node;
  readonly moduleName: string;
  readonly path: string;
  /** The path relative to the project root when the caller knows it (see `ModuleOptions.testPath`), else `path`. */
  readonly projectPath: string;
  /** `test_*.py`, `*_test.py`, `conftest.py`, or under a `test`/`tests`/`testing` folder of the project. */
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
  /** Functions by qualified name; a name defined more than once maps to its last definition. */
  readonly functionsByFqn = new Map<string, FunctionInfo>();
  /**
   * Every definition of a qualified name defined more than once, in source order (`if DBOS_AVAILABLE:
   * @DBOS.workflow() async def run(...)` / `else: async def run(...)`, or try/except fallbacks):
   * which one runs is decided at run time.
   */
  readonly redefinitions = new Map<string, FunctionInfo[]>();
  readonly mainGuards: Node[] = [];
  /** Every `try` statement, with the scope it is in (its body's offsets read on first use, `inHandledTry`). */
  readonly tries: { node: Node; scope: Scope }[] = [];
  private handledTries: { start: number; end: number; fn: FunctionInfo | null }[] | undefined;
  /** Every `assignment` node (`x = v`, `x: T = v`, `a.b = v`, `d[k] = v`), in source order. */
  readonly assignments: Node[] = [];
  /**
   * The attributes an `assignment` stores on anything but `self` (`svc.clock = ...`, `a[0].b: T`),
   * collected by the build from the targets it reads anyway (`injectionOverrides`).
   */
  readonly attributeStores = new Set<string>();
  /**
   * Every `assignment`, `augmented_assignment`, `delete_statement` and `yield` node (the expression
   * and its keyword), in source order: what a function changes or yields, read without another walk.
   */
  readonly storesAndYields: Node[] = [];
  private expectedFailureRanges: [number, number][] | undefined;
  private readonly functionByNodeId = new Map<number, FunctionInfo>();
  private readonly texts = new Map<number, string>();
  private readonly annotations = new Map<number, Node | null>();
  private readonly scopes = new ScopeIndex(this);
  private readonly resolver: Resolver;
  /**
   * The tree `tree` was parsed from incrementally (already edited), while its owner keeps it alive:
   * `analyze` clears it before returning. Facts of a statement with a syntax error are reused only
   * when the two trees have the same structure there (facts/reuse.ts).
   */
  previousTree: Tree | null;

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
    this.projectPath = options.testPath ?? options.path;
    this.isTestFile = isTestFilePath(this.projectPath);
    this.isMainModule = base === '__main__.py';
    this.previousTree = options.previousTree ?? null;
    this.resolver = new Resolver(this, options.externalName);
    new ModelBuilder(this, this.scopes, this.functionByNodeId).build();
    classifyFunctions(this);
    this.cacheLookups();
  }

  // ---------------------------------------------------------------- queries

  /** The source text of a node; remembered by node (reading a node's end crosses into the parser's wasm). */
  textOf(node: Node): string {
    let t = this.texts.get(node.id);
    if (t === undefined) {
      t = this.text.slice(node.startIndex, node.endIndex);
      this.texts.set(node.id, t);
    }
    return t;
  }

  /**
   * The type annotation of an `assignment` node (`x: T = v`), null for none. Most assignments are
   * `name = ...` or `a.b = ...`, which the text shows to have none without asking the tree.
   */
  annotationOf(assignment: Node): Node | null {
    if (PLAIN_TARGET.test(this.text.slice(assignment.startIndex, assignment.startIndex + 160))) return null;
    // several rules look through every assignment: the tree is asked once per assignment
    let t = this.annotations.get(assignment.id);
    if (t === undefined) this.annotations.set(assignment.id, (t = assignment.childForFieldName('type')));
    return t;
  }

  /** The FunctionInfo of a `function_definition` or `lambda` node. */
  functionOf(node: Node): FunctionInfo | undefined {
    return this.functionByNodeId.get(node.id);
  }

  /** The scope of a call collected by the model. */
  scopeOfCall(node: Node): Scope | undefined {
    return this.scopes.byNode.get(node.id);
  }

  /**
   * The scope of any node: the innermost function whose body holds it, else the class whose body
   * holds it, else the module (in the main guard or not).
   */
  scopeOf(node: Node): Scope {
    return this.scopes.scopeOf(node);
  }

  /**
   * The qualified name an expression refers to: `time.sleep`, `dbos.DBOS.workflow`,
   * `requests.Session()` for an instance, `app.helpers.load` for a local function. Null when unknown.
   * `scope` defaults to the scope of the node.
   */
  resolve(node: Node | null | undefined, scope?: Scope): string | null {
    return this.resolver.resolve(node, scope);
  }

  /**
   * The DBOS decorator a function stands for when its body only returns one
   * (`def dbos_step(**kw): return DBOS.step(**kw)`), else null.
   */
  apiFactory(fn: FunctionInfo): string | null {
    return this.resolver.apiFactory(fn);
  }

  /**
   * What a call of `fn` gives, from its return annotation (`-> Session`): an instance of the class
   * it names, in the form an assignment `x = Cls()` gives (`sqlalchemy.orm.Session()`). For a
   * `@contextmanager` (or async) function annotated `Iterator[X]` / `Generator[X, ...]`, X: what
   * `with fn() as x` binds. Without an annotation, the instance every `return` of its body gives
   * (`return OpenAI()`). Null when unknown or not one known class.
   */
  returnedInstance(fn: FunctionInfo): string | null {
    return this.resolver.returnedInstance(fn);
  }

  /**
   * The instances of several classes a function's returns give (a factory: `return OpenAIProvider()`
   * in one branch, `return EchoProvider()` in another), whatever its annotation says; empty when its
   * returns give one class (`returnedInstance`) or none.
   */
  returnedInstances(fn: FunctionInfo): string[] {
    return this.resolver.returnedInstances(fn);
  }

  /** The workspace index's answers about names of other modules read so far (for reuse checks, `facts/reuse.ts`). */
  externalAnswers(): ReadonlyMap<string, string> {
    return this.resolver.externalAnswers();
  }

  /** What a name of another module denotes here now (the workspace index's answer, remembered). */
  externalAnswer(fqn: string): string {
    return this.resolver.externalAnswer(fqn);
  }

  /**
   * Where the injected callable a call enters gets its default (`now=time.time`, a class field
   * `clock: Callable[[], datetime] = datetime.now`, `self.clock = clock or time.time`); null for any
   * other call.
   */
  injectedAt(call: CallInfo): Node | null {
    return this.resolver.injectedAt(call.callee, call.scope);
  }

  /** Resolution of the callee of a call. */
  calleeFqn(call: CallInfo): string | null {
    if (call.fqn === undefined) call.fqn = this.resolver.resolve(call.callee, call.scope, call.calleeType);
    return call.fqn;
  }

  /**
   * From now on, remember lookups. Called once the decorators' names are resolved (resolution
   * reads them, for `@staticmethod`): nothing that lookups read changes after that.
   */
  cacheLookups(): void {
    this.resolver.cacheLookups();
  }

  /**
   * The qualified name a dotted name written in `scope` refers to, from its text (`a.b.c`, spaces
   * around dots allowed): what `resolve` gives for an identifier or attribute node with this text.
   * Null when the text is not a plain dotted name.
   */
  resolveDotted(text: string, scope: Scope): string | null | undefined {
    return this.resolver.resolveDotted(text, scope);
  }

  /**
   * Identifiers named `name` (not attribute names or keyword names), found by a text search instead
   * of a walk over every node. `within` limits the search to one node.
   */
  identifierUses(name: string, within?: Node): Node[] {
    const from = within?.startIndex ?? 0;
    const to = within?.endIndex ?? this.text.length;
    const out: Node[] = [];
    // the name escaped, not stripped: a name of non-ASCII letters only would leave an empty pattern,
    // whose zero-length match never advances (an endless loop)
    if (!name) return out;
    const re = new RegExp(`(?<![\\w.])${escapeRegExp(name)}(?!\\w)`, 'g');
    const slice = this.text.slice(from, to);
    for (let m = re.exec(slice); m; m = re.exec(slice)) {
      checkTime();
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
      checkTime();
      const id = within.descendantForIndex(at, at + name.length);
      if (id && id.type === 'identifier' && id.startIndex === at && id.endIndex === at + name.length) out.push(id);
    }
    return out;
  }

  /** `<expr>.<name>` attribute nodes (`DBOS.sql_session`), found by a text search. */
  attributesNamed(name: string): Node[] {
    const out: Node[] = [];
    if (!this.text.includes(name)) return out;
    const re = new RegExp(`\\.\\s*${name.replace(/[^\w]/g, '')}(?!\\w)`, 'g');
    for (let m = re.exec(this.text); m; m = re.exec(this.text)) {
      checkTime();
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

  /**
   * The method name of a call on an attribute (`load` for `store.load(...)`), read from the text: an
   * attribute node ends with its name. Null for other callees.
   */
  methodOf(call: CallInfo): string | null {
    if (call.calleeType !== 'attribute') return null;
    const text = this.textOf(call.callee);
    let i = text.length;
    for (; i > 0; i--) {
      const c = text.charCodeAt(i - 1);
      if (c >= 128) {
        // a name with other letters than ASCII: read from the tree
        const attr = call.callee.childForFieldName('attribute');
        return attr ? this.textOf(attr) : null;
      }
      if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) break;
    }
    return i < text.length ? text.slice(i) : null;
  }

  /**
   * In the body of a `try` that has `except` handlers, in the same function (a nested `def` or
   * `lambda` between them runs later, outside the `try`).
   */
  inHandledTry(node: Node): boolean {
    if (this.tries.length === 0) return false;
    if (!this.handledTries) {
      this.handledTries = [];
      for (const t of this.tries) {
        const body = t.node.childForFieldName('body');
        if (body && t.node.namedChildren.some((x) => x?.type === 'except_clause')) this.handledTries.push({ start: body.startIndex, end: body.endIndex, fn: t.scope.fn });
      }
    }
    const at = node.startIndex;
    let fn: FunctionInfo | null | undefined;
    for (const t of this.handledTries) {
      if (at < t.start || at >= t.end) continue;
      fn ??= this.scopeOf(node).fn;
      if (fn === t.fn) return true;
    }
    return false;
  }

  /** The local function a call targets (`helper()`, `self.helper()`, `Cls.helper()`), if any. */
  targetFunction(call: CallInfo): FunctionInfo | undefined {
    const fqn = this.calleeFqn(call);
    if (fqn) {
      const f = this.functionsByFqn.get(fqn);
      if (f) return f;
    }
    const cls = call.scope.fn?.cls;
    if (cls && call.calleeType === 'attribute') {
      // `self.name` / `cls.name` read from the text; anything else (comments, calls) from the tree
      const text = this.textOf(call.callee);
      const m = SELF_ATTR.exec(text);
      if (m) return cls.methods.find((x) => x.name === m[2]);
      if (!/^(self|cls)(?!\w)/.test(text)) return undefined; // the object cannot be `self` or `cls`
      const obj = call.callee.childForFieldName('object');
      const method = this.methodOf(call);
      if (obj && method && (this.textOf(obj) === 'self' || this.textOf(obj) === 'cls')) {
        return cls.methods.find((m) => m.name === method);
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

/** `name =` or `a.b =` at the start of an assignment: a target with no annotation. */
const PLAIN_TARGET = /^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*\s*=(?!=)/;
