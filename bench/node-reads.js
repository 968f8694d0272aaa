// How often the engine reads the tree through web-tree-sitter's node objects while the CLI's check
// runs on one thread (each read is a call into the parser's wasm, and each node returned a new
// object): counts by property and, with --by-caller, by the engine line that read it. Counted, not
// timed, so two builds compare exactly on a busy machine. Run `npm run pretest` first (it compiles
// the engine to out/).
//   node bench/node-reads.js [--by-caller] <folders...>
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { Node } = require(require.resolve('web-tree-sitter', { paths: [root] }));
const { initParser } = require(path.join(root, 'out/src/engine/syntax/parser.js'));
const check = require(path.join(root, 'out/src/cli/check.js'));
const { walk } = require(path.join(root, 'out/src/engine/project/walk.js'));

const args = process.argv.slice(2);
const byCaller = args[0] === '--by-caller';
const folders = byCaller ? args.slice(1) : args;
if (folders.length === 0) {
  console.error('usage: node bench/node-reads.js [--by-caller] <folders...>');
  process.exit(2);
}

const reads = new Map();
const callers = new Map();
const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
/** Reads under way: a property that reads another (`type` reads `typeId`) counts once. */
let depth = 0;
for (const name of Object.getOwnPropertyNames(Node.prototype)) {
  if (name === 'constructor') continue;
  const d = Object.getOwnPropertyDescriptor(Node.prototype, name);
  const count = () => {
    if (depth > 0) return;
    bump(reads, name);
    if (!byCaller) return;
    // the first frame of the engine under the read
    const line = new Error().stack.split('\n').find((l) => l.includes(`${path.sep}out${path.sep}src${path.sep}`));
    const m = line && /out[\\/]src[\\/](\S+?\.js):(\d+)/.exec(line);
    bump(callers, `${name}  ${m ? `${m[1]}:${m[2]}` : '?'}`);
  };
  const counted = (read) => {
    count();
    depth++;
    try {
      return read();
    } finally {
      depth--;
    }
  };
  if (d.get) Object.defineProperty(Node.prototype, name, { ...d, get() { return counted(() => d.get.call(this)); } });
  else if (typeof d.value === 'function') Node.prototype[name] = function (...a) { return counted(() => d.value.apply(this, a)); };
}

initParser().then(async () => {
  const { files } = walk(folders);
  const roots = check.workspaceRoots(folders);
  const options = { cliLayer: {}, fix: false, unsafeFixes: false, roots, rootFiles: check.rootsListing(folders, roots, files, true) };
  await check.checkFiles(files, options);
  const total = [...reads.values()].reduce((a, b) => a + b, 0);
  const rows = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, n]) => `  ${n.toLocaleString('en-US').padStart(10)}  ${name}`)
      .join('\n');
  console.log(`${files.length} files: ${total.toLocaleString('en-US')} reads of node properties\n${rows(reads, 20)}`);
  if (byCaller) console.log(`\nBy engine line (compiled, out/src):\n${rows(callers, 40)}`);
});
