// Injected callables: a function passed by reference and called later (`clock: Callable[[], datetime]
// = datetime.now` in a class, `self.clock = clock or time.time`, `def stamp(now=time.time)`), followed
// to the default it holds unless this file may give it another; and what in a module may give one
// (`injectionOverrides`, which facts/reuse.ts keys a module's facts on).
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { ClassInfo, FunctionInfo, Scope } from './types';
import { parentOf } from '../syntax/enclosing';

/** What the injected callables read from the resolver of their model. */
export interface InjectionHost {
  resolveIn(node: Node, scope: Scope, depth: number): string | null;
  resolve(node: Node, scope: Scope): string | null;
}

/** The injected callables of one model (owned by its resolver). */
export class InjectedCallables {
  /** Where each `Cls.attr` default is written, for the related location of a finding. */
  private readonly injectedNodes = new Map<string, Node>();
  private readonly overrides = new Map<string, boolean>();

  constructor(
    private readonly m: ModuleModel,
    private readonly host: InjectionHost,
  ) {}

  /**
   * An injected callable's default, set in the class (`clock: Callable[[], datetime] = datetime.now`,
   * `clock = time.time`) or in a method (`self.clock = clock or time.time`): the function it names,
   * when every value agrees and this file passes the class no other (see `overridden`). Null otherwise,
   * and for anything but a function's name (an instance, a literal).
   */
  default(cls: ClassInfo, attr: string, depth: number): string | null {
    let result: string | null = null;
    const around: Scope = { fn: cls.parentFunction, cls: null, mainGuard: false };
    const values: [Node, Scope][] = [];
    for (const b of cls.body.bindings.get(attr) ?? []) {
      if (b.value?.type === 'function_definition') return null;
      if (b.value) values.push([b.value, around]);
    }
    for (const b of cls.selfAttrs.get(attr) ?? []) {
      const f = b.value ? this.m.functionOf(enclosingDef(b.node)!) : null;
      if (b.value && f) values.push([b.value, { fn: f, cls: null, mainGuard: false }]);
    }
    for (const [value, scope] of values) {
      if (value.type === 'none') continue;
      const r = this.host.resolveIn(value, scope, depth + 1);
      if (!r || r.endsWith('()') || (result !== null && r !== result)) return null;
      if (result === null) this.injectedNodes.set(`${cls.fqn}.${attr}`, this.defaultNode(value, scope) ?? value);
      result = r;
    }
    return result && !this.overridden(cls, attr) ? result : null;
  }

  /**
   * Whether this file may give an instance of `cls` another `attr` than its default: an assignment
   * `x.attr = ...` on anything but `self`, or a call of the class (by its name) with the keyword `attr=`
   * (a dataclass field, an `__init__` parameter of that name) or with positional arguments. Read from
   * `injectionOverrides` alone, which facts/reuse.ts keys the module's facts on.
   */
  overridden(cls: ClassInfo, attr: string): boolean {
    const key = `${cls.fqn}.${attr}`;
    let hit = this.overrides.get(key);
    if (hit !== undefined) return hit;
    const o = injectionOverrides(this.m);
    hit = o.assigned.has(attr) || (o.constructed.get(cls.name) ?? []).some((args) => args.some((a) => a === '' || a === attr));
    this.overrides.set(key, hit);
    return hit;
  }

  /** `Cls().attr` for a class of this module: the injected callable `attr` holds by default, else null. */
  instanceMember(instance: string, attr: string, depth: number): string | null {
    if (!instance.endsWith('()')) return null;
    const cls = this.m.classes.find((c) => c.fqn === instance.slice(0, -2));
    if (!cls || cls.methods.some((m) => m.name === attr)) return null;
    return this.default(cls, attr, depth);
  }

  /**
   * A parameter's default that names a function (`def stamp(now=time.time)`): that function. A caller
   * may pass another: the call is summarised as a fallback of that parameter (facts/fallback.ts), so a
   * chain through a call that gives it does not reach the default.
   */
  parameterDefault(fn: FunctionInfo, def: Node, depth: number): string | null {
    const r = this.host.resolveIn(def, { fn: fn.parent, cls: fn.cls, mainGuard: false }, depth + 1);
    return !r || r.endsWith('()') || r === fn.fqn ? null : r;
  }

