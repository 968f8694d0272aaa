// Declared and inferred types of a module's names, as the resolver reads them: the instance an
// annotation names (`x: Optional[Session]`), an element of an annotated tuple, and what a call of a
// function of the module gives (its return annotation, or the one instance all its returns give; the
// instances of several classes a factory returns).
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { FunctionInfo, Scope } from './types';
import { checkTime } from '../budget';

/** What the type reader asks the resolver: the qualified name of an expression or a dotted name in a scope. */
export interface NameResolution {
  resolveIn(node: Node, scope: Scope, depth: number): string | null;
  resolveDottedIn(text: string, scope: Scope, depth: number): string | null;
}

/** A dotted name, as text: `a`, `a.b.c` (spaces and line breaks around dots allowed). */
export const DOTTED = /^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*$/;

export class DeclaredTypes {
  /** What a call of each function gives (`returnedInstance`), once asked. */
  private readonly returned = new Map<FunctionInfo, string | null>();
  /** What the returns of each function give (`returnsOf`), once walked. */
  private readonly returnedAll = new Map<FunctionInfo, { found: string[]; all: boolean } | null>();

  constructor(
    private readonly m: ModuleModel,
    private readonly r: NameResolution,
  ) {}

  /**
   * What a parameter annotated `text` holds: an instance of the class the annotation names, in the
   * form an assignment `x = Cls()` gives (`requests.Session()`; `dbos.DBOS` for DBOS itself). Plain
   * dotted names, `Optional[X]`, `Union[X, None]`, `X | None`, `Annotated[X, ...]` and a string
   * `"X"`; null for anything else (several classes, other generics, unknown names). `fn` is the
   * function whose parameter it is: the annotation is read in the scope around its definition.
   */
  annotatedInstance(text: string, fn: FunctionInfo | null, depth: number): string | null {
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
        const head = this.r.resolveDottedIn(generic[1].trim(), scope, depth);
        const args = splitTopLevel(generic[2], ',');
        if (head && OPTIONAL.has(head) && args.length === 1) t = args[0];
        else if (head && UNION.has(head)) t = oneNotNone(args);
        else if (head && ANNOTATED.has(head)) t = args[0];
        else return null;
        continue;
      }
      if (!DOTTED.test(t) || t === 'None') return null;
      const cls = this.r.resolveDottedIn(t, scope, depth);
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
  tupleElement(element: { value: Node; index: number }, scope: Scope, depth: number): string | null {
    let call: Node | null = element.value;
    if (call.type === 'await') call = call.namedChildren.find((c) => c?.type === 'call') ?? null;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    const f = callee ? this.r.resolveIn(callee, scope, depth + 1) : null;
    const fn = f ? this.m.functionsByFqn.get(f) : undefined;
    const type = fn && !fn.isLambda ? fn.node.childForFieldName('return_type') : null;
    const generic = type ? SUBSCRIPTED.exec(this.m.textOf(type).trim()) : null;
    if (!fn || !generic || !TUPLE.has(this.r.resolveDottedIn(generic[1], { fn: fn.parent, cls: fn.cls, mainGuard: false }, depth + 1) ?? '')) return null;
    const parts = splitTopLevel(generic[2], ',').map((p) => p.trim());
    const part = parts[element.index];
    return part && !parts.includes('...') ? this.annotatedInstance(part, fn, depth + 1) : null;
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
      const head = yielded ? this.r.resolveDottedIn(yielded[1], { fn: fn.parent, cls: fn.cls, mainGuard: false }, 0) : null;
      if (!yielded || !head || !YIELDING.has(head)) return null;
      text = splitTopLevel(yielded[2], ',')[0];
    }
    return this.annotatedInstance(text, fn, 0);
  }

  /**
   * The instances a function's own `return`s give when they are not all one class (a factory,
   * annotated or not: `if kind == "openai": return OpenAIProvider()` ... `return EchoProvider()`),
   * in the order written, each once, at most MAX_RETURNED: the classes one of whose methods a call on
   * its result may enter. Returns of anything else (`None`, an unknown value) are left out. Empty when
   * fewer than two distinct instances are returned, or when the one returned is `returnedInstance`;
   * for an annotated function, also when its annotation names no class of a module (a builtin, a
   * generic, `None`): a factory annotates what it makes with their base.
   */
  returnedInstances(fn: FunctionInfo): string[] {
    const declared = this.returnedInstance(fn);
    const returns = this.returnsOf(fn, !!declared && !declared.startsWith('builtins.'));
    if (!returns || returns.found.length === 0) return NONE;
    return returns.found.length > 1 || returns.found[0] !== declared ? returns.found : NONE;
  }

  /**
   * The instances the `return`s of a function's own body give (`found`, each once, at most
   * MAX_RETURNED) and whether every return gives one (`all`); null for a lambda, a generator or a body
   * without `return`. One walk per function, shared by `inferredReturn` and `returnedInstances`;
   * `walk`: whether to walk when it has not been walked yet.
   */
  private returnsOf(fn: FunctionInfo, walk = true): { found: string[]; all: boolean } | null {
    let hit = this.returnedAll.get(fn);
    if (hit !== undefined || !walk) return hit ?? null;
    hit = null;
    const body = fn.body;
    if (!fn.isLambda && body && this.m.textHas(body, 'return') && !this.m.textHas(body, 'yield')) {
      const found: string[] = [];
      let all = true;
      let any = false;
      for (const r of body.descendantsOfType('return_statement')) {
        checkTime();
        if (!r || this.m.scopeOf(r).fn !== fn) continue;
        any = true;
        const value = r.namedChildren.find((c) => c && c.type !== 'comment');
        const v = value ? this.r.resolveIn(value, { fn, cls: null, mainGuard: false }, 1) : null;
        if (!v || !v.endsWith('()')) {
          all = false;
          continue;
        }
        if (!found.includes(v) && found.length < MAX_RETURNED) found.push(v);
      }
      if (any) hit = { found, all };
    }
    this.returnedAll.set(fn, hit);
    return hit;
  }

  /**
   * An unannotated function whose every `return` (of its own body; at least one, no bare one, not a
   * generator) gives the same instance: `return OpenAI()`, or a client cached in a module variable.
   */
  private inferredReturn(fn: FunctionInfo): string | null {
    const returns = this.returnsOf(fn);
    return returns && returns.all && returns.found.length === 1 ? returns.found[0] : null;
  }
}

/** How many classes `returnedInstances` names at most. */
const MAX_RETURNED = 8;
const NONE: string[] = [];

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
