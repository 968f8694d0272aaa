// The catalog is complete: every rule has metadata and docs; every implemented rule has fixtures,
// its bad example is reported and its good example is not; the README table is current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../src/catalog/rules';
import { CATEGORIES, categoryOf } from '../../src/catalog/categories';
import { ruleDocs } from '../../src/catalog/docs';
import { rulesTable, TABLE_START, TABLE_END } from '../../src/catalog/table';
import { analyze, initParser, IMPLEMENTED_CODES } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { parsePython } from '../../src/engine/syntax/parser';
import { WorkspaceIndex } from '../../src/engine/project/index';

const repo = process.env.DBOS_LINT_ROOT ?? process.cwd();

test('the rules in 9 categories, in the skill priority order, each implemented once', () => {
  assert.deepEqual([...IMPLEMENTED_CODES].sort(), RULES.map((r) => r.code).sort(), 'one rule file per catalog entry');
  assert.deepEqual(CATEGORIES.map((c) => c.title), ['Lifecycle', 'Workflow', 'Step', 'Queue', 'Communication', 'Pattern', 'Testing', 'Client', 'Advanced']);
  assert.deepEqual(CATEGORIES.map((c) => c.impact), ['CRITICAL', 'CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'LOW-MEDIUM', 'MEDIUM', 'LOW']);
  const codes = RULES.map((r) => r.code);
  assert.deepEqual(codes, [...codes].sort(), 'rules are listed in code order');
  assert.equal(new Set(codes).size, codes.length);
});

test('every rule has metadata and docs in our own words', () => {
  for (const r of RULES) {
    assert.match(r.code, /^DBOS[1-9]\d\d$/);
    assert.match(r.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, r.code);
    assert.ok(r.title.length > 10, `${r.code}: title`);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(r.defaultSeverity), `${r.code}: severity`);
    assert.ok(['core', 'extended'].includes(r.tier), `${r.code}: tier`);
    assert.match(r.docsUrl, /^https:\/\/docs\.dbos\.dev\//, `${r.code}: docs link`);
    assert.ok(categoryOf(r.code), `${r.code}: category`);
    const d = ruleDocs(r.code);
    assert.ok(d, `${r.code}: missing src/catalog/docs/${r.code}.md`);
    for (const k of ['what', 'why', 'severity', 'bad', 'good', 'fixes'] as const) assert.ok(d![k].length > 0, `${r.code}: docs section "${k}" is empty`);
  }
});

test('every core rule is implemented', () => {
  const missing = RULES.filter((r) => r.tier === 'core' && !IMPLEMENTED_CODES.has(r.code)).map((r) => r.code);
  assert.deepEqual(missing, []);
});

test('every implemented rule has at least two bad and two good fixtures', () => {
  for (const code of IMPLEMENTED_CODES) {
    const dir = path.join(repo, 'test/fixtures', code);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const plain = files.filter((f) => f.endsWith('.py') && !/\.(before|after)\.py$/.test(f));
    assert.ok(plain.filter((f) => f.startsWith('bad')).length >= 2, `${code}: fewer than two bad-*.py fixtures`);
    assert.ok(plain.filter((f) => f.startsWith('good')).length >= 2, `${code}: fewer than two good-*.py fixtures`);
  }
});

test('docs examples: valid Python; the bad one is reported, the good one is not', async () => {
  await initParser();
  const config = resolveConfig([{ profile: 'strict' }]);
  for (const code of IMPLEMENTED_CODES) {
    const d = ruleDocs(code)!;
    if (!d) continue;
    const file = code.startsWith('DBOS7') ? 'conftest.py' : 'app.py';
    for (const [which, src] of [['bad', d.bad], ['good', d.good]] as const) {
      const tree = parsePython(src);
      assert.equal(tree.rootNode.hasError, false, `${code}: the ${which} example does not parse`);
      tree.delete();
      // an example is a whole program: analysed as a workspace of one file (names registered nowhere else)
      const wsRoot = path.resolve('/docs-example');
      const index = new WorkspaceIndex({ roots: [wsRoot], readFile: () => null });
      const found = analyze(src, { path: path.join(wsRoot, file), config, index }).findings.filter((f) => f.code === code);
      if (which === 'bad') assert.ok(found.length > 0, `${code}: the bad example is not reported`);
      else assert.deepEqual(found.map((f) => f.message), [], `${code}: the good example is reported`);
    }
  }
});

test('the README rule table is current (npm run readme)', () => {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const a = readme.indexOf(TABLE_START);
  const b = readme.indexOf(TABLE_END);
  assert.ok(a >= 0 && b > a, 'README.md lacks the rules table markers');
  assert.equal(readme.slice(a, b + TABLE_END.length), rulesTable(IMPLEMENTED_CODES, resolveConfig().enabled));
});
