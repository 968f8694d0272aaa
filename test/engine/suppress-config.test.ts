// Suppression comments, the "ignore on this line" fix, configuration and version detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { ConfigError, readPyproject } from '../../src/engine/user-config';
import { versionFromRequirement } from '../../src/engine/version';
import { ProjectSettings } from '../../src/engine/settings';
import { ignoreFileFix, ignoreFix } from '../../src/engine/fixes/common';
import { applyEdits } from '../../src/engine/text';

const HEAD = ['import random', 'from dbos import DBOS', '', '@DBOS.workflow()', 'def w():'];

function lines(body: string[]): string {
  return [...HEAD, ...body, ''].join('\n');
}

async function codesAt(src: string): Promise<string[]> {
  await initParser();
  return analyze(src, { path: 'app.py' }).findings.map((f) => `${f.range.start.line + 1}:${f.code}`);
}

test('suppression comments', async () => {
  assert.deepEqual(await codesAt(lines(['    return random.random()'])), ['6:DBOS201']);
  assert.deepEqual(await codesAt(lines(['    return random.random()  # dbos: ignore[DBOS201]'])), []);
  assert.deepEqual(await codesAt(lines(['    return random.random()  # dbos: ignore[DBOS202]'])), ['6:DBOS201']);
  assert.deepEqual(await codesAt(lines(['    return random.random()  # dbos: ignore'])), []);
  assert.deepEqual(await codesAt(lines(['    return random.random()  # noqa: DBOS201'])), []);
  assert.deepEqual(await codesAt(lines(['    return random.random()  # noqa: E501'])), ['6:DBOS201']);
  assert.deepEqual(await codesAt(lines(['    # dbos: ignore[DBOS201]', '    return random.random()'])), []);
  assert.deepEqual(await codesAt(lines(['    x = 1  # dbos: ignore[DBOS201]', '    return random.random()'])), ['7:DBOS201']);
  assert.deepEqual(await codesAt('# dbos: ignore-file\n' + lines(['    return random.random()'])), []);
  assert.deepEqual(await codesAt('# dbos: ignore-file[DBOS202]\n' + lines(['    return random.random()'])), ['7:DBOS201']);
});

test('ignore-on-this-line fix adds or extends the comment', async () => {
  await initParser();
  for (const [body, expected] of [
    ['    return random.random()', '    return random.random()  # dbos: ignore[DBOS201]'],
    ['    return random.random()  # dbos: ignore[DBOS202]', '    return random.random()  # dbos: ignore[DBOS202, DBOS201]'],
  ]) {
    const src = lines([body]);
    const r = analyze(src, { path: 'app.py', keepTree: true });
    const fix = ignoreFix(r.model!, 'DBOS201', 5)!;
    r.tree!.delete();
    assert.equal(fix.title, 'Ignore DBOS201 on this line');
    assert.equal(applyEdits(src, fix.edits), lines([expected]));
    assert.deepEqual(await codesAt(applyEdits(src, fix.edits)), []);
  }
});

test('ignore-file comments add up; a bare one ignores everything; only the header counts', async () => {
  const body = lines(['    time.sleep(1)', '    return random.random()']).replace('import random', 'import random\nimport time');
  assert.deepEqual(await codesAt(body), ['7:DBOS203', '8:DBOS201']);
  assert.deepEqual(await codesAt('# dbos: ignore-file[DBOS201]\n# dbos: ignore-file[DBOS203]\n' + body), []);
  assert.deepEqual(await codesAt('# dbos: ignore-file[DBOS201]\n# dbos: ignore-file\n' + body), []);
  assert.deepEqual(await codesAt('#!/usr/bin/env python\n\n# dbos: ignore-file[DBOS201, DBOS203]\n' + body), []);
  // After the first statement it is an ordinary comment.
  assert.deepEqual(await codesAt(body.replace('import time', 'import time\n# dbos: ignore-file[DBOS201]')), ['8:DBOS203', '9:DBOS201']);
});

