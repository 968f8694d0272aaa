// Bundles the CLI, the language server and the VS Code client with esbuild, and copies the
// tree-sitter wasm files next to them. `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

fs.mkdirSync(dist, { recursive: true });
for (const [pkg, file] of [['web-tree-sitter', 'tree-sitter.wasm'], ['tree-sitter-python', 'tree-sitter-python.wasm']]) {
  fs.copyFileSync(require.resolve(`${pkg}/${file}`), path.join(dist, file));
}

const entries = [
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  // the server's main thread and its analysis thread, one bundle (entry.ts picks the side); a bin of the npm package
  { in: 'src/server/entry.ts', out: 'server', banner: '#!/usr/bin/env node' },
  { in: 'src/client/extension.ts', out: 'extension', external: ['vscode'] },
  // The language client on its own, required by the extension after activation (a fast activate).
  { in: 'src/client/languageclient.ts', out: 'languageclient', external: ['vscode'] },
].filter((e) => fs.existsSync(path.join(root, e.in)));

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      entryPoints: { [e.out]: path.join(root, e.in) },
      outdir: dist,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: !production,
      minify: production,
      external: e.external ?? [],
      // web-tree-sitter's ESM build calls createRequire(import.meta.url); give it this file's URL.
      define: { 'import.meta.url': '__dbosLintFileUrl' },
      banner: { js: `${e.banner ? e.banner + '\n' : ''}var __dbosLintFileUrl = require('url').pathToFileURL(__filename).href;` },
      logLevel: 'warning',
      legalComments: 'none',
    }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // V8 keeps each bundle's source for lazy compilation, once per thread that loads it, as one string:
  // a single character over U+00FF makes it two bytes a character (the server's 1.7 MB then took
  // 3.3 MB in each of its two threads). esbuild escapes such characters in strings but not in regular
  // expression literals: write them as \uXXXX there.
  for (const e of entries) {
    const file = path.join(dist, `${e.out}.js`);
    const text = fs.readFileSync(file, 'utf8');
    const at = text.search(/[^\u0000-\u00ff]/);
    if (at >= 0) {
      const line = text.slice(0, at).split('\n').length;
      throw new Error(`${path.relative(root, file)}:${line}: the character ${JSON.stringify(text[at])} makes V8 keep the bundle's source at two bytes a character; write it as an escape (\\u${text.charCodeAt(at).toString(16).padStart(4, '0')}) in the source`);
    }
  }
  // the bins of the npm package
  for (const bin of ['cli.js', 'server.js']) if (fs.existsSync(path.join(dist, bin))) fs.chmodSync(path.join(dist, bin), 0o755);
}
