// The baseline of bench/speed.mjs: what the CLI does minus the checking. Walks the same folders,
// reads every file and parses it with tree-sitter, in one fresh process like the CLI.
//   node bench/parse-only.js <folders...>
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { initParser, parsePython } = require(path.join(root, 'out/src/engine/syntax/parser.js'));
const { walk } = require(path.join(root, 'out/src/engine/project/walk.js'));

initParser().then(() => {
  let lines = 0;
  for (const f of walk(process.argv.slice(2)).files) {
    const buf = fs.readFileSync(f);
    if (buf.includes(0)) continue;
    const text = buf.toString('utf8');
    lines += text.split('\n').length;
    parsePython(text).delete();
  }
  process.stdout.write(`${lines}\n`);
});
