// The engine's layers point one way: syntax <- model <- fixes <- facts <- project <- rules, each a
// folder of src/engine. A file may import its own layer and the layers below it, and the files at the
// root of src/engine that belong to no layer (types, text, config, settings, data, suppress, words,
// version); those import no layer. The entry points (index.ts, snippets.ts) may import anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const engine = path.resolve(process.env.DBOS_LINT_ROOT ?? process.cwd(), 'src/engine');
const LAYERS = ['syntax', 'model', 'fixes', 'facts', 'project', 'rules'];
/** Entry points above every layer: the engine's API, and the snippets the server completes with. */
const ENTRIES = ['index.ts', 'snippets.ts'];

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The rank of a file: its layer's position, -1 for the shared root files, Infinity for the entry point. */
function rank(file: string): number {
  const rel = path.relative(engine, file).replace(/\\/g, '/');
  if (ENTRIES.includes(rel)) return Infinity;
  const top = rel.split('/')[0];
  const i = LAYERS.indexOf(top);
  return i >= 0 ? i : -1;
}

function layerName(file: string): string {
  const r = rank(file);
  return r === Infinity ? path.relative(engine, file) : r < 0 ? `root (${path.relative(engine, file)})` : LAYERS[r];
}

/** The engine files a file imports (static imports, `import type` included, and `import('...')` types). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
    let target = path.resolve(path.dirname(file), m[1]);
    if (fs.existsSync(target + '.ts')) target += '.ts';
    else if (fs.existsSync(path.join(target, 'index.ts'))) target = path.join(target, 'index.ts');
    else if (!fs.existsSync(target)) continue;
    if (target.startsWith(engine + path.sep) && target.endsWith('.ts')) out.push(target);
  }
  return out;
}

test('every layer is a folder, and no engine file imports a layer above its own', () => {
  for (const l of LAYERS) assert.ok(fs.statSync(path.join(engine, l)).isDirectory(), `src/engine/${l}/`);
  const upward: string[] = [];
  for (const file of filesUnder(engine)) {
    for (const target of importsOf(file)) {
      if (rank(target) > rank(file)) upward.push(`${path.relative(engine, file)} (${layerName(file)}) imports ${path.relative(engine, target)} (${layerName(target)})`);
    }
  }
  assert.deepEqual(upward, []);
});

test('no import cycle between layers, and the layer graph holds every layer', () => {
  const edges = new Set<string>();
  for (const file of filesUnder(engine)) {
    for (const target of importsOf(file)) {
      const a = layerName(file);
      const b = layerName(target);
      if (rank(file) >= 0 && rank(target) >= 0 && a !== b) edges.add(`${a} -> ${b}`);
    }
  }
  for (const e of edges) {
    const [a, b] = e.split(' -> ');
    assert.ok(!edges.has(`${b} -> ${a}`), `cycle between ${a} and ${b}`);
  }
  // rules use every layer below them
  for (const l of LAYERS.slice(0, -1)) assert.ok(edges.has(`rules -> ${l}`), `rules -> ${l}`);
});

test('the shared root files read no tree nodes', () => {
  for (const file of filesUnder(engine)) {
    if (rank(file) !== -1) continue;
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!/childForFieldName|namedChildren/.test(text), `${path.relative(engine, file)} reads tree nodes`);
  }
});
