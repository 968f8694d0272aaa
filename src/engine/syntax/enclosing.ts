// Which of a set of syntax nodes enclose a range, found from offsets instead of `.parent` walks.
// In web-tree-sitter a `.parent` descends from the root (ts_node_parent), so a loop of them costs the
// depth squared per node: quadratic or worse on a deep expression (`a() + a() + ...`, `f(f(...))`).
import type { Node, Tree } from 'web-tree-sitter';
import { checkTime } from '../budget';

/**
 * Nodes of one tree (ranges nested or disjoint, as tree nodes are), sorted once; `around` lists those
 * enclosing a range, innermost first, in O(log n + the number of nodes looked at on the way up).
 */
export class Enclosing {
  private readonly items: Node[];
  /** Offsets of each item, read once (`endIndex` is a call into the wasm). */
  private readonly starts: number[];
  private readonly ends: number[];
  /** Index of the innermost item enclosing each item, -1 for none. */
  private readonly up: number[];

  constructor(nodes: Iterable<Node | null | undefined>) {
    const list: { node: Node; start: number; end: number }[] = [];
    for (const n of nodes) if (n) list.push({ node: n, start: n.startIndex, end: n.endIndex });
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    const up = new Array<number>(list.length);
    const open: number[] = [];
    for (let i = 0; i < list.length; i++) {
      while (open.length > 0 && list[open[open.length - 1]].end <= list[i].start) open.pop();
      up[i] = open.length > 0 ? open[open.length - 1] : -1;
      open.push(i);
    }
    this.items = list.map((x) => x.node);
    this.starts = list.map((x) => x.start);
    this.ends = list.map((x) => x.end);
    this.up = up;
  }

  /** The items whose range holds [start, end) (`start < end`), innermost first; an item equal to the range included. */
  *around(start: number, end: number): Generator<Node> {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= start) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (; i >= 0; i = this.up[i]) {
      checkTime();
      if (this.ends[i] >= end) yield this.items[i];
    }
  }

  /** The innermost item holding the node's range, other than the node itself (`end`: its end, when the caller has read it). */
  innermost(node: Node, end: number = node.endIndex): Node | null {
    for (const n of this.around(node.startIndex, end)) if (n.id !== node.id) return n;
    return null;
  }

  get size(): number {
    return this.items.length;
  }
}

/** Whether `outer`'s range holds `inner`'s. */
export function holds(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * Parents in one tree, found by descents (`childWithDescendant`) and remembered: a web-tree-sitter
 * `.parent` descends from the root every time (depth x width), and a loop of them pays that at every
 * level. Each descent starts from the deepest node of the last path that holds the new node, so
 * questions asked in document order cost about the depth they move; every node passed on the way
 * keeps its parent, so asking about it again costs nothing.
 */
class Finger {
  /** The parent of each node passed by a descent, by node id. */
  private readonly parents = new Map<number, Node>();
  private readonly path: Node[];
  private readonly starts: number[];
  private readonly ends: number[];

  constructor(root: Node) {
    this.path = [root];
    this.starts = [root.startIndex];
    this.ends = [root.endIndex];
  }

  /** Moves the path to `node`; false when the node is not in this tree's descent (a zero-width node at a boundary). */
  moveTo(node: Node): boolean {
    const s = node.startIndex;
    const e = node.endIndex;
    let i = this.path.length - 1;
    // the deepest node of the path that is `node` or strictly holds it (an equal range may be a child)
    while (i > 0 && !(this.path[i].id === node.id || (this.starts[i] <= s && e <= this.ends[i] && (this.starts[i] < s || e < this.ends[i])))) {
      checkTime();
      i--;
    }
    this.truncate(i + 1);
    if (this.path[i].id === node.id) return true;
    if (this.descend(node)) return true;
    // started below a node that only touches it (zero width): again from the root
    this.truncate(1);
    return this.descend(node);
  }

  private descend(node: Node): boolean {
    for (let n = this.path[this.path.length - 1]; ; ) {
      checkTime();
      const c = n.childWithDescendant(node);
      if (!c) return false;
      this.parents.set(c.id, n);
      this.path.push(c);
      this.starts.push(c.startIndex);
      this.ends.push(c.endIndex);
      if (c.id === node.id) return true;
      n = c;
    }
  }

  private truncate(length: number): void {
    this.path.length = length;
    this.starts.length = length;
    this.ends.length = length;
  }

  parent(node: Node): Node | null {
    const known = this.parents.get(node.id);
    if (known) return known;
    if (!this.moveTo(node)) return node.parent;
    return this.path.length >= 2 ? this.path[this.path.length - 2] : null;
  }
}

const fingers = new WeakMap<Tree, Finger>();

function fingerOf(node: Node): Finger {
  let f = fingers.get(node.tree);
  if (!f) fingers.set(node.tree, (f = new Finger(node.tree.rootNode)));
  return f;
}

/** `node.parent`, found by a descent from the last node asked about in the same tree (see `Finger`). */
export function parentOf(node: Node): Node | null {
  checkTime();
  return fingerOf(node).parent(node);
}


/** Loop statements: their body runs once per pass. */
const LOOP_STATEMENTS = new Set(['for_statement', 'while_statement']);
/** Comprehensions and generator expressions: their element runs once per item. */
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
/** Where the passes of a loop around a node stop mattering: a body that runs when called, not per pass. */
const OWN_CODE_ENDS = new Set(['function_definition', 'lambda', 'class_definition']);

/**
 * The loops that may run `node` several times within its own function, class body or module,
 * innermost first: `for` and `while` statements and, unless `statementsOnly`, comprehensions and
 * generator expressions. The nearest enclosing function, lambda or class ends the walk.
 */
export function* loopsAround(node: Node, statementsOnly = false): Generator<Node> {
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (OWN_CODE_ENDS.has(p.type)) return;
    if (LOOP_STATEMENTS.has(p.type) || (!statementsOnly && COMPREHENSIONS.has(p.type))) yield p;
  }
}

/** The innermost loop that may run `node` several times (see `loopsAround`), null when none. */
export function enclosingLoop(node: Node, statementsOnly = false): Node | null {
  for (const loop of loopsAround(node, statementsOnly)) return loop;
  return null;
}
