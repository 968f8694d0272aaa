// Builds dbos-lint.vsix with vsce from a staging folder (out/vsix): package.json's `files` list is
// the npm package's (the CLI), and vsce refuses a manifest that has both `files` and a
// .vscodeignore, so the staged manifest leaves `files` out and .vscodeignore chooses what the
// extension ships. Run after the production build (`npm run package` does both). `--ls` lists the
// files vsce would package instead of packaging them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stage = path.join(root, 'out', 'vsix');
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
for (const entry of ['dist', 'media', 'snippets', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
  fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
}
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
delete manifest.files;
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
const args = process.argv.includes('--ls') ? ['ls', '--no-dependencies'] : ['package', '--no-dependencies', '-o', path.join(root, 'dbos-lint.vsix')];
const r = spawnSync(vsce, args, { cwd: stage, stdio: 'inherit' });
process.exit(r.status ?? 1);
