#!/usr/bin/env node
// CI step: `npm audit` of the code we ship. Every library the CLI, the server and the extension use
// is bundled into dist/ by esbuild, so package.json lists them all as devDependencies (an installed
// npm package or .vsix pulls in nothing); the shipped libraries are those that src/ imports, with
// everything they depend on in package-lock.json. Fails on a high or critical advisory in them;
// when the registry's audit service cannot be reached or answers with an error (an outage, a proxy
// that only allows GET, no answer within two minutes), it prints a warning and passes, so CI never
// fails for reasons outside the repository.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Package names imported (statically, by require or by dynamic import) anywhere under src/. */
function importedPackages() {
  const names = new Set();
  const visit = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:\bfrom |\brequire\(|\bimport\()'(@?[a-z0-9][\w.\/-]*)'/g)) {
          const spec = m[1];
          if (spec.startsWith('node:') || spec === 'vscode') continue;
          names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        }
      }
    }
  };
  visit(path.join(root, 'src'));
  return names;
}

/** The shipped packages and their dependencies, transitively, from the lock file. */
function shippedClosure() {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const seen = new Set();
  const todo = [...importedPackages()];
  while (todo.length > 0) {
    const name = todo.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const entry = lock.packages?.[`node_modules/${name}`];
    for (const dep of Object.keys({ ...entry?.dependencies, ...entry?.optionalDependencies })) todo.push(dep);
  }
  return seen;
}

const shipped = shippedClosure();
const r = spawnSync('npm', ['audit', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
let report = null;
try {
  report = JSON.parse(r.stdout);
} catch {
  report = null;
}
if (!report?.metadata?.vulnerabilities) {
  const why = report?.message ?? report?.error?.summary ?? (r.stderr || '').trim().split('\n').pop() ?? `exit ${r.status}`;
  console.warn(`[audit] WARNING: npm audit did not produce a report (${why}); not failing CI for it.`);
  process.exit(0);
}
const ours = Object.entries(report.vulnerabilities ?? {}).filter(([name]) => shipped.has(name));
const counts = {};
for (const [, v] of ours) counts[v.severity] = (counts[v.severity] ?? 0) + 1;
console.log(`[audit] shipped packages (${shipped.size}: ${[...shipped].sort().join(', ')}): ${JSON.stringify(counts)}`);
const serious = ours.filter(([, v]) => v.severity === 'high' || v.severity === 'critical');
for (const [name, v] of serious) console.error(`[audit] ${v.severity}: ${name} ${v.range ?? ''}`);
process.exit(serious.length > 0 ? 1 : 0);
