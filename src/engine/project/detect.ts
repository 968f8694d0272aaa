// Whether a workspace uses DBOS, judged from a few of its files: the VS Code client asks it, over
// files VS Code's own search lists, before it starts the language server for a folder that was
// just opened (a Python workspace without DBOS gets no server until a Python file is opened).
// Plain text tests, no parse: cheap enough to run on a few hundred files.

/** Files that declare a Python project's dependencies (VS Code glob, any folder). */
export const DEPENDENCY_FILES_GLOB = '**/{pyproject.toml,requirements*.txt,requirements*.in,setup.py,setup.cfg,Pipfile,uv.lock,poetry.lock,pdm.lock,environment.yml}';

/** Folders never worth reading for this (environments, caches, dependencies, builds). */
export const SKIPPED_FOLDERS_GLOB = '**/{.venv,venv,env,.env,.tox,.nox,node_modules,site-packages,__pycache__,.git,.mypy_cache,.ruff_cache,build,dist}/**';

/** A dependency file names the `dbos` package (a requirement, a table key, a lock entry). */
export function declaresDbos(text: string): boolean {
  return /(^|[^\w.-])dbos(?![\w-])/im.test(text);
}

/** A Python file imports dbos (`import dbos`, `from dbos import ...`, `from dbos.x import ...`). */
export function importsDbos(text: string): boolean {
  return /^[ \t]*(?:from[ \t]+dbos(?:\.[\w.]+)?[ \t]+import\b|import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*dbos\b)/m.test(text);
}
