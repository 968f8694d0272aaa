// Builds the Python wheel (py3-none-any) from python/ and the bundles in dist/: `python -m build
// --wheel --no-isolation` with hatchling, so that nothing is downloaded (Debian: python3-build and
// python3-hatchling). `npm run build:wheel` makes the production bundles first; this script only
// packs what dist/ holds. The dependency check is skipped: Debian's hatchling 1.12 declares editables,
// which only editable installs use and Debian does not install with it. Options: --outdir DIR (default dist/python). PYTHON names the interpreter;
// else the first of python3 on PATH and /usr/bin/python3 that has both modules.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const outdir = path.resolve(arg('--outdir', path.join(root, 'dist', 'python')));

for (const f of ['cli.js', 'server.js', 'tree-sitter.wasm', 'tree-sitter-python.wasm']) {
  if (!fs.existsSync(path.join(root, 'dist', f))) {
    console.error(`build-wheel: dist/${f} is missing: run \`npm run build:wheel\` (or \`node scripts/build.mjs\`) first`);
    process.exit(1);
  }
}

/** A Python interpreter that can run `-m build` with hatchling, or null. */
function findPython() {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : ['python3', '/usr/bin/python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import build, hatchling'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const python = findPython();
if (!python) {
  console.error(
    'build-wheel: no Python with the `build` and `hatchling` modules (tried ' +
      (process.env.PYTHON ?? 'python3, /usr/bin/python3') +
      '). On Debian: apt-get install python3-build python3-hatchling python3-venv (or bash test/packaging/setup.sh); elsewhere: pip install build hatchling.',
  );
  process.exit(1);
}
fs.mkdirSync(outdir, { recursive: true });
const r = spawnSync(python, ['-m', 'build', '--wheel', '--no-isolation', '--skip-dependency-check', '--outdir', outdir, path.join(root, 'python')], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  process.stderr.write(r.stdout + r.stderr);
  console.error(`build-wheel: ${python} -m build failed (exit ${r.status})`);
  process.exit(1);
}
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const wheel = fs.readdirSync(outdir).find((f) => f.startsWith(`dbos_lint-${version}-`) && f.endsWith('-py3-none-any.whl'));
if (!wheel) {
  console.error(`build-wheel: no dbos_lint-${version}-py3-none-any.whl in ${outdir}`);
  process.exit(1);
}
console.log(path.join(outdir, wheel));
