// The baselines of bench/speed.mjs: what the CLI does minus the checking. Walks the same folders,
// reads every file and parses it with tree-sitter, in one fresh process like the CLI. With --walk,
// also visits every node of each tree once with a tree cursor: the floor that issue 13 names for any
// tree-sitter checker (whatever else it does, it reads the tree at least that much).
//   node bench/parse-only.js [--walk] <folders...>
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { initParser, parsePython } = require(path.join(root, 'out/src/engine/syntax/parser.js'));
const { walk } = require(path.join(root, 'out/src/engine/project/walk.js'));

const args = process.argv.slice(2);
const visit = args[0] === '--walk';
const folders = visit ? args.slice(1) : args;

/** Every node of the tree once, in document order, by a tree cursor; returns how many (so the walk cannot be skipped). */
function visitAll(tree) {
  const cursor = tree.walk();
  let nodes = 0;
  for (;;) {
    nodes++;
    // read what any check reads of a node: its type and where it starts and ends
    cursor.nodeTypeId;
    cursor.startIndex;
    cursor.endIndex;
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return nodes;
      }
    }
  }
}

initParser().then(() => {
  let lines = 0;
  let nodes = 0;
  for (const f of walk(folders).files) {
    const buf = fs.readFileSync(f);
    if (buf.includes(0)) continue;
    const text = buf.toString('utf8');
    lines += text.split('\n').length;
    const tree = parsePython(text);
    if (visit) nodes += visitAll(tree);
    tree.delete();
  }
  process.stdout.write(visit ? `${lines} lines, ${nodes} nodes\n` : `${lines}\n`);
});
