// Configuration is validated strictly: every problem is one clear line, nothing silently turns checks
// off, and no value crashes the reader (issue 16). Project files that cannot be read are reported,
// and the pin files are read in linear time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../../src/engine/config';
import { ConfigError, readPyproject, userConfigFrom } from '../../src/engine/user-config';
import { buildApiCatalog } from '../../src/engine/data/catalog';
import { lockedDbosVersion, ProjectSettings, requiredDbos } from '../../src/engine/settings';

/** The problems `[tool.dbos-lint]` holding `body` gives (one per line), or [] when it is valid. */
function problems(body: string): string[] {
  try {
    readPyproject(`[tool.dbos-lint]\n${body}\n`, 'pyproject.toml');
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
}

const W = 'pyproject.toml [tool.dbos-lint]: ';

test('unknown options, including the names of Object.prototype, are errors', () => {
  assert.deepEqual(problems('selct = ["DBOS2"]'), [
    `${W}unknown option "selct" (known: select, extend-select, ignore, severity, target-version, profile, extra-nondeterministic, extra-io, allow, per-file-ignores, max-call-depth, line-length, file-time-budget-ms, max-file-size-kb)`,
  ]);
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'base']) {
    const p = problems(`${name} = ["DBOS2"]`);
    assert.equal(p.length, 1, name);
    assert.match(p[0], new RegExp(`unknown option "${name}"`));
  }
});

test('codes that match no rule are errors in select, extend-select, ignore and per-file-ignores', () => {
  const unknown = (opt: string, shown: string) =>
    `${W}"${opt}": ${shown} is not a rule code or prefix (DBOS101 to DBOS905, a prefix such as DBOS2, or ALL; \`dbos-lint rules\` lists them)`;
  assert.deepEqual(problems('select = ["DBOS999"]'), [unknown('select', '"DBOS999"')]);
  assert.deepEqual(problems('ignore = [""]'), [unknown('ignore', 'an empty code ("")')]);
  assert.deepEqual(problems('extend-select = ["E501"]'), [unknown('extend-select', '"E501"')]);
  assert.deepEqual(problems('per-file-ignores = { "tests/**" = ["DBOS2O1"] }'), [unknown('per-file-ignores" "tests/**', '"DBOS2O1"')]);
  // prefixes, ALL and lower case are fine
  assert.deepEqual(problems('select = ["DBOS2", "dbos101", "ALL"]\nignore = ["DBOS9"]'), []);
});

test('severity: unknown codes, unknown levels and tables where a level belongs are errors, not a crash', () => {
  assert.deepEqual(problems('severity = { DBOS999 = "error" }'), [
    `${W}unknown rule code "DBOS999" in "severity" (DBOS101 to DBOS905; \`dbos-lint rules\` lists them)`,
  ]);
  assert.deepEqual(problems('severity = { DBOS201 = "fatal" }'), [
    `${W}the severity of DBOS201 must be one of "error", "warning", "information", "hint", "off", not "fatal"`,
  ]);
  // a sub-table: String() of TOML's null-prototype table threw a TypeError that ended the server
  assert.deepEqual(problems('[tool.dbos-lint.severity.DBOS201]\nlevel = "error"'), [
    `${W}the severity of DBOS201 must be one of "error", "warning", "information", "hint", "off", not a table`,
  ]);
  assert.deepEqual(problems('severity = { DBOS201 = 1 }'), [
    `${W}the severity of DBOS201 must be one of "error", "warning", "information", "hint", "off", not the number 1`,
  ]);
  assert.deepEqual(problems('severity = "error"'), [`${W}"severity" must be a table of code = level, not a string`]);
});

test('target-version written as a TOML number is an error that says to quote it', () => {
  assert.deepEqual(problems('target-version = 2.30'), [
    `${W}"target-version" must be a quoted string: write target-version = "2.30" (unquoted, TOML reads 2.3 as a number, so 2.30 would become 2.3)`,
  ]);
  assert.deepEqual(problems('target-version = 3'), [`${W}"target-version" must be a quoted string: write target-version = "3" (unquoted, TOML reads 3 as a number)`]);
  assert.deepEqual(problems('target-version = "2.x"'), [`${W}"target-version" must look like "2.30", "3" or "auto", not "2.x"`]);
  assert.deepEqual(readPyproject('[tool.dbos-lint]\ntarget-version = "2.30"\n', 'p').config, { targetVersion: '2.30' });
});

