// Seeded fuzzing of the engine: mutated real and fixture Python must never make the engine or a
// rule throw, no case may run past its time budget (a hang or a blow-up on some shape of input, not
// a speed check: the budget is generous), and every fix offered must still produce code that parses
// as well as the input did.
//   FUZZ_SECONDS=300 FUZZ_SEED=7 npm test      (defaults: 20 s, seed 1)
//   FUZZ_CORPUS=/path/to/python/apps           (more real code to mutate, besides the fixtures and examples)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { parsePython } from '../../src/engine/syntax/parser';
import { applyEdits } from '../../src/engine/text';
import { spawnSync } from 'node:child_process';

const repo = process.env.DBOS_LINT_ROOT ?? process.cwd();
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
/**
 * The budget of one analysis: 2 s plus 1 ms per 10 lines. A typical case takes a few milliseconds;
 * the budget only catches a pathological case (quadratic walk, runaway recursion) with room for a
 * loaded CI machine.
 */
const budgetMs = (text: string): number => 2000 + text.split('\n').length / 10;

/** mulberry32: a small deterministic generator, so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.py')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(repo, 'test/fixtures'));
  walk(path.join(repo, 'examples'));
  for (const extra of (process.env.FUZZ_CORPUS ?? '').split(path.delimiter).filter(Boolean)) walk(extra);
  return out;
}

const TOKENS = ['(', ')', ':', ',', '=', '.', '@', '\n', '    ', 'await ', 'async ', 'def ', 'lambda: ', 'DBOS', '"', "'", '[', '{', 'yield ', 'with ', '#'];

type Mutation = (src: string, r: () => number) => string;

const MUTATIONS: Record<string, Mutation> = {
  deleteSpan(src, r) {
    const a = Math.floor(r() * src.length);
    return src.slice(0, a) + src.slice(a + 1 + Math.floor(r() * 20));
  },
  insertToken(src, r) {
    const a = Math.floor(r() * (src.length + 1));
    return src.slice(0, a) + TOKENS[Math.floor(r() * TOKENS.length)] + src.slice(a);
  },
  truncate(src, r) {
    return src.slice(0, Math.floor(r() * src.length));
  },
  randomBytes(src, r) {
    const a = Math.floor(r() * (src.length + 1));
    let junk = '';
    for (let i = 0; i < 1 + r() * 12; i++) junk += String.fromCharCode(1 + Math.floor(r() * 0x2fff));
    return src.slice(0, a) + junk + src.slice(a);
  },
  duplicateLines(src, r) {
    const lines = src.split('\n');
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, ...lines.slice(i, i + 1 + Math.floor(r() * 5)));
    return lines.join('\n');
  },
  deepNesting(src, r) {
    const depth = 20 + Math.floor(r() * 200);
    let body = 'from dbos import DBOS\n@DBOS.workflow()\ndef w():\n';
    for (let i = 0; i < depth; i++) body += '    '.repeat(i + 1) + 'if x:\n';
    body += '    '.repeat(depth + 1) + 'random.random()\n';
    return r() < 0.5 ? body : src + '\n' + body;
  },
  crlf(src) {
    // Windows line endings (a lone CR, as in `\r\r\n`, is a line break for LSP and CPython but not
    // for tree-sitter-python, whose tree then disagrees with every editor: not fuzzed)
    return src.replace(/\r?\n/g, '\r\n');
  },
  tabs(src) {
    return src.replace(/ {4}/g, '\t');
  },
};

/**
 * tree-sitter accepts some code CPython rejects (an unexpected indent after a mutation). When a
 * fix seems to break code, the input is checked with CPython, if the machine has it: a fix of
 * invalid Python is not a bug of the fix.
 */
function cpythonAccepts(text: string): boolean | null {
  const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: text, encoding: 'utf8' });
  if (r.error) return null;
  return r.status === 0;
}

function hasError(text: string): boolean {
  const t = parsePython(text);
  try {
    return t.rootNode.hasError;
  } finally {
    t.delete();
  }
}

test(`fuzz: ${SECONDS}s, seed ${SEED}: the engine never throws and fixes keep code parseable`, async () => {
  await initParser();
  const inputs = corpus();
  assert.ok(inputs.length > 50);
  const config = resolveConfig([{ profile: 'strict' }]);
  const r = rng(SEED);
  const names = Object.keys(MUTATIONS);
  const counts: Record<string, number> = {};
  let cases = 0;
  let findings = 0;
  let fixesChecked = 0;
  let slowest = { ms: 0, lines: 0, where: '' };
  const deadline = Date.now() + SECONDS * 1000;
  while (Date.now() < deadline) {
    let src = inputs[Math.floor(r() * inputs.length)];
    const steps = 1 + Math.floor(r() * 3);
    const applied: string[] = [];
    for (let i = 0; i < steps; i++) {
      const m = names[Math.floor(r() * names.length)];
      applied.push(m);
      counts[m] = (counts[m] ?? 0) + 1;
      src = MUTATIONS[m](src, r);
    }
    const where = `case ${cases} (seed ${SEED}, mutations ${applied.join('+')})`;
    let result;
    const started = performance.now();
    try {
      result = analyze(src, { path: r() < 0.2 ? 'tests/test_app.py' : 'app.py', config, version: r() < 0.3 ? [3, 1] : null });
    } catch (e) {
      assert.fail(`${where}: the engine threw: ${(e as Error).stack}\n--- input ---\n${src.slice(0, 2000)}`);
    }
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { ms, lines: src.split('\n').length, where };
    assert.ok(ms <= budgetMs(src), `${where}: analysis took ${ms.toFixed(0)} ms, over its budget of ${budgetMs(src).toFixed(0)} ms\n--- input ---\n${src.slice(0, 2000)}`);
    assert.deepEqual(result.ruleFailures, [], `${where}: a rule threw\n--- input ---\n${src.slice(0, 2000)}`);
    findings += result.findings.length;
    const inputOk = !hasError(src);
    for (const f of result.findings) {
      for (const fix of f.fixes) {
        if (!inputOk) continue; // a fix cannot repair what was already broken; it must not throw, though
        const out = applyEdits(src, fix.edits);
        fixesChecked++;
        if (hasError(out) && cpythonAccepts(src) === false) continue;
        assert.equal(hasError(out), false, `${where}: fix "${fix.title}" of ${f.code} at line ${f.range.start.line + 1} breaks the code\n--- input ---\n${src}\n--- output ---\n${out}`);
      }
    }
    cases++;
  }
  console.log(
    `fuzz: ${cases} cases, ${findings} findings, ${fixesChecked} fixes re-parsed, slowest case ${slowest.ms.toFixed(1)} ms ` +
      `(${slowest.lines} lines, ${slowest.where}); mutations ${JSON.stringify(counts)}`,
  );
  assert.ok(cases > 0);
});
