// The module model: what one Python file defines, imports and calls, with every function's context.
import type { Node } from 'web-tree-sitter';

/**
 * What a function is, as DBOS and the frameworks around it see it. A function can have several
 * kinds (an HTTP handler that is also a workflow).
 */
export type FunctionKind =
  | 'workflow'
  | 'step'
  /** Legacy `@DBOS.transaction` (2.x). */
  | 'transaction'
  /** `@ds.transaction` on a datasource, or the function passed to `ds.run_tx_step`. */
  | 'dstransaction'
  /** Legacy `@DBOS.scheduled` (2.x). */
  | 'scheduled'
  | 'http'
  /** Runs at program start: called from the `__main__` guard, a lifespan, a startup hook. */
  | 'entry'
  | 'lifespan'
  | 'test'
  | 'fixture';

export interface DecoratorInfo {
  node: Node;
  /** The decorator expression (after `@`). */
  expr: Node;
  /** Qualified name of what is applied: the callee for `@x.y(...)`, the value for `@x.y`. */
  fqn: string | null;
  /** `@x.y(...)` (or a variable holding the result of such a call). */
  called: boolean;
  /** The argument list when called in place. */
  args: Node | null;
}

/** A name bound in a scope. `value` is the assigned expression, null for parameters, loop targets, etc. */
export interface Binding {
  value: Node | null;
  node: Node;
  /**
   * For a parameter with an annotation (`s: requests.Session`): the annotation's text, read on
   * first use. The resolver takes a parameter annotated with a class for an instance of it.
   */
  readonly annotation?: string | null;
  /** For a name unpacked from a value (`session, created = open_session()`): that value and the name's position. */
  readonly element?: { value: Node; index: number };
  /**
   * For a parameter with a default that names a function (`now=time.time`, `clock: Clock = datetime.now`):
   * the default, which the resolver takes for the parameter's value when its annotation says nothing.
   */
  readonly defaultRef?: Node | null;
}

export interface ScopeInfo {
  /** Names bound in this scope, in source order. */
  bindings: Map<string, Binding[]>;
  /** Names bound by import statements in this scope, to their qualified names. */
  imports: Map<string, string>;
}

export interface FunctionInfo extends ScopeInfo {
  /** `function_definition` or `lambda`. */
  node: Node;
  /** The statement to move or insert before: `decorated_definition` when decorated. */
  statement: Node;
  name: string;
  qualname: string;
  fqn: string;
  isAsync: boolean;
  isLambda: boolean;
  decorators: DecoratorInfo[];
  kinds: Set<FunctionKind>;
  /** Enclosing function, if nested. */
  parent: FunctionInfo | null;
  /** The class whose body defines this function directly (a method). */
  cls: ClassInfo | null;
  /** `block` for a def, the expression for a lambda. */
  body: Node | null;
  params: string[];
  /** Names declared `global` or `nonlocal` in the body. */
  globals: Set<string>;
  nonlocals: Set<string>;
  /** Calls in the body itself (not in nested functions, lambdas or classes). */
  calls: CallInfo[];
}

export interface ClassInfo {
  node: Node;
  statement: Node;
  name: string;
  qualname: string;
  fqn: string;
  decorators: DecoratorInfo[];
  /** The base classes as written, keyword arguments (`metaclass=`) left out; a generic base `Base[T]` as `Base`. */
  bases: Node[];
  methods: FunctionInfo[];
  /** Enclosing function when the class is defined inside one. */
  parentFunction: FunctionInfo | null;
  /** `self.<name> = value` assignments in the methods of the class. */
  selfAttrs: Map<string, Binding[]>;
  /** Attributes declared in the class body with a type (`session: Session`, dataclass fields), to the annotation's text. */
  declared: Map<string, string>;
  /** Names bound in the class body (fields with their defaults, methods). */
  body: ScopeInfo;
}

/** Where a node sits, for the rules that care about execution context. */
export interface Scope {
  /** Innermost enclosing function (def or lambda) whose body contains the node. */
  fn: FunctionInfo | null;
  /** Class whose body directly contains the node (not inside a method). */
  cls: ClassInfo | null;
  /** Inside `if __name__ == "__main__":` at module level. */
  mainGuard: boolean;
}

export interface CallInfo {
  node: Node;
  /** The callee expression. */
  callee: Node;
  /** The callee's node type (`identifier`, `attribute`, `call`...), read once: prefer it to `callee.type`. */
  readonly calleeType: string;
  args: Node | null;
  scope: Scope;
  start: number;
  end: number;
  /** The innermost `function_definition`, `lambda` or `class_definition` around the call, if any. */
  def: Node | null;
  /** The callee's qualified name, once resolved (`ModuleModel.calleeFqn`). */
  fqn?: string | null;
  /** Arguments without comments, read on first use (analysis/syntax.ts `argList`); do not mutate. */
  argList?: Node[];
  /** The positional ones among them, read on first use (`positionalArgs`); do not mutate. */
  positionalArgs?: Node[];
}

export interface WithInfo {
  node: Node;
  scope: Scope;
  /** Each `with` item: the context manager expression and its `as` target (if any). */
  items: { value: Node; target: Node | null }[];
  body: Node | null;
}
