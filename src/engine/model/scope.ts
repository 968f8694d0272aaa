// Scope lookup in the module model: the function, class or main guard whose body holds a node,
// found from the node's offsets among the model's functions and classes.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { ClassInfo, FunctionInfo, Scope } from './types';
import { parentOf } from '../syntax/enclosing';

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

/** The scopes of a model's nodes; the build pass fills the maps, `scopeOf` reads them. */
export class ScopeIndex {
  /** The scope of every call the build collected, by node id. */
  readonly byNode = new Map<number, Scope>();
  readonly classBodyStart = new Map<ClassInfo, number>();
  /** The body (start, end) of each main guard, by the id of its `if` node. */
  readonly guardBodies = new Map<number, [number, number]>();
  private regions: ScopeRegion[] | undefined;

  constructor(private readonly m: ModuleModel) {}

  /**
   * The scope of any node: the innermost function whose body holds it, else the class whose body
   * holds it, else the module (in the main guard or not). Found from the node's offsets among the
   * model's functions and classes, without walking up the tree (`.parent` walks down from the root
   * in web-tree-sitter).
   */
  scopeOf(node: Node): Scope {
    const known = this.byNode.get(node.id);
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
    for (const g of this.m.mainGuards) {
      const body = this.guardBodies.get(g.id);
      if (body && s >= body[0] && e <= body[1]) return { fn: null, cls: null, mainGuard: true };
    }
    return { fn: null, cls: null, mainGuard: false };
  }

  /** Functions and classes in document order, each with the index of the one enclosing it (-1: none). */
  private scopeRegions(): ScopeRegion[] {
    if (this.regions) return this.regions;
    const all: ScopeRegion[] = [];
    for (const fn of this.m.functions) {
      all.push({ start: fn.node.startIndex, end: fn.node.endIndex, bodyStart: fn.body ? fn.body.startIndex : Infinity, bodyEnd: fn.body ? fn.body.endIndex : -1, fn, cls: null, up: -1 });
    }
    for (const cls of this.m.classes) {
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
    for (let p = parentOf(node); p; child = p, p = parentOf(p)) {
      if (p.type === 'function_definition' || p.type === 'lambda') {
        const body = p.childForFieldName('body');
        if (body && child.startIndex >= body.startIndex && child.endIndex <= body.endIndex) {
          return { fn: this.m.functionOf(p) ?? null, cls: null, mainGuard: false };
        }
      } else if (p.type === 'class_definition') {
        const body = p.childForFieldName('body');
        if (body && child.startIndex >= body.startIndex) {
          const cls = this.m.classes.find((c) => c.node.id === p.id) ?? null;
          return { fn: cls?.parentFunction ?? null, cls, mainGuard: false };
        }
      } else if (p.type === 'if_statement' && this.m.mainGuards.some((g) => g.id === p.id)) {
        const body = p.childForFieldName('consequence');
        if (body && child.startIndex >= body.startIndex && child.endIndex <= body.endIndex) mainGuard = true;
      }
    }
    return { fn: null, cls: null, mainGuard };
  }
}