  /**
   * Where the injected callable a call's callee names gets its default: the parameter default
   * (`now=time.time`), or the value of the class field or `self.attr` assignment
   * (`clock: Callable[[], datetime] = datetime.now`, `self.clock = clock or time.time`). Null for
   * any other callee.
   */
  injectedAt(callee: Node, scope: Scope): Node | null {
    if (callee.type === 'identifier') {
      const name = this.m.textOf(callee);
      for (let f = scope.fn; f; f = f.parent) {
        const bindings = f.bindings.get(name);
        if (!bindings) continue;
        const def = bindings.length === 1 ? bindings[0].defaultRef : null;
        return def && this.parameterDefault(f, def, 1) ? def : null;
      }
      return null;
    }
    const obj = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
    const attrNode = obj ? callee.childForFieldName('attribute') : null;
    if (!obj || !attrNode) return null;
    const attr = this.m.textOf(attrNode);
    let cls: ClassInfo | undefined;
    const method = enclosingMethod(scope);
    if (obj.type === 'identifier' && method?.cls && method.params[0] === this.m.textOf(obj)) cls = method.cls;
    else {
      const head = this.host.resolve(obj, scope);
      cls = head?.endsWith('()') ? this.m.classes.find((c) => c.fqn === head.slice(0, -2)) : undefined;
    }
    if (!cls || !this.default(cls, attr, 1)) return null;
    return this.injectedNodes.get(`${cls.fqn}.${attr}`) ?? null;
  }

  /** Where a value's default is written: `clock or time.time` -> `time.time`; a parameter -> its default. */
  defaultNode(value: Node, scope: Scope): Node | null {
    if (value.type === 'boolean_operator') return value.childForFieldName('right');
    if (value.type !== 'identifier' || !scope.fn) return null;
    const bindings = scope.fn.bindings.get(this.m.textOf(value));
    return bindings?.length === 1 ? (bindings[0].defaultRef ?? null) : null;
  }
}

/** The method whose body holds the scope (its class is `cls`), looking out through nested functions. */
export function enclosingMethod(scope: Scope): FunctionInfo | null {
  let f = scope.fn;
  while (f && !f.cls) f = f.parent;
  return f;
}

/** The `def` whose body holds a node. */
export function enclosingDef(node: Node): Node | null {
  for (let p = parentOf(node); p; p = parentOf(p)) if (p.type === 'function_definition') return p;
  return null;
}

const overridesOf = new WeakMap<ModuleModel, InjectionOverrides>();

/** What may replace an injected callable's default in a module (see InjectedCallables.overridden). */
export interface InjectionOverrides {
  /** Attributes assigned on anything but `self` (`svc.clock = ...`). */
  assigned: ReadonlySet<string>;
  /** For each name a call is made to (`Clocked(...)`, `models.Clocked(...)`): each call's keywords, '' for a positional or unpacked argument. */
  constructed: Map<string, string[][]>;
}

export function injectionOverrides(m: ModuleModel): InjectionOverrides {
  let o = overridesOf.get(m);
  if (o) return o;
  o = { assigned: m.attributeStores, constructed: new Map() };
  const classNames = new Set(m.classes.map((c) => c.name));
  for (const call of classNames.size > 0 ? m.calls : []) {
    const callee = m.textOf(call.callee);
    const name = callee.slice(callee.lastIndexOf('.') + 1).trim();
    if (!classNames.has(name) || call.args?.type !== 'argument_list') continue;
    const args = call.args.namedChildren.filter((x): x is Node => !!x && x.type !== 'comment');
    const keys = args.map((x) => (x.type === 'keyword_argument' ? m.textOf(x.childForFieldName('name')!) : ''));
    let list = o.constructed.get(name);
    if (!list) o.constructed.set(name, (list = []));
    list.push(keys);
  }
  overridesOf.set(m, o);
  return o;
}
