// The extension as published: `vsce ls` of the staged manifest (what `npm run package` puts in the .vsix) holds only what the
// extension loads or shows; the manifest names its repository, so vsce needs no
// --allow-missing-repository; engines.vscode matches @types/vscode (the API the code typechecks
// against); `npm run publish` needs only the tokens (dry run). The .vsix itself is installed into
// the current and the oldest supported code-server by `npm run test:e2e:vsix`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, sh } from './lib.mjs';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('vsce ls (of the staged manifest): the extension bundles, server, wasm, icons, walkthrough, snippets and the manifest files; no CLI, no screenshots', () => {
  const r = sh(process.execPath, [path.join(ROOT, 'scripts', 'package-vsix.mjs'), '--ls']);
  const files = r.stdout.split('\n').filter(Boolean).sort();
  const walkthrough = fs.readdirSync(path.join(ROOT, 'media', 'walkthrough')).map((f) => `media/walkthrough/${f}`);
  const snippets = fs.readdirSync(path.join(ROOT, 'snippets')).map((f) => `snippets/${f}`);
  assert.deepEqual(
    files,
    [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/extension.js',
      'dist/languageclient.js',
      'dist/server.js',
      'dist/tree-sitter-python.wasm',
      'dist/tree-sitter.wasm',
      'media/activity.svg',
      'media/icon.png',
      ...walkthrough,
      'package.json',
      ...snippets,
    ].sort(),
  );
});

test('manifest: publishable, repository/bugs/homepage, engines.vscode as old as the API used', () => {
  assert.equal(manifest.private, undefined);
  assert.match(manifest.repository.url, /^https:\/\/github\.com\/[\w-]+\/dbos-lint\.git$/);
  assert.match(manifest.bugs.url, /\/issues$/);
  assert.match(manifest.homepage, /^https:\/\//);
  assert.doesNotMatch(manifest.scripts.package + fs.readFileSync(path.join(ROOT, 'scripts', 'package-vsix.mjs'), 'utf8'), /--allow-missing-repository|--no-rewrite-relative-links/);
  // the code typechecks against @types/vscode of the oldest engine it declares
  const engine = manifest.engines.vscode.replace(/^\^/, '');
  const types = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')).version;
  assert.equal(types.split('.').slice(0, 2).join('.'), engine.split('.').slice(0, 2).join('.'));
  // and vscode-languageclient asks no newer VS Code
  const lc = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8')).engines.vscode.replace(/^\^/, '');
  const num = (v) => v.split('.').map(Number).reduce((a, n) => a * 1000 + n, 0);
  assert.ok(num(lc) <= num(engine), `vscode-languageclient needs ${lc}`);
});

test('npm run publish: needs only VSCE_PAT and/or OVSX_PAT (dry run)', () => {
  const script = path.join(ROOT, 'scripts', 'publish.mjs');
  const none = sh(process.execPath, [script, '--dry-run'], { check: false, env: { VSCE_PAT: '', OVSX_PAT: '' } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /set VSCE_PAT \(VS Code Marketplace\) and\/or OVSX_PAT \(Open VSX\)/);
  const both = sh(process.execPath, [script, '--dry-run'], { env: { VSCE_PAT: 'x', OVSX_PAT: 'y' } });
  assert.equal(
    both.stdout,
    [
      'publish: npm run package',
      'publish: to VS Code Marketplace',
      'publish: node_modules/.bin/vsce publish --packagePath dbos-lint.vsix',
      'publish: to Open VSX',
      'publish: node_modules/.bin/ovsx publish dbos-lint.vsix',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(both.stdout, /\bx\b|\by\b/, 'tokens are never on a command line');
  const ovsxOnly = sh(process.execPath, [script, '--dry-run'], { env: { VSCE_PAT: '', OVSX_PAT: 'y' } });
  assert.doesNotMatch(ovsxOnly.stdout, /Marketplace/);
  // `npm publish` (the npm package) runs a "publish" script too: it must not publish the extension
  const npmPublish = sh(process.execPath, [script], { env: { npm_command: 'publish', VSCE_PAT: 'x' } });
  assert.match(npmPublish.stdout, /the extension is published by `npm run publish`/);
});
