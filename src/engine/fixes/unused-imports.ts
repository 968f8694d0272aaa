// Imports that fixes leave unused: `time.sleep(...)` rewritten to `DBOS.sleep(...)` everywhere leaves
// `import time` behind, which Ruff (F401) and reviewers then flag. Only names the fixes stopped using
// are removed: an import that was already unused before is the user's business.
import type { Node, Tree } from 'web-tree-sitter';
import { parsePython } from '../syntax/parser';
import { LineIndex } from '../text';
import { holds } from '../syntax/enclosing';
import type { TextEdit } from '../types';

interface ImportedName {
  /** The name the import binds (`time`, `sleep`, `np`). */
  bound: string;
  /** The `dotted_name` or `aliased_import` node of that name. */
  node: Node;
  /** The import statement. */
  statement: Node;
}

function withTree<T>(text: string, f: (tree: Tree) => T): T {
  const tree = parsePython(text);
  try {
    return f(tree);
  } finally {
    tree.delete();
  }
}

/** The names bound by the top-level `import x` / `from m import a, b as c` statements (star imports and `__future__` left out). */
function importedNames(root: Node): ImportedName[] {
  const out: ImportedName[] = [];
  for (const st of root.namedChildren) {
    if (!st) continue;
    if (st.type === 'import_statement') {
      for (const n of st.childrenForFieldName('name')) {
        if (!n) continue;
        // `import a.b` binds `a`; `import a.b as c` binds `c`
        const bound = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text.split('.')[0];
        if (bound) out.push({ bound, node: n, statement: st });
      }
    } else if (st.type === 'import_from_statement') {
      if (st.descendantsOfType('wildcard_import').length > 0) continue;
      for (const n of st.childrenForFieldName('name')) {
        if (!n) continue;
        const bound = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
        if (bound) out.push({ bound, node: n, statement: st });
      }
    }
  }
  return out;
}

/** How often each name is read outside import statements (from offsets: no walk up the tree per identifier). */
function uses(root: Node): Map<string, number> {
  const counts = new Map<string, number>();
  const imports = root.descendantsOfType(['import_statement', 'import_from_statement', 'future_import_statement']).filter((n): n is Node => !!n);
  // `x.sleep` and `f(sleep=1)` do not read a name `sleep`
  const notReads = new Set<number>();
  for (const n of root.descendantsOfType(['attribute', 'keyword_argument'])) {
    const field = n?.childForFieldName(n.type === 'attribute' ? 'attribute' : 'name');
    if (field) notReads.add(field.id);
  }
  for (const id of root.descendantsOfType('identifier')) {
    if (!id || notReads.has(id.id) || imports.some((i) => holds(i, id))) continue;
    counts.set(id.text, (counts.get(id.text) ?? 0) + 1);
  }
  return counts;
}

/**
 * Edits to `after` that remove the imported names `before` used and `after` no longer does: the
 * whole statement when none of its names is left, else the name from its list.
 */
export function importsMadeUnused(before: string, after: string): TextEdit[] {
  const usedBefore = withTree(before, (t) => uses(t.rootNode));
  return withTree(after, (tree) => {
    const usedAfter = uses(tree.rootNode);
    // `__all__ = ["x"]` re-exports by string: keep anything the module names in a string there
    const dropped = importedNames(tree.rootNode).filter(
      (n) => (usedBefore.get(n.bound) ?? 0) > 0 && !usedAfter.has(n.bound) && !new RegExp(`["']${n.bound}["']`).test(after),
    );
    if (dropped.length === 0) return [];
    const lines = new LineIndex(after);
    const edits: TextEdit[] = [];
    const byStatement = new Map<number, ImportedName[]>();
    for (const d of dropped) byStatement.set(d.statement.id, [...(byStatement.get(d.statement.id) ?? []), d]);
    for (const group of byStatement.values()) {
      const st = group[0].statement;
      const names = st.childrenForFieldName('name').filter((n): n is Node => !!n);
      if (group.length === names.length) {
        // the whole statement, with its line when it is alone there
        const line = lines.positionAt(st.startIndex).line;
        const endLine = lines.positionAt(st.endIndex).line;
        const alone = after.slice(lines.starts[line], st.startIndex).trim() === '' && after.slice(st.endIndex, lines.lineEnd(endLine)).trim() === '';
        if (alone) {
          const end = endLine + 1 < lines.lineCount ? lines.starts[endLine + 1] : after.length;
          edits.push(lines.edit(lines.starts[line], end, ''));
        } else edits.push(lines.edit(st.startIndex, st.endIndex, 'pass'));
        continue;
      }
      // the names that stay, written as they were
      const kept = names.filter((n) => !group.some((d) => d.node.id === n.id)).map((n) => n.text);
      edits.push(lines.edit(names[0].startIndex, names[names.length - 1].endIndex, kept.join(', ')));
    }
    return edits;
  });
}
