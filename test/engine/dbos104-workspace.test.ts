// DBOS104 (a) with the workspace index: a script that launches DBOS and imports the project's own
// modules (and libraries) is reported when none of those modules, followed through their own
// imports, constructs DBOS; anything that cannot be followed keeps the rule quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { WorkspaceIndex } from '../../src/engine/project/index';

// on disk: a virtual workspace treats every name as a possible folder, so libraries are not told apart
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos104-'));
let runs = 0;

const MAIN = [
  'import litellm',
  'from dbos import DBOS',
  '',
  'from compiler.builder import build_graph',
  '',
  '',
  'def main():',
  '    DBOS.launch()',
  '    build_graph()',
  '',
  '',
  'if __name__ == "__main__":',
  '    main()',
  '',
].join('\n');

const BUILDER = [
  'from dbos import DBOS',
  'from core.schemas import ProjectDSL',
  'from langgraph.graph import StateGraph',
  '',
  '',
  '@DBOS.step()',
  'def build_graph():',
  '    return StateGraph(ProjectDSL)',
  '',
].join('\n');

function lint(files: Map<string, string>, rel: string): string[] {
  const root = path.join(base, String(runs++));
  for (const [name, text] of files) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, rel);
  const r = analyze(files.get(rel)!, { path: file, index, config: resolveConfig([]), version: [2, 10] });
  return r.findings.filter((f) => f.code === 'DBOS104').map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}:${f.code}`);
}

function workspace(extra: Record<string, string> = {}, main = MAIN): Map<string, string> {
  const files = new Map<string, string>([
    ['main.py', main],
    ['compiler/__init__.py', ''],
    ['compiler/builder.py', BUILDER],
    ['core/__init__.py', ''],
    ['core/schemas.py', 'class ProjectDSL:\n    pass\n'],
  ]);
  for (const [rel, text] of Object.entries(extra)) files.set(rel, text);
  return files;
}

test('DBOS104: a script whose imported project modules never construct DBOS (libraries aside)', async () => {
  await initParser();
  assert.deepEqual(lint(workspace(), 'main.py'), ['8:5:DBOS104']);
  // a script run under the main guard directly
  const direct = 'import litellm\nfrom dbos import DBOS\nfrom compiler.builder import build_graph\n\nif __name__ == "__main__":\n    DBOS.launch()\n';
  assert.deepEqual(lint(workspace({}, direct), 'main.py'), ['6:5:DBOS104']);
});

test('DBOS104: quiet when an imported module constructs DBOS, directly or through its own imports', async () => {
  await initParser();
  const config = 'from dbos import DBOS\n\nDBOS(config={"name": "app"})\n';
  // the schemas module, imported by the builder, constructs DBOS at import
  assert.deepEqual(lint(workspace({ 'core/schemas.py': config + '\n\nclass ProjectDSL:\n    pass\n' }), 'main.py'), []);
  // `import app.config` in the script itself: the submodule is followed, not only the package
  const viaPlainImport = MAIN.replace('from compiler.builder import build_graph', 'import app.config\nfrom compiler.builder import build_graph');
  assert.deepEqual(lint(workspace({ 'app/__init__.py': '', 'app/config.py': config }, viaPlainImport), 'main.py'), []);
  // a construction inside a function of an imported module counts too (it may run before the launch)
  assert.deepEqual(lint(workspace({ 'core/schemas.py': 'from dbos import DBOS\n\n\ndef setup():\n    DBOS()\n\n\nclass ProjectDSL:\n    pass\n' }), 'main.py'), []);
});

test('DBOS104: quiet when an import cannot be followed', async () => {
  await initParser();
  // another module's `import pkg.sub` is kept as `pkg`: the submodule is unknown
  const builder = BUILDER.replace('from core.schemas import ProjectDSL', 'import core.schemas\nfrom core.schemas import ProjectDSL');
  assert.deepEqual(lint(workspace({ 'compiler/builder.py': builder }), 'main.py'), []);
  // a relative import from a top-level script has no package to resolve against
  const relative = MAIN.replace('from compiler.builder import build_graph', 'from . import helpers\nfrom compiler.builder import build_graph');
  assert.deepEqual(lint(workspace({}, relative), 'main.py'), []);
  // a namespace package (a folder without __init__.py) imported as a whole: its modules are unknown
  const namespace = MAIN.replace('from compiler.builder import build_graph', 'import tools\nfrom compiler.builder import build_graph');
  assert.deepEqual(lint(workspace({ 'tools/setup.py': 'from dbos import DBOS\n\nDBOS()\n' }, namespace), 'main.py'), []);
});

test('DBOS104: not a script (no main guard): another module may construct DBOS and then call it', async () => {
  await initParser();
  const lib = MAIN.replace(/\n\nif __name__[\s\S]*$/, '\n');
  assert.deepEqual(lint(workspace({}, lib), 'main.py'), []);
});

test.after(() => fs.rmSync(base, { recursive: true, force: true }));
