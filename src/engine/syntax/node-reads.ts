// What the layers above read of a syntax node most often, its type and its field children, read
// from the tree once per node. Each read through web-tree-sitter is a call into the parser's wasm
// (the node is written into wasm memory, the answer read back), and a child also costs a new node
// object; the model, the facts and the rules ask the same nodes again and again (on a folder where
// every file uses DBOS: 380,000 `.type` reads went to 159,000 nodes, 153,000 `childForFieldName`
// to 107,000 node and field pairs). A remembered answer costs a quarter of a read or less.
//
// Kept per tree and keyed by node id. A node's type and its field children are properties of its
// subtree, which an edit of the tree (`tree.edit`) does not change; a new parse is a new tree with
// tables of its own. A child is the same node object each time it is asked for, as any node may be:
// compare nodes by `id`, never by identity.
import type { Language, Node, Tree } from 'web-tree-sitter';

interface Remembered {
  types: Map<number, string>;
  /** Field children by field id, then node id (node ids are small integers: the keys stay unboxed). */
  fields: Map<number, Node | null>[];
  fieldIds: Map<string, number>;
}

const byTree = new WeakMap<Tree, Remembered>();
const fieldIdsByLanguage = new WeakMap<Language, Map<string, number>>();
/** The tables of the tree asked last: most questions in a row are about one tree. */
let lastTree: Tree | null = null;
let last: Remembered | null = null;

function rememberedOf(tree: Tree): Remembered {
  if (tree === lastTree) return last!;
  let r = byTree.get(tree);
  if (!r) byTree.set(tree, (r = { types: new Map(), fields: [], fieldIds: fieldIdsOf(tree.language) }));
  lastTree = tree;
  last = r;
  return r;
}

function fieldIdsOf(language: Language): Map<string, number> {
  let ids = fieldIdsByLanguage.get(language);
  if (!ids) {
    ids = new Map();
    language.fields.forEach((name, id) => {
      if (name !== null) ids!.set(name, id);
    });
    fieldIdsByLanguage.set(language, ids);
  }
  return ids;
}

/** `node.type`, read from the tree the first time it is asked for this node (`node?.type` for none). */
export function typeOf(node: Node): string;
export function typeOf(node: Node | null | undefined): string | undefined;
export function typeOf(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const types = rememberedOf(node.tree).types;
  let t = types.get(node.id);
  if (t === undefined) types.set(node.id, (t = node.type));
  return t;
}

/** Records a type the caller has just read (the model's build pass reads every node it collects). */
export function noteType(node: Node, type: string): void {
  rememberedOf(node.tree).types.set(node.id, type);
}

/** `node.childForFieldName(field)`, read from the tree the first time it is asked for this node and field. */
export function fieldOf(node: Node, field: string): Node | null {
  const r = rememberedOf(node.tree);
  const id = r.fieldIds.get(field);
  if (id === undefined) return node.childForFieldName(field);
  const children = (r.fields[id] ??= new Map());
  let c = children.get(node.id);
  if (c === undefined) children.set(node.id, (c = node.childForFieldId(id)));
  return c;
}
