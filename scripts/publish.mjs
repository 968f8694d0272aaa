// `npm run publish`: builds dbos-lint.vsix (the production bundles) and publishes it to the VS Code
// Marketplace with @vscode/vsce when VSCE_PAT is set (an Azure DevOps personal access token with the
// Marketplace "Manage" scope, for the publisher in package.json) and to Open VSX with ovsx when
// OVSX_PAT is set (an open-vsx.org access token; the namespace must exist: `npx ovsx
// create-namespace <publisher> -p $OVSX_PAT` once). Both tools are devDependencies: the tokens are
// all it needs. `--dry-run` prints what it would run and publishes nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// `npm publish` (the npm package) also runs a script named "publish" once it is done: the extension
// is published by `npm run publish` only
if (process.env.npm_command === 'publish') {
  console.log('publish: `npm publish` published the npm package; the extension is published by `npm run publish`.');
  process.exit(0);
}
const dryRun = process.argv.includes('--dry-run');
const vsix = path.join(root, 'dbos-lint.vsix');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const targets = [
  { name: 'VS Code Marketplace', token: 'VSCE_PAT', cmd: [bin('vsce'), 'publish', '--packagePath', vsix] },
  { name: 'Open VSX', token: 'OVSX_PAT', cmd: [bin('ovsx'), 'publish', vsix] },
].filter((t) => process.env[t.token]);

if (targets.length === 0) {
  console.error('publish: set VSCE_PAT (VS Code Marketplace) and/or OVSX_PAT (Open VSX) to publish; nothing to do.');
  process.exit(2);
}

function run(cmd, args) {
  console.log(`publish: ${[cmd, ...args].map((a) => path.relative(root, a) || a).join(' ')}`);
  if (dryRun) return;
  // the tools read their token from the environment (VSCE_PAT, OVSX_PAT): never on the command line
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`publish: ${path.basename(cmd)} failed (exit ${r.status})`);
    process.exit(1);
  }
}

run('npm', ['run', 'package']);
if (!dryRun && !fs.existsSync(vsix)) {
  console.error(`publish: ${vsix} was not built`);
  process.exit(1);
}
for (const t of targets) {
  console.log(`publish: to ${t.name}`);
  run(t.cmd[0], t.cmd.slice(1));
}
