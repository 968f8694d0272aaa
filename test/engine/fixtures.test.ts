// Runs every fixture under test/fixtures/DBOSxxx/.
//
// Finding fixtures (`*.py` not ending in .before.py/.after.py): each line that should get a finding
// ends with `# expect: DBOS201` (several codes: `# expect: DBOS201, DBOS202`). The test checks the
// exact set of (line, code) for the folder's code and every code named in the file's expectations.
// Header comments set options: `# fixture-path: tests/conftest.py`, `# fixture-version: 3.0`,
// `# fixture-config: {"severity": {"DBOS201": "error"}}`, and `# fixture-workspace: self`: the file is
// analysed with the project index, as a workspace of that one file (names not registered in it are
// registered nowhere). Workspaces of several modules are tested in registry.test.ts and workspace.test.ts.
//
// Fix fixtures: `NAME.before.py` + `NAME.after.py`. The before file says which fix to apply with
// `# fix: <part of the fix title>` (and optionally `# fix-code: DBOS202` when not the folder's
// code). The test applies that fix of the first matching finding, compares with the after file,
// re-parses the result (no syntax error) and checks that one finding of the code went away.
//
// Snapshots: every fixture `NAME.py` (before and after files included) has `NAME.py.snap` beside it:
// every finding of every code as a user sees it (code, severity, range, message, related locations,
// fixes with their edits; see snapshot.ts). Any difference fails. `npm run test:update-snapshots`
// (DBOS_LINT_UPDATE_SNAPSHOTS=1) rewrites them, deletes those whose fixture is gone, and rewrites
// each `.after.py` with what its fix now produces (review the diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { parsePython } from '../../src/engine/syntax/parser';
import { applyEdits } from '../../src/engine/text';
import { WorkspaceIndex } from '../../src/engine/project/index';
import type { Finding } from '../../src/engine/types';
import { renderSnapshot } from './snapshot';

const root = path.resolve(process.env.DBOS_LINT_ROOT ?? process.cwd(), 'test/fixtures');

interface Options {
  path: string;
  version: [number, number] | null;
  config: ReturnType<typeof resolveConfig>;
  /** A fresh index for each analysis, when the fixture names a workspace. */
  index?: () => WorkspaceIndex;
}

/** The workspace of a `# fixture-workspace: self` header: a fresh index per analysis, and the file's path in it. */
function workspaceOf(rel: string): { index: () => WorkspaceIndex; path: string } {
  const wsRoot = path.resolve('/fixture-workspace');
  return { path: path.join(wsRoot, rel), index: () => new WorkspaceIndex({ roots: [wsRoot], readFile: () => null }) };
}

function options(text: string, file: string): Options {
  const p = /^#\s*fixture-path:\s*(\S+)/m.exec(text)?.[1] ?? path.basename(file).replace(/\.(before|after)\.py$/, '.py');
  const v = /^#\s*fixture-version:\s*(\d+)(?:\.(\d+))?/m.exec(text);
  const c = /^#\s*fixture-config:\s*(\{.*\})\s*$/m.exec(text);
  const w = /^#\s*fixture-workspace:\s*self\s*$/m.test(text);
  return {
    ...(w ? workspaceOf(p) : { path: p }),
    version: v ? [Number(v[1]), Number(v[2] ?? 0)] : null,
    config: resolveConfig([{ profile: 'strict' }, ...(c ? [JSON.parse(c[1])] : [])]),
  };
}

function expectations(text: string): Set<string> {
  const out = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /#\s*expect:\s*([A-Z0-9,\s]+)$/.exec(line);
    if (m) for (const code of m[1].split(',').map((s) => s.trim()).filter(Boolean)) out.add(`${i + 1}:${code}`);
  });
  return out;
}

