// Runs the checker over a corpus of real DBOS code and prints what it reports, for review.
//   node bench/corpus.mjs <folder> [--show CODE] [--strict] [--no-index] [--list]
// Files are checked with the project index, as the CLI does (roots from `workspaceRoots`), so
// cross-file chains and registry rules report what users see; `--no-index` checks each file alone.
// `--list` prints every finding (`file:line: CODE severity: message`), for diffs between versions.
// Files named like `*__incorrect__*.py` / `*__correct__*.py` (labelled examples) are scored:
// how many incorrect examples get at least one finding, how many correct ones get a warning or error.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { analyze, initParser } = require(path.join(root, 'out/src/engine/index.js'));
const { ProjectSettings } = require(path.join(root, 'out/src/engine/settings.js'));
const { walk } = require(path.join(root, 'out/src/engine/project/walk.js'));
const { WorkspaceIndex } = require(path.join(root, 'out/src/engine/project/index.js'));
const { workspaceRoots, rootsListing } = require(path.join(root, 'out/src/cli/check.js'));

const args = process.argv.slice(2);
const show = args.includes('--show') ? args[args.indexOf('--show') + 1] : null;
const strict = args.includes('--strict');
const useIndex = !args.includes('--no-index');
const list = args.includes('--list');
const folders = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--show');
if (folders.length === 0) {
  console.error('usage: node bench/corpus.mjs <folder> [--show CODE] [--strict] [--no-index] [--list]');
  process.exit(2);
}
await initParser();
const settings = new ProjectSettings(strict ? [{ profile: 'strict' }] : []);
const counts = new Map();
const labelled = { incorrect: [0, 0], correct: [0, 0] };
let files = 0;
let lines = 0;
const failures = [];
const walked = walk(folders).files;
let index;
if (useIndex) {
  const roots = workspaceRoots(folders);
  index = new WorkspaceIndex({ roots, batch: true, files: rootsListing(folders, roots, walked, true) });
}
for (const f of walked) {
  const buf = fs.readFileSync(f);
  if (buf.includes(0)) continue;
  const text = buf.toString('utf8');
  files++;
  lines += text.split('\n').length;
  const s = settings.forFile(f);
  const r = analyze(text, { path: f, config: s.config, version: s.version, index });
  for (const x of r.ruleFailures) failures.push(`${f}: ${x.code}: ${x.message.split('\n')[0]}`);
  for (const x of r.findings) {
    const k = `${x.code} ${x.severity}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (list) console.log(`${f}:${x.range.start.line + 1}: ${x.code} ${x.severity}: ${x.message.split('\n')[0]}`);
    else if (show && x.code === show) console.log(`${f}:${x.range.start.line + 1}: ${x.severity}: ${x.message}`);
  }
  const label = /__(incorrect|correct)__/.exec(path.basename(f))?.[1];
  if (label) {
    labelled[label][1]++;
    const hit = label === 'incorrect' ? r.findings.length > 0 : r.findings.some((x) => x.severity === 'error' || x.severity === 'warning');
    if (hit) labelled[label][0]++;
    else if (label === 'incorrect' && !show) console.log(`missed (no finding): ${f}`);
    if (label === 'correct' && hit && !show) console.log(`flagged correct example: ${f}: ${r.findings.map((x) => x.code).join(' ')}`);
  }
}
index?.dispose();
console.log(`\n${files} files, ${lines} lines${useIndex ? '' : ' (no project index)'}`);
for (const [k, n] of [...counts].sort()) console.log(`${k.padEnd(24)} ${n}`);
console.log(`labelled incorrect examples with a finding: ${labelled.incorrect[0]}/${labelled.incorrect[1]}`);
console.log(`labelled correct examples with a warning or error: ${labelled.correct[0]}/${labelled.correct[1]}`);
for (const x of failures) console.log(`RULE FAILURE ${x}`);
