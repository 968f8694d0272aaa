// The npm package: `npm pack` of the repository (its `files`), `npm install -g` of the tarball into a
// temporary prefix with no network, then the installed `dbos-lint` prints exactly what `node
// dist/cli.js` prints and the LSP session test passes against the installed `dbos-lint-server`.
// (`npm pack` normally runs the production build first; here --ignore-scripts packs the dist/ the
// test run built, which other tests are using.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nestedTestEnv, ROOT, sh, timed, tmpdir, VERSION } from './lib.mjs';

const work = tmpdir('npm');
const prefix = path.join(work, 'prefix');
const npmEnv = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

test('npm pack: the CLI and server bundles, the two wasm files, package.json, README and LICENSE only', () => {
  const r = timed('npm pack', () => sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { env: npmEnv }));
  const [info] = JSON.parse(r.stdout);
  assert.equal(info.name, 'dbos-lint');
  assert.equal(info.version, VERSION);
  assert.deepEqual(info.files.map((f) => f.path).sort(), ['LICENSE', 'README.md', 'dist/cli.js', 'dist/server.js', 'dist/tree-sitter-python.wasm', 'dist/tree-sitter.wasm', 'package.json']);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(manifest.private, undefined, 'publishable');
  assert.equal(manifest.dependencies, undefined, 'everything is bundled: installing pulls in nothing');
  assert.deepEqual(manifest.bin, { 'dbos-lint': 'dist/cli.js', 'dbos-lint-server': 'dist/server.js' });
  for (const bin of ['cli.js', 'server.js']) assert.match(fs.readFileSync(path.join(ROOT, 'dist', bin), 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test('npm install -g of the tarball (offline): dbos-lint and dbos-lint-server work', () => {
  const tarball = path.join(work, `dbos-lint-${VERSION}.tgz`);
  timed('npm install -g (tarball, offline)', () => sh('npm', ['install', '-g', '--offline', '--prefix', prefix, tarball], { env: npmEnv }));
  const bin = path.join(prefix, 'bin');
  assert.equal(sh(path.join(bin, 'dbos-lint'), ['--version']).stdout, `${VERSION}\n`);
  const shop = path.join(ROOT, 'examples', 'shop');
  const want = sh(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), '--output-format', 'json', '.'], { cwd: shop, check: false });
  const got = sh(path.join(bin, 'dbos-lint'), ['--output-format', 'json', '.'], { cwd: shop, check: false });
  assert.equal(got.stdout, want.stdout);
  assert.equal(got.code, 1);
  const lsp = path.join(ROOT, 'out', 'test', 'server', 'lsp.test.js');
  const r = timed('LSP session test against the npm-installed dbos-lint-server', () =>
    sh(process.execPath, ['--test', '--test-reporter=tap', lsp], { check: false, replaceEnv: true, env: nestedTestEnv({ DBOS_LINT_SERVER_COMMAND: JSON.stringify([path.join(bin, 'dbos-lint-server')]) }) }),
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^# fail 0$/m);
});
