// Findings of function rules kept per function across edits (src/engine/rules/function-findings.ts):
// after any sequence of random edits, parsed incrementally like the server does or afresh, the whole
// list of findings (code, range, severity, message, related locations, fixes) equals a fresh
// analysis's, on every fixture of those rules and on one long file made of them with functions of
// other rules between (statements that move, names defined elsewhere, classes edited in one method).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser, IMPLEMENTED_RULES } from '../../src/engine/index';
import { functionFindingsStats } from '../../src/engine/rules/function-findings';
import { TreeCache } from '../../src/server/incremental';
import { rng } from './seeded';
import { breakNow, edit, fixtureFiles } from './random-edits';

const FUNCTION_RULES = new Set(IMPLEMENTED_RULES.filter((r) => 'checkFunction' in r).map((r) => r.code));

/** Pieces that change what the function rules read: module-level state, globals, retry loops, steps. */
const PIECES = [
  '\nCACHE = {}\n',
  '\nCACHE = None\n',
  '\nresults = []\n',
  '\n    global counter\n    counter += 1\n',
  '\n    results.append(1)\n',
  '\n    CACHE["k"] = 1\n',
  '\n    for attempt in range(3):\n        try:\n            return fetch()\n        except Exception:\n            time.sleep(2 ** attempt)\n',
  '\n@DBOS.step()\ndef fetch():\n    results.append(2)\n    return 1\n',
  '\n@DBOS.workflow()\ndef flow():\n    CACHE["x"] = fetch()\n',
  '\nclass Holder:\n    items = []\n',
  '\nfetch = DBOS.step()(fetch)\n',
  '\nfrom collections import defaultdict\nresults = defaultdict(list)\n',
];

function randomEdit(text: string, next: () => number): string {
  if (next() < 0.3) {
    const at = Math.floor(next() * (text.length + 1));
    return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
  }
  return breakNow(edit(text, next), next);
}

/** The fixtures of the function rules, and one long file of them with two fixtures of every rule between. */
function texts(): { name: string; text: string }[] {
  const own = fixtureFiles(Infinity, FUNCTION_RULES).map((f) => ({ name: `${path.basename(path.dirname(f))}-${path.basename(f)}`, text: fs.readFileSync(f, 'utf8') }));
  const long = [...fixtureFiles(Infinity, FUNCTION_RULES), ...fixtureFiles(1)].map((f) => fs.readFileSync(f, 'utf8')).join('\n\n');
  return [...own, { name: 'long.py', text: long }];
}

test('function rules exist, and their findings are checked per function', () => {
  assert.ok(FUNCTION_RULES.size > 0);
});

test('findings of function rules kept across incremental edits equal a fresh analysis (server path, syntax errors included)', async () => {
  await initParser();
  functionFindingsStats.reused = functionFindingsStats.checked = 0;
  for (const [i, { name, text: original }] of texts().entries()) {
    const next = rng(9100 + i);
    const p = path.join('/function-findings', name);
    const cache = new TreeCache();
    let text = original;
    cache.analyze(p, text, { path: p });
    const edits = name === 'long.py' ? 40 : 12;
    for (let k = 0; k < edits; k++) {
      text = randomEdit(text, next);
      const kept = cache.analyze(p, text, { path: p });
      const fresh = analyze(text, { path: path.join(`/function-findings-fresh-${i}-${k}`, name) });
      assert.deepStrictEqual(kept.findings, fresh.findings, `${name}, seed ${9100 + i}, edit ${k}:\n${text}`);
    }
    cache.clear();
  }
  // (the fresh analyses check every function)
  assert.ok(functionFindingsStats.reused > 1000, `reused ${functionFindingsStats.reused}, checked ${functionFindingsStats.checked}`);
});

test('findings of function rules kept across edits parsed afresh equal a fresh analysis', async () => {
  await initParser();
  for (const [i, { name, text: original }] of texts().entries()) {
    const next = rng(9500 + i);
    const p = path.join('/function-findings-plain', name);
    let text = original;
    analyze(text, { path: p });
    for (let k = 0; k < 8; k++) {
      text = randomEdit(text, next);
      const kept = analyze(text, { path: p });
      const fresh = analyze(text, { path: path.join(`/function-findings-plain-fresh-${i}-${k}`, name) });
      assert.deepStrictEqual(kept.findings, fresh.findings, `${name}, seed ${9500 + i}, edit ${k}:\n${text}`);
    }
  }
});