test('wrong types: each option names what it needs and what it got; every problem is reported at once', () => {
  assert.deepEqual(problems('profile = 1\nextra-io = "requests.get"\nallow = [1]\nmax-call-depth = 0\nfile-time-budget-ms = "5s"\nmax-file-size-kb = 1979-05-27'), [
    `${W}"profile" must be "default" or "strict", not the number 1`,
    `${W}"extra-io" must be a list of strings, not a string`,
    `${W}"allow" must be a list of strings, but holds the number 1`,
    `${W}"max-call-depth" must be a whole number from 1 to 64, not the number 0`,
    `${W}"file-time-budget-ms" must be a whole number from 1 to 600000, not a string`,
    `${W}"max-file-size-kb" must be a whole number from 1 to 16384, not a date`,
  ]);
  assert.deepEqual(problems('select = []'), [`${W}"select" is empty, so no rule would run (leave it out for the default rules)`]);
  assert.deepEqual(problems('extra-nondeterministic = ["", "my app.now"]'), [
    `${W}"extra-nondeterministic": "", "my app.now" are not a qualified name (\`pkg.module.function\`, \`pkg.Client().*\`, \`pkg.{a,b}\`)`,
  ]);
  assert.deepEqual(problems('extra-io = ["myapp.storage.*", "myapp.Client().get", "myapp.{put,get}"]'), []);
  assert.deepEqual(problems('per-file-ignores = ["tests/**"]'), [`${W}"per-file-ignores" must be a table of glob = [codes], not a list`]);
  assert.throws(() => readPyproject('[tool]\ndbos-lint = 3\n', 'p'), /\[tool.dbos-lint\] must be a table, not the number 3/);
  // a poetry dependency written as a table of tables is no crash either
  assert.deepEqual(readPyproject('[tool.poetry.dependencies]\ndbos = { version = { x = 1 } }\n', 'p'), { dbosRequirement: '' });
});

test('per-file-ignores globs: picomatch, with the wildcards bounded', () => {
  // the issue's two probes: twelve `**/` then x is one run of `**` (fine); `*a` eight times then b is refused
  assert.deepEqual(problems(`per-file-ignores = { "${'**/'.repeat(12)}x" = ["DBOS201"] }`), []);
  assert.deepEqual(problems(`per-file-ignores = { "${'*a'.repeat(8)}b" = ["DBOS201"] }`), [
    `${W}"per-file-ignores": the glob "*a*a*a*a*a*a*a*ab" has 8 wildcards (*, **, ?, {...}); at most 3 are allowed, as each one multiplies the cost of matching a path: split it into several patterns`,
  ]);
  assert.deepEqual(problems('per-file-ignores = { "" = ["DBOS201"] }'), [`${W}"per-file-ignores": the glob "" is empty`]);
  assert.deepEqual(problems('per-file-ignores = { "!tests/**" = ["DBOS201"] }'), [`${W}"per-file-ignores": the glob "!tests/**" starts with "!" (negated globs are not supported)`]);
  const root = path.resolve('/proj');
  const config = resolveConfig([
    { ...userConfigFrom({ 'per-file-ignores': { [`${'**/'.repeat(12)}x.py`]: ['DBOS201'], '__init__.py': ['DBOS1'], 'scripts/{a,b}_*.py': ['DBOS205'] } }, 'p'), base: root },
  ]);
  assert.deepEqual(config.ignoredIn(path.join(root, 'deep/er/x.py')), new Set(['DBOS201']));
  assert.equal(config.ignoredIn(path.join(root, 'a/'.repeat(400) + 'y.py')), null);
  assert.ok(config.ignoredIn(path.join(root, 'pkg/sub/__init__.py'))?.has('DBOS101'));
  assert.deepEqual(config.ignoredIn(path.join(root, 'scripts/b_load.py')), new Set(['DBOS205']));
  assert.equal(config.ignoredIn(path.join(root, 'scripts/c_load.py')), null);
  // outside the glob's folder: only the file-name match applies
  assert.equal(config.ignoredIn('/elsewhere/scripts/b_load.py'), null);
});

test('list options: 130,000 entries are refused with a message, and merging long lists does not overflow the stack', () => {
  const huge = Array.from({ length: 130_000 }, (_, i) => `pkg.m${i}.f`);
  assert.deepEqual(problems(`extra-io = [${huge.map((n) => `"${n}"`).join(', ')}]`), [`${W}"extra-io" has 130000 entries; at most 10000 are accepted`]);
  // layers built in code (no validation) with long lists: push(...spread) overflowed here
  const config = resolveConfig([{ extraIo: huge }, { extraIo: huge, allow: huge, extraNondeterministic: huge }]);
  assert.equal(config.extraIo.length, 260_000);
});