function hasSyntaxError(text: string): boolean {
  const tree = parsePython(text);
  try {
    return tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

const UPDATE = !!process.env.DBOS_LINT_UPDATE_SNAPSHOTS;

/**
 * Every message opens with a complete statement of what is wrong, at most 100 characters long (what
 * the Problems panel and the concise CLI formats show), then a line break and the why and what to do.
 */
function checkHeadlines(rel: string, findings: readonly Finding[]): void {
  for (const f of findings) {
    const nl = f.message.indexOf('\n');
    const first = nl < 0 ? f.message : f.message.slice(0, nl);
    const where = `${rel}:${f.range.start.line + 1} ${f.code}`;
    assert.ok(nl > 0 && f.message.slice(nl + 1).trim() !== '', `${where}: no explanation after the first line: ${JSON.stringify(f.message)}`);
    assert.ok(first.length <= 100, `${where}: first line of ${first.length} characters (at most 100): ${first}`);
    assert.ok(!/[:,;]$/.test(first.trim()), `${where}: the first line is not a complete statement: ${first}`);
  }
}

/** Compares the findings of a fixture with its snapshot file (or rewrites it when updating). */
function checkSnapshot(file: string, text: string, findings: readonly Finding[]): void {
  checkHeadlines(path.relative(root, file), findings);
  const rel = path.relative(path.dirname(root), file).replace(/\\/g, '/');
  const got = renderSnapshot(`test/${rel}`, text, findings);
  const snap = `${file}.snap`;
  if (UPDATE) {
    if (!fs.existsSync(snap) || fs.readFileSync(snap, 'utf8') !== got) fs.writeFileSync(snap, got);
    return;
  }
  assert.ok(fs.existsSync(snap), `${rel}: no snapshot ${path.basename(snap)}; run \`npm run test:update-snapshots\``);
  assert.equal(got, fs.readFileSync(snap, 'utf8'), `${rel}: findings differ from ${path.basename(snap)} (\`npm run test:update-snapshots\` rewrites it)`);
}

const dirs = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => /^DBOS\d{3}$/.test(d)).sort() : [];

test('fixtures', async (t) => {
  await initParser();
  for (const code of dirs) {
    const dir = path.join(root, code);
    const names = fs.readdirSync(dir).sort();
    await t.test(`${code}: every snapshot has its fixture`, () => {
      for (const snap of names.filter((n) => n.endsWith('.snap'))) {
        if (names.includes(snap.slice(0, -5))) continue;
        if (UPDATE) fs.rmSync(path.join(dir, snap));
        else assert.fail(`${code}/${snap}: its fixture is gone; run \`npm run test:update-snapshots\``);
      }
    });
    for (const name of names) {
      const file = path.join(dir, name);
      if (!name.endsWith('.py')) continue;
      const text = fs.readFileSync(file, 'utf8');
      if (name.endsWith('.after.py')) {
        await t.test(`${code}/${name}`, () => {
          const opt = options(text, file);
          const r = analyze(text, { path: opt.path, version: opt.version, config: opt.config, index: opt.index?.() });
          assert.deepEqual(r.ruleFailures, []);
          checkSnapshot(file, text, r.findings);
        });
        continue;
      }
      if (name.endsWith('.before.py')) {
        await t.test(`${code}/${name}`, () => {
          const opt = options(text, file);
          const fixCode = /^#\s*fix-code:\s*(DBOS\d{3})/m.exec(text)?.[1] ?? code;
          const want = /^#\s*fix:\s*(.+?)\s*$/m.exec(text)?.[1];
          assert.ok(want, `${name}: missing "# fix: <title>" header`);
          const before = analyze(text, { path: opt.path, version: opt.version, config: opt.config, index: opt.index?.() });
          assert.deepEqual(before.ruleFailures, []);
          checkSnapshot(file, text, before.findings);
          const finding = before.findings.find((f) => f.code === fixCode && f.fixes.some((x) => x.title.includes(want!)));
          assert.ok(finding, `${name}: no ${fixCode} finding with a fix titled like "${want}"; got ${JSON.stringify(before.findings.map((f) => [f.code, f.fixes.map((x) => x.title)]))}`);
          const fix = finding!.fixes.find((x) => x.title.includes(want!))!;
          const result = applyEdits(text, fix.edits);
          const afterFile = file.replace(/\.before\.py$/, '.after.py');
          const after = analyze(result, { path: opt.path, version: opt.version, config: opt.config, index: opt.index?.() });
          // updating: the after file is the fix's output (review its diff), and its snapshot follows it
          if (UPDATE && (!fs.existsSync(afterFile) || fs.readFileSync(afterFile, 'utf8') !== result)) {
            fs.writeFileSync(afterFile, result);
            checkSnapshot(afterFile, result, after.findings);
          }
          assert.ok(fs.existsSync(afterFile), `${name}: missing ${path.basename(afterFile)}`);
          assert.equal(result, fs.readFileSync(afterFile, 'utf8'));
          assert.equal(hasSyntaxError(result), false, `${name}: the fixed code does not parse`);
          const n = (r: typeof before) => r.findings.filter((f) => f.code === fixCode).length;
          assert.ok(n(after) < n(before), `${name}: the ${fixCode} finding is still there after the fix`);
        });
        continue;
      }
      await t.test(`${code}/${name}`, () => {
        const opt = options(text, file);
        const expected = expectations(text);
        const codes = new Set([code, ...[...expected].map((e) => e.split(':')[1])]);
        const r = analyze(text, { path: opt.path, version: opt.version, config: opt.config, index: opt.index?.() });
        assert.deepEqual(r.ruleFailures, []);
        const got = new Set(r.findings.filter((f) => codes.has(f.code)).map((f) => `${f.range.start.line + 1}:${f.code}`));
        assert.deepEqual([...got].sort(), [...expected].sort(), `${code}/${name}: findings (line:code) differ`);
        checkSnapshot(file, text, r.findings);
        for (const f of r.findings) for (const fix of f.fixes) assert.equal(hasSyntaxError(applyEdits(text, fix.edits)), false, `${name}: fix "${fix.title}" of ${f.code} on line ${f.range.start.line + 1} yields invalid Python`);
      });
    }
  }
});