test('"Ignore DBOSxxx in this file" writes or extends the ignore-file comment, below a shebang and an encoding line', async () => {
  await initParser();
  const body = lines(['    return random.random()']);
  const cases: [string, string][] = [
    [body, '# dbos: ignore-file[DBOS201]\n' + body],
    ['#!/usr/bin/env python3\n' + body, '#!/usr/bin/env python3\n# dbos: ignore-file[DBOS201]\n' + body],
    ['#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n' + body, '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# dbos: ignore-file[DBOS201]\n' + body],
    ['# coding=latin-1\n' + body, '# coding=latin-1\n# dbos: ignore-file[DBOS201]\n' + body],
    ['"""Orders."""\n' + body, '# dbos: ignore-file[DBOS201]\n"""Orders."""\n' + body],
    ['# Orders\n# dbos: ignore-file[DBOS202]\n' + body, '# Orders\n# dbos: ignore-file[DBOS202, DBOS201]\n' + body],
    [body.replace(/\n/g, '\r\n'), '# dbos: ignore-file[DBOS201]\r\n' + body.replace(/\n/g, '\r\n')],
  ];
  for (const [src, expected] of cases) {
    const r = analyze(src, { path: 'app.py', keepTree: true });
    const fix = ignoreFileFix(r.model!, 'DBOS201')!;
    r.tree!.delete();
    assert.equal(fix.title, 'Ignore DBOS201 in this file');
    assert.equal(fix.safe, false);
    const out = applyEdits(src, fix.edits);
    assert.equal(out, expected);
    assert.deepEqual(await codesAt(out), [], out);
  }
  const r = analyze('# dbos: ignore-file\n' + body, { path: 'app.py', keepTree: true });
  assert.equal(ignoreFileFix(r.model!, 'DBOS201'), null);
  r.tree!.delete();
});

test('allow: exact names, `pkg.*` and `{a,b}` patterns, like the other lists (patterns used to pass validation and allow nothing)', async () => {
  await initParser();
  const src = lines(['    a = random.random()', '    b = random.randint(1, 6)', '    return a + b']);
  const codes = (allow: string[]) =>
    analyze(src, { path: 'app.py', config: resolveConfig([{ allow }]) }).findings.map((f) => `${f.range.start.line + 1}:${f.code}`);
  assert.deepEqual(codes([]), ['6:DBOS201', '7:DBOS201']);
  assert.deepEqual(codes(['random.random']), ['7:DBOS201']);
  assert.deepEqual(codes(['random.*']), []);
  assert.deepEqual(codes(['random.{random,randint}']), []);
  assert.deepEqual(codes(['random.{choice,randint}']), ['6:DBOS201']);
});

test('configuration: select, ignore, severity, profile', () => {
  const def = resolveConfig();
  assert.ok(def.enabled.has('DBOS201'));
  assert.equal(def.enabled.has('DBOS407'), false, 'extended rules are off by default');
  assert.ok(resolveConfig([{ profile: 'strict' }]).enabled.has('DBOS407'));
  const sel = resolveConfig([{ select: ['DBOS2'], ignore: ['DBOS202'] }]);
  assert.ok(sel.enabled.has('DBOS201') && !sel.enabled.has('DBOS202') && !sel.enabled.has('DBOS101'));
  const sev = resolveConfig([{ severity: { DBOS201: 'error', DBOS202: 'off', DBOS407: 'hint' } }]);
  assert.equal(sev.severity.get('DBOS201'), 'error');
  assert.equal(sev.enabled.has('DBOS202'), false);
  assert.ok(sev.enabled.has('DBOS407'), 'giving a severity turns an extended rule on');
});