test('brace groups in API names are bounded before they expand: one entry, and a whole list', () => {
  // 40 groups of two alternatives: 2^40 names, which expanded one by one never finished
  const bomb = 'pkg' + '.{a,b}'.repeat(40);
  for (const key of ['extra-io', 'extra-nondeterministic', 'allow']) {
    assert.deepEqual(problems(`${key} = ["${bomb}"]`), [
      `${W}"${key}": "${bomb.slice(0, 77)}..." stands for more than 10000 names (each {...} group multiplies them); at most 256 per entry: write it as several entries`,
    ]);
  }
  assert.deepEqual(problems('extra-io = ["pkg.{a,b,c}.{d,e,f,g}.{h,i,j,k}.{l,m,n,o,p,q}"]'), [
    `${W}"extra-io": "pkg.{a,b,c}.{d,e,f,g}.{h,i,j,k}.{l,m,n,o,p,q}" stands for 288 names (each {...} group multiplies them); at most 256 per entry: write it as several entries`,
  ]);
  const many = Array.from({ length: 50 }, (_, i) => `"pkg${i}.{a,b,c,d}.{e,f,g,h}.{i,j,k,l}.{m,n,o,p}"`).join(', ');
  assert.deepEqual(problems(`extra-io = [${many}]`), [`${W}"extra-io" stands for 12800 names once its {...} groups are expanded; at most 10000 are accepted`]);
  // within the bounds: expanded and used
  assert.deepEqual(problems('extra-io = ["pkg.{a,b}.{c,d}.send"]'), []);
  const api = buildApiCatalog(resolveConfig([{ extraIo: ['pkg.{a,b}.{c,d}.send'] }]));
  assert.ok(api.io.match('pkg.b.c.send'));
  assert.equal(api.io.match('pkg.b.e.send'), null);
});

test('project files that cannot be read: a folder named requirements.txt, dangling links, a lock that is a folder', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-reads-'));
  fs.mkdirSync(path.join(root, 'requirements.txt'));
  fs.symlinkSync(path.join(root, 'gone.txt'), path.join(root, 'requirements-dev.txt'));
  fs.mkdirSync(path.join(root, 'uv.lock'));
  fs.writeFileSync(path.join(root, 'requirements-prod.txt'), '\n'.repeat(40_000) + 'dbos[otel]==2.30.1 ; python_version > "3.9"\n');
  const s = new ProjectSettings().forFile(path.join(root, 'app.py'));
  assert.deepEqual(s.version, [2, 30]);
  assert.equal(s.versionSource, path.join(root, 'requirements-prod.txt'));
  assert.deepEqual(s.errors, []);
  // a pyproject.toml that is a dangling link: no configuration, no crash
  fs.symlinkSync(path.join(root, 'nowhere.toml'), path.join(root, 'pyproject.toml'));
  const t = new ProjectSettings().forFile(path.join(root, 'app.py'));
  assert.equal(t.configFile, null);
});

test('pin files are read line by line: 40,000 blank lines, names that only start with dbos, locks', () => {
  assert.equal(requiredDbos('\n'.repeat(40_000)), null);
  assert.equal(requiredDbos('  \n'.repeat(40_000) + 'dbos>=2.9\n'), '>=2.9');
  assert.equal(requiredDbos('dbos-lint==0.1\ndbos_helpers==1\ndbos.ext==1\nDBOS[otel] == 2.30.0 # pinned\n'), '== 2.30.0');
  assert.equal(requiredDbos('dbos-lint==0.1\n'), null);
  assert.deepEqual(lockedDbosVersion('[[package]]\nname = "dbos-lint"\nversion = "9.9.9"\n\n[[package]]\nname = "dbos"\nversion = "2.30.0"\n'), [2, 30]);
  assert.equal(lockedDbosVersion('[[package]]\nname = "dbos"\n\n[[package]]\nname = "x"\nversion = "1.0.0"\n'), null);
  assert.equal(lockedDbosVersion('\n'.repeat(40_000)), null);
  assert.deepEqual(readPyproject('[project]\ndependencies = ["dbos-lint>=0.1", "dbos>=2.9"]\n', 'p'), { dbosRequirement: '>=2.9' });
});
