// Records of the module model whose nodes are read from the tree on first use (each read is a call
// into the parser's wasm): calls, assignment bindings, annotated parameters.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { Binding, CallInfo, Scope } from './types';

/**
 * The node type of a callee, when its text alone tells: a plain name is an `identifier` (but
 * `True`, `False` and `None` are constants), a dotted name without spaces an `attribute`. Undefined
 * otherwise (the tree is asked).
 */
export function calleeTypeFromText(text: string): string | undefined {
  if (/^[A-Za-z_]\w*$/.test(text)) return text === 'True' || text === 'False' || text === 'None' ? undefined : 'identifier';
  if (/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(text)) return 'attribute';
  return undefined;
}

/** A call of the model; its argument list is fetched from the tree on first use. */
export class ModelCall implements CallInfo {
  fqn?: string | null = undefined;
  argList?: Node[] = undefined;
  positionalArgs?: Node[] = undefined;
  private argsNode: Node | null | undefined = undefined;
  constructor(
    readonly node: Node,
    readonly callee: Node,
    readonly scope: Scope,
    readonly start: number,
    readonly def: Node | null,
    private calleeTypeName: string | undefined,
  ) {}
  private endIndex: number | undefined = undefined;
  get end(): number {
    if (this.endIndex === undefined) this.endIndex = this.node.endIndex;
    return this.endIndex;
  }
  get args(): Node | null {
    if (this.argsNode === undefined) this.argsNode = this.node.childForFieldName('arguments');
    return this.argsNode;
  }
  get calleeType(): string {
    if (this.calleeTypeName === undefined) this.calleeTypeName = this.callee.type;
    return this.calleeTypeName;
  }
}

/** A binding whose target and value nodes are fetched from the tree on first use. */
export class LazyBinding implements Binding {
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

/** A parameter with an annotation; the annotation's text is fetched from the tree on first use. */
export class ParameterBinding implements Binding {
  readonly value = null;
  private text: string | null | undefined = undefined;
  constructor(
    private readonly param: Node,
    readonly node: Node,
    private readonly m: ModuleModel,
    readonly defaultRef: Node | null = null,
  ) {}
  get annotation(): string | null {
    if (this.text === undefined) {
      const t = this.param.childForFieldName('type');
      this.text = t ? this.m.textOf(t) : null;
    }
    return this.text;
  }
}