test('pyproject: [tool.dbos-lint] options, validation errors, dbos pins', () => {
  const info = readPyproject(
    [
      '[project]',
      'dependencies = ["requests", "dbos[otel]>=2.9.0"]',
      '[tool.dbos-lint]',
      'select = ["DBOS2"]',
      'severity = { DBOS201 = "info" }',
      'target-version = "3.0"',
      'per-file-ignores = { "tests/**" = ["DBOS205"] }',
      '',
    ].join('\n'),
    'pyproject.toml',
  );
  assert.equal(info.dbosRequirement, '>=2.9.0');
  assert.deepEqual(info.config, { select: ['DBOS2'], severity: { DBOS201: 'information' }, targetVersion: '3.0', perFileIgnores: { 'tests/**': ['DBOS205'] } });
  assert.throws(() => readPyproject('[tool.dbos-lint]\nselect = "DBOS2"\n', 'p'), ConfigError);
  assert.throws(() => readPyproject('[tool.dbos-lint]\nseverity = { DBOS999 = "error" }\n', 'p'), /unknown rule code/);
  assert.throws(() => readPyproject('[tool.dbos-lint\n', 'p'), /invalid TOML/);
  assert.deepEqual(versionFromRequirement('==2.30.0'), [2, 30]);
  assert.deepEqual(versionFromRequirement('^3.1'), [3, 1]);
  assert.deepEqual(versionFromRequirement('~=2.9'), [2, 9]);
  assert.equal(versionFromRequirement(''), null);
  assert.equal(versionFromRequirement('<3'), null);
  // a floor with no upper bound installs the newest release: unknown, unless every install is 3.x
  assert.equal(versionFromRequirement('>=0.9.0'), null);
  assert.equal(versionFromRequirement('>2.1'), null);
  assert.equal(versionFromRequirement('>=2.9; python_version<"3.12"'), null);
  assert.deepEqual(versionFromRequirement('>=3.0'), [3, 0]);
  assert.deepEqual(versionFromRequirement('>=2.9,<3'), [2, 9]);
  assert.deepEqual(versionFromRequirement('>=2.9,<3; python_version<"3.12"'), [2, 9]);
});

test('project settings: nearest pyproject, lock files, requirements, per-file ignores', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-proj-'));
  fs.mkdirSync(path.join(root, 'pkg', 'tests'), { recursive: true });
  fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\ndependencies = ["dbos>=2.20"]\n[tool.dbos-lint]\nper-file-ignores = { "**/tests/*.py" = ["DBOS201"], "pkg/gen_*.py" = ["DBOS201"], "tests/*.py" = ["DBOS202"] }\n');
  fs.writeFileSync(path.join(root, 'uv.lock'), 'version = 1\n\n[[package]]\nname = "dbos"\nversion = "2.30.0"\nsource = { registry = "x" }\n');
  const s = new ProjectSettings();
  const a = s.forFile(path.join(root, 'pkg', 'app.py'));
  assert.deepEqual(a.version, [2, 30]);
  assert.equal(a.versionSource, path.join(root, 'uv.lock'));
  assert.equal(a.configFile, path.join(root, 'pyproject.toml'));
  fs.writeFileSync(path.join(root, 'pkg', 'requirements.txt'), 'dbos==3.1.0\n');
  s.invalidate();
  assert.deepEqual(s.forFile(path.join(root, 'pkg', 'app.py')).version, [3, 1]);
  const over = new ProjectSettings([{ targetVersion: '2.9' }]);
  assert.deepEqual(over.forFile(path.join(root, 'pkg', 'app.py')).version, [2, 9]);
  await initParser();
  const t = s.forFile(path.join(root, 'pkg', 'tests', 'test_x.py'));
  const src = lines(['    return random.random()']);
  const at = (rel: string) => analyze(src, { path: path.join(root, rel), config: t.config }).findings.map((f) => f.code);
  assert.deepEqual(at('pkg/tests/test_x.py'), []);
  assert.deepEqual(at('pkg/app.py'), ['DBOS201']);
  // globs are relative to the pyproject.toml's folder (as in Ruff): pkg/gen_*.py, not other/pkg/gen_*.py
  assert.deepEqual(at('pkg/gen_a.py'), []);
  assert.deepEqual(at('other/pkg/gen_a.py'), ['DBOS201']);
  assert.deepEqual(t.config.ignoredIn(path.join(root, 'tests', 'test_y.py')), new Set(['DBOS201', 'DBOS202']));
  assert.equal(t.config.ignoredIn(path.join(root, 'pkg', 'tests', 'x', 'test_y.py')), null);
});

test('bad input: no crash, no findings, a clear reason', async () => {
  await initParser();
  assert.equal(analyze('a\u0000b dbos', { path: 'x.py' }).skipped, 'binary');
  assert.equal(analyze('print(1)', { path: 'x.py' }).skipped, 'no-dbos');
  const broken = analyze('from dbos import DBOS\n@DBOS.workflow()\ndef w(:\n    return random.random(\n', { path: 'x.py' });
  assert.ok(broken.syntaxErrors > 0);
  assert.deepEqual(broken.ruleFailures, []);
});
