// The type of a syntax node, read from the tree once per node. Each `.type` is a call into the
// parser's wasm (the node is written into wasm memory, then its symbol read back), and the layers
// above ask the same nodes again and again: on a folder where every file uses DBOS, 380,000 `.type`
// reads went to 159,000 nodes. A lookup here costs a quarter of a read.
//
// Kept per tree and keyed by node id. A node's type is a property of its subtree, which an edit of
// the tree (`tree.edit`) does not change, so the answers stay true for as long as the tree lives;
// a new parse is a new tree with a table of its own.
import type { Node, Tree } from 'web-tree-sitter';

const byTree = new WeakMap<Tree, Map<number, string>>();
/** The table of the tree asked last: most questions in a row are about one tree. */
let lastTree: Tree | null = null;
let lastTypes = new Map<number, string>();

function typesOf(tree: Tree): Map<number, string> {
  if (tree === lastTree) return lastTypes;
  let types = byTree.get(tree);
  if (!types) byTree.set(tree, (types = new Map()));
  lastTree = tree;
  lastTypes = types;
  return types;
}

/** `node.type`, read from the tree the first time it is asked for this node (`node?.type` for none). */
export function typeOf(node: Node): string;
export function typeOf(node: Node | null | undefined): string | undefined;
export function typeOf(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const types = typesOf(node.tree);
  let t = types.get(node.id);
  if (t === undefined) types.set(node.id, (t = node.type));
  return t;
}

/** Records a type the caller has just read (the model's build pass reads every node it collects). */
export function noteType(node: Node, type: string): void {
  typesOf(node.tree).set(node.id, type);
}
