// The build pass of the module model: one pass over the interesting nodes of the tree (a single
// `descendantsOfType`), filling the model's functions, classes, calls, withs, bindings and imports.
import type { Language, Node } from 'web-tree-sitter';
import { normalizeFqn } from './names';
import type { ModuleModel } from './module';
import type { ScopeIndex } from './scope';
import type { Binding, CallInfo, ClassInfo, FunctionInfo, Scope, ScopeInfo, WithInfo } from './types';
import { calleeTypeFromText, LazyBinding, ModelCall, ParameterBinding } from './lazy';
import { checkTime } from '../budget';

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
  'try_statement',
  'delete_statement',
  'yield',
];

const keywordsByLanguage = new WeakMap<Language, Set<number>>();
/** The ids of the keyword tokens among INTERESTING (the `lambda` and `yield` keywords share their names with the nodes). */
function keywordIds(language: Language): Set<number> {
  let ids = keywordsByLanguage.get(language);
  if (!ids) {
    ids = new Set();
    for (const name of INTERESTING) {
      const id = language.idForNodeType(name, false);
      if (id !== null && !language.nodeTypeIsNamed(id)) ids.add(id);
    }
    keywordsByLanguage.set(language, ids);
  }
  return ids;
}

const MAIN_GUARD = /^__name__\s*==\s*(['"])__main__\1$|^(['"])__main__\2\s*==\s*__name__$/;

interface StackEntry {
  end: number;
  bodyStart: number;
  scope: Scope;
  /** The def, lambda or class node (null for a main guard). */
  def: Node | null;
}

/** Fills a model from its tree; used once, by the model's constructor. */
export class ModelBuilder {
  /** Decorated definitions seen by the build whose definition has not been reached yet. */
  private readonly pendingDecorated: Node[] = [];

  constructor(
    private readonly m: ModuleModel,
    private readonly scopes: ScopeIndex,
    private readonly functionByNodeId: Map<number, FunctionInfo>,
  ) {}

  build(): void {
    const moduleScope: Scope = { fn: null, cls: null, mainGuard: false };
    const stack: StackEntry[] = [];
    // main guards are module-level `if`s: found among the module's statements, not by a tree walk
    const guards: Node[] = [];
    for (const c of this.m.root.namedChildren) {
      if (c?.type !== 'if_statement') continue;
      const cond = c.childForFieldName('condition');
      const body = c.childForFieldName('consequence');
      if (cond && body && MAIN_GUARD.test(this.m.textOf(cond).trim())) guards.push(c);
    }
    const nodes: (Node | null)[] = this.m.root.descendantsOfType(INTERESTING);
    const language = this.m.root.tree.language;
    const types = language.types;
    const keywords = keywordIds(language);
    if (guards.length > 0) {
      // put each guard in document order among the collected nodes so its body opens a scope
      nodes.push(...guards);
      nodes.sort((a, b) => a!.startIndex - b!.startIndex || b!.endIndex - a!.endIndex);
    }
    for (const node of nodes) {
      if (!node) continue;
      checkTime();
      const start = node.startIndex;
      while (stack.length > 0 && start >= stack[stack.length - 1].end) stack.pop();
      let scope = moduleScope;
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i].bodyStart <= start) {
          scope = stack[i].scope;
          break;
        }
      }
      const info: ScopeInfo = scope.fn ?? this.m.module;
      // one read gives both the type and whether the node is a keyword token (`lambda`, `yield`)
      const typeId = node.typeId;
      const type = types[typeId] ?? 'ERROR';
      switch (type) {
        case 'decorated_definition':
          this.pendingDecorated.push(node);
          break;
        case 'try_statement':
          this.m.tries.push({ node, scope });
          break;
        case 'call': {
          const callee = node.childForFieldName('function');
          if (!callee) break;
          let def: Node | null = null;
          for (let i = stack.length - 1; i >= 0 && !def; i--) def = stack[i].def;
          const call: CallInfo = new ModelCall(node, callee, scope, start, def, calleeTypeFromText(this.m.textOf(callee)));
          this.m.calls.push(call);
          if (scope.fn) scope.fn.calls.push(call);
          else this.m.moduleCalls.push(call);
          this.scopes.byNode.set(node.id, scope);
          break;
        }
        case 'function_definition':
        case 'lambda': {
          if (keywords.has(typeId)) break; // the `lambda` keyword token has the same type name
          const fn = this.addFunction(node, scope, type === 'lambda');
          const body = fn.body;
          // pushed without a body too (a broken def): it still encloses its calls (`CallInfo.def`)
          stack.push({ end: node.endIndex, bodyStart: body ? body.startIndex : Infinity, scope: { fn, cls: null, mainGuard: false }, def: node });
          break;
        }
        case 'class_definition': {
          const cls = this.addClass(node, scope);
          const body = node.childForFieldName('body');
          if (body) this.scopes.classBodyStart.set(cls, body.startIndex);
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
          if (type === 'assignment') this.m.assignments.push(node);
          if (type !== 'named_expression') this.m.storesAndYields.push(node);
          // `session: Session` (or `= field(...)`) in a class body declares the instances' attribute
          if (type === 'assignment' && scope.cls && !scope.fn) this.addDeclared(node, scope.cls);
          this.addAssignment(node, info, type);
          break;
        case 'delete_statement':
        case 'yield':
          this.m.storesAndYields.push(node);
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
            this.m.mainGuards.push(node);
            this.scopes.guardBodies.set(node.id, [body.startIndex, body.endIndex]);
            stack.push({ end: body.endIndex, bodyStart: body.startIndex, scope: { fn: null, cls: null, mainGuard: true }, def: null });
          }
          break;
        }
        case 'global_statement':
        case 'nonlocal_statement':
          if (scope.fn) {
            const set = type === 'global_statement' ? scope.fn.globals : scope.fn.nonlocals;
            for (const c of node.namedChildren) if (c && c.type === 'identifier') set.add(this.m.textOf(c));
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

  private addFunction(node: Node, scope: Scope, isLambda: boolean): FunctionInfo {
    const nameNode = isLambda ? null : node.childForFieldName('name');
    const name = nameNode ? this.m.textOf(nameNode) : '<lambda>';
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
      fqn: `${this.m.moduleName}.${qualname}`,
      isAsync: !isLambda && /^async\b/.test(this.m.text.slice(node.startIndex, node.startIndex + 6)),
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
        const ptype = p.type;
        const [id, splat] = ptype === 'identifier' ? [p, false] : paramIdentifier(p);
        if (id) {
          const pname = this.m.textOf(id);
          fn.params.push(pname);
          // `name: T` or `name: T = default` (not `*args: T`, `**kw: T`): the annotation is read on first use
          const annotated = (ptype === 'typed_parameter' || ptype === 'typed_default_parameter') && !splat;
          // `now=time.time`: a default that names a function (a call's result or a literal says nothing of one)
          const def = ptype === 'default_parameter' || ptype === 'typed_default_parameter' ? p.childForFieldName('value') : null;
          const defaultRef = def && (def.type === 'identifier' || def.type === 'attribute') ? def : null;
          pushBinding(fn.bindings, pname, annotated ? new ParameterBinding(p, id, this.m, defaultRef) : { value: null, node: id, defaultRef });
        }
      }
    }
    if (!isLambda) {
      const target: ScopeInfo = cls ? classScope(cls) : parent ?? this.m.module;
      pushBinding(target.bindings, name, { value: node, node: nameNode ?? node });
      if (cls) cls.methods.push(fn);
    }
    this.m.functions.push(fn);
    const earlier = this.m.functionsByFqn.get(fn.fqn);
    if (earlier && !isLambda) this.m.redefinitions.set(fn.fqn, [...(this.m.redefinitions.get(fn.fqn) ?? [earlier]), fn]);
    this.m.functionsByFqn.set(fn.fqn, fn);
    this.functionByNodeId.set(node.id, fn);
    return fn;
  }

  private addClass(node: Node, scope: Scope): ClassInfo {
    const nameNode = node.childForFieldName('name');
    const name = nameNode ? this.m.textOf(nameNode) : '<class>';
    const prefix = scope.cls ? scope.cls.qualname + '.' : scope.fn ? scope.fn.qualname + '.<locals>.' : '';
    const statement = this.decoratedStatement(node);
    const supers = node.childForFieldName('superclasses');
    const cls: ClassInfo = {
      node,
      statement,
      name,
      qualname: prefix + name,
      fqn: `${this.m.moduleName}.${prefix}${name}`,
      decorators: statement !== node ? this.decoratorsOf(statement) : [],
      // a generic base (`Channel[T]`, `Generic[T]`) is the class it subscripts
      bases: supers
        ? (supers.namedChildren.filter((c) => c && c.type !== 'keyword_argument' && c.type !== 'comment') as Node[]).map((c) =>
            c.type === 'subscript' ? (c.childForFieldName('value') ?? c) : c,
          )
        : [],
      methods: [],
      parentFunction: scope.fn,
      selfAttrs: new Map(),
      declared: new Map(),
      body: { bindings: new Map(), imports: new Map() },
    };
    const target: ScopeInfo = scope.fn ?? this.m.module;
    pushBinding(target.bindings, name, { value: node, node: nameNode ?? node });
    this.m.classes.push(cls);
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
          if (mod && alias) info.imports.set(this.m.textOf(alias), normalizeFqn(this.dotted(mod)));
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
      this.m.starImports.push(normalizeFqn(mod));
      return;
    }
    for (const n of node.childrenForFieldName('name')) {
      if (!n) continue;
      if (n.type === 'aliased_import') {
        const nm = n.childForFieldName('name');
        const alias = n.childForFieldName('alias');
        if (nm && alias) info.imports.set(this.m.textOf(alias), normalizeFqn(`${mod}.${this.dotted(nm)}`));
      } else {
        const nm = this.dotted(n);
        info.imports.set(nm, normalizeFqn(`${mod}.${nm}`));
      }
    }
  }

  private relativeModule(node: Node): string {
    const text = this.m.textOf(node).replace(/\s+/g, '');
    const dots = /^\.+/.exec(text)?.[0].length ?? 0;
    const rest = text.slice(dots);
    const parts = this.m.moduleName.split('.');
    // in a package's __init__.py the module is the package itself: `.` is that package
    const inInit = /(^|[\\/])__init__\.pyi?$/.test(this.m.path) ? 1 : 0;
    const base = parts.slice(0, Math.max(0, parts.length - dots + inInit));
    return [...base, ...(rest ? [rest] : [])].join('.') || rest;
  }

  /** A class-body assignment `name: T = value` or `name = value`: the instances' attribute and its default. */
  private addDeclared(node: Node, cls: ClassInfo): void {
    const head = /^([A-Za-z_]\w*)\s*(:|=(?!=))/.exec(this.m.text.slice(node.startIndex, node.startIndex + 160));
    if (!head) return;
    pushBinding(cls.body.bindings, head[1], new LazyBinding(node, 'left', 'right'));
    if (head[2] !== ':') return;
    const left = node.childForFieldName('left');
    const type = node.childForFieldName('type');
    if (left?.type === 'identifier' && type) cls.declared.set(this.m.textOf(left), this.m.textOf(type));
  }

  private addAssignment(node: Node, info: ScopeInfo, type: string): void {
    // Fast path, from the text alone: `name = ...`, `name: T = ...`, `self.attr = ...`, `name += ...`.
    // The nodes of the target and the value are only fetched if a lookup needs them.
    const head = this.m.text.slice(node.startIndex, node.startIndex + 160);
    if (type === 'assignment') {
      const m = SIMPLE_ASSIGN.exec(head);
      if (m) {
        const method = info as Partial<FunctionInfo>;
        if (m[2] === undefined) pushBinding(info.bindings, m[1], new LazyBinding(node, 'left', 'right'));
        else {
          if (m[1] !== 'self') this.m.attributeStores.add(m[2]);
          if (method.cls && method.params && m[1] === method.params[0]) pushBinding(method.cls.selfAttrs, m[2], new LazyBinding(node, 'left', 'right'));
        }
        // any other `obj.attr = v` binds no name
        return;
      }
    } else if (type === 'augmented_assignment') {
      const m = /^([A-Za-z_]\w*)\s*[-+*/%&|^@<>]{1,3}=/.exec(head);
      if (m) {
        pushBinding(info.bindings, m[1], new LazyBinding(node, 'left', null));
        return;
      }
    }
    const left = node.childForFieldName(type === 'named_expression' ? 'name' : 'left');
    if (!left) return;
    const right = node.childForFieldName(type === 'named_expression' ? 'value' : 'right');
    if (type === 'augmented_assignment') {
      if (left.type === 'identifier') pushBinding(info.bindings, this.m.textOf(left), { value: null, node: left });
      return;
    }
    const obj = left.type === 'attribute' ? left.childForFieldName('object') : null;
    const attr = obj ? left.childForFieldName('attribute') : null;
    if (type === 'assignment' && obj && attr && this.m.textOf(obj) !== 'self') this.m.attributeStores.add(this.m.textOf(attr));
    if (type === 'assignment' && !right) return; // bare annotation `x: int`
    const method = info as Partial<FunctionInfo>;
    if (left.type === 'attribute' && right && method.cls && method.params) {
      // `self.client = OpenAI()` in a method: remembered for `self.client.x` lookups
      if (obj && attr && this.m.textOf(obj) === method.params[0]) pushBinding(method.cls.selfAttrs, this.m.textOf(attr), { value: right, node: left });
      return;
    }
    this.bindTargets(left, right, info);
  }

  private bindTargets(target: Node, value: Node | null, info: ScopeInfo): void {
    if (target.type === 'identifier') {
      pushBinding(info.bindings, this.m.textOf(target), { value, node: target });
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
      // `a, b = f()`: each plain name remembers its position, up to a starred one (`a, *rest = ...`)
      const unpacks = !!value && (target.type === 'pattern_list' || target.type === 'tuple_pattern');
      let index = 0;
      let counted = unpacks;
      for (const c of target.namedChildren) {
        if (!c) continue;
        if (c.type === 'list_splat_pattern') counted = false;
        if (counted && c.type === 'identifier') pushBinding(info.bindings, this.m.textOf(c), { value: null, node: c, element: { value: value!, index } });
        else this.bindTargets(c, null, info);
        index++;
      }
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
    this.m.withs.push(w);
    return w;
  }

  private dotted(node: Node): string {
    return this.m.textOf(node).replace(/\s+/g, '');
  }
}

/** `x = ...`, `x: T = ...` (group 1) or `obj.attr = ...` (groups 1 and 2), read from the text. */
const SIMPLE_ASSIGN = /^([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?\s*(?::[^=\n]*)?=(?!=)/;

function pushBinding(map: Map<string, Binding[]>, name: string, b: Binding): void {
  const list = map.get(name);
  if (list) list.push(b);
  else map.set(name, [b]);
}

/** The name a parameter binds, and whether it is `*name` or `**name`. */
function paramIdentifier(node: Node): [Node | null, boolean] {
  for (const c of node.namedChildren) {
    if (!c) continue;
    const t = c.type;
    if (t === 'identifier') return [c, false];
    if (t === 'list_splat_pattern' || t === 'dictionary_splat_pattern') return [firstIdentifier(c), true];
  }
  return [null, false];
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

/** Class bodies bind names too (methods, class attributes); kept apart from module bindings. */
function classScope(cls: ClassInfo): ScopeInfo {
  return cls.body;
}
