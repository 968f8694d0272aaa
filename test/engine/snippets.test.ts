// Every snippet in snippets/python.json, expanded with its defaults (placeholders -> default text,
// choices -> first option), parses as valid Python and the engine reports nothing on it: inserted
// into an empty file with the imports the engine computes for it (what the language server's
// completion adds), and below the usual imports. Then the import edits themselves, exactly.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { ModuleModel } from '../../src/engine/model/module';
import { parsePython } from '../../src/engine/syntax/parser';
import { expandSnippet as expand, preparedSnippets, unboundNames } from '../../src/engine/snippets';
import { importEditsFor, parseImportLine } from '../../src/engine/fixes/imports';
import { applyEdits, LineIndex } from '../../src/engine/text';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SNIPPETS = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'python.json'), 'utf8')) as Record<string, Snippet>;

const PREAMBLE = `import asyncio
import os
from datetime import datetime
from typing import Any

import sqlalchemy
from dbos import (
    DBOS,
    AsyncSQLAlchemyDatasource,
    DBOSClient,
    DBOSConfig,
    DBOSConfiguredInstance,
    Debouncer,
    EnqueueOptions,
    Queue,
    SetEnqueueOptions,
    SetWorkflowAttributes,
    SetWorkflowID,
    SetWorkflowTimeout,
    SQLAlchemyDatasource,
)
from dbos import error as dboserror
from fastapi import FastAPI

app = FastAPI()
`;

/**
 * DBOS 2.x-only snippets (catalog §6 "[2.x]"): checked against a 2.x target version. The legacy
 * `@DBOS.transaction` and `@DBOS.scheduled` snippets are left out on purpose: the checker reports
 * both APIs as deprecated, so a snippet must not insert them.
 */
const LEGACY = new Set(['dbos-queue-legacy']);

const python = spawnSync('python3', ['-c', 'pass']).status === 0;

/** CPython's own parser (top-level await allowed: some snippets are meant for async bodies). */
function cpythonErrors(text: string): string | null {
  const r = spawnSync('python3', ['-c', 'import ast,sys; compile(sys.stdin.read(), "<snippet>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)'], {
    input: text,
    encoding: 'utf8',
  });
  return r.status === 0 ? null : r.stderr;
}

before(async () => {
  await initParser();
});

test('snippets: at least 30, each with a dbos- prefix and a description, prefixes unique', () => {
  const entries = Object.entries(SNIPPETS);
  assert.ok(entries.length >= 30, `${entries.length} snippets`);
  const prefixes = entries.map(([, s]) => s.prefix);
  assert.equal(new Set(prefixes).size, prefixes.length);
  for (const [name, s] of entries) {
    assert.match(s.prefix, /^dbos-[a-z0-9-]+$/, name);
    assert.ok(s.description.length > 10, name);
    assert.ok(Array.isArray(s.body) && s.body.length > 0, name);
  }
});

test('snippet expansion follows VS Code (placeholders, choices, nesting, escapes)', () => {
  assert.equal(expand('a ${1:x} ${2|p,q|} $0 ${3:f(${4:y})} \\$ ${5}'), 'a x p  f(y) $ ');
  assert.equal(expand('${1|retries_allowed=True\\, max_attempts=3,off|}'), 'retries_allowed=True, max_attempts=3');
});

/**
 * What accepting a snippet's completion item does: the typed prefix on `line` replaced by the
 * expanded body (indented like the line), and the import edits the engine computes applied.
 */
function insert(text: string, prefix: string, line: number): string {
  const snippet = preparedSnippets().find((s) => s.prefix === prefix)!;
  const lines = new LineIndex(text);
  const lineText = lines.lineText(line);
  const col = lineText.indexOf(prefix);
  assert.ok(col >= 0, `${prefix} not on line ${line}`);
  const indent = lineText.slice(0, col);
  const body = expand(snippet.body).split('\n').map((l, i) => (i && l ? indent + l : l)).join('\n');
  const tree = parsePython(text);
  try {
    const model = new ModuleModel(text, tree, { path: 'app.py' });
    const edits = importEditsFor(model, snippet.imports, { line, firstLine: expand(snippet.body).split('\n')[0] });
    const at = lines.starts[line] + col;
    return applyEdits(text, [...edits, lines.edit(at, at + prefix.length, body)]);
  } finally {
    tree.delete();
  }
}

test('the 41 snippets are all offered, with their import lines taken out of the body', () => {
  const all = preparedSnippets();
  assert.equal(all.length, 41);
  assert.deepEqual(all.map((s) => s.prefix), Object.values(SNIPPETS).map((s) => s.prefix));
  for (const s of all) assert.doesNotMatch(s.body, /^(import|from \S+ import) /m, s.prefix);
  const main = all.find((s) => s.prefix === 'dbos-main')!;
  assert.deepEqual(main.imports, [...parseImportLine('import os'), ...parseImportLine('from dbos import DBOS, DBOSConfig')]);
  assert.match(main.body, /^if __name__ == "__main__":/);
  assert.deepEqual(
    all.find((s) => s.prefix === 'dbos-enqueue-options')!.imports.map((n) => [n.module, n.name, n.alias]),
    [['dbos', 'SetEnqueueOptions', null], ['dbos', 'DBOS', null], ['dbos', 'error', 'dboserror']],
  );
});

for (const [name, snippet] of Object.entries(SNIPPETS)) {
  test(`snippet "${name}" (${snippet.prefix}) is valid Python and clean, with the imports it needs`, () => {
    const inserted = insert(`${snippet.prefix}\n`, snippet.prefix, 0);
    const variants: [string, string][] = [['in an empty file, with its imports', inserted]];
    if (!/^from dbos import/m.test(expand(snippet.body.join('\n')))) variants.push(['after the usual imports', `${PREAMBLE}\n\n${expand(snippet.body.join('\n'))}\n`]);
    // Every name the engine knows how to import is imported: what is left are builtins and the
    // snippet's own placeholders.
    const known = new Set(preparedSnippets().flatMap((s) => s.imports.map((n) => n.alias ?? n.name ?? n.module)));
    assert.deepEqual(unboundNames(inserted).filter((n) => known.has(n)), [], inserted);
    for (const [how, src] of variants) {
      const r = analyze(src, { path: `snippet_${snippet.prefix.replace(/-/g, '_')}.py`, version: LEGACY.has(snippet.prefix) ? [2, 30] : null });
      assert.equal(r.syntaxErrors, 0, `${how}: syntax errors in\n${src}`);
      assert.deepEqual(r.ruleFailures, [], how);
      assert.deepEqual(
        r.findings.map((f) => `${f.code} ${f.range.start.line + 1}: ${f.message}`),
        [],
        `${how}:\n${src}`,
      );
      if (python) assert.equal(cpythonErrors(src), null, `${how}: CPython rejects\n${src}`);
    }
  });
}

test('snippet imports in an empty file: the lines it needs, then the blank lines PEP 8 wants', () => {
  assert.equal(insert('dbos-get-event\n', 'dbos-get-event', 0), 'from dbos import DBOS\n\nvalue = DBOS.get_event(workflow_id, "status", timeout_seconds=60)\n');
  assert.match(insert('dbos-queue\n', 'dbos-queue', 0), /^from dbos import DBOS\n\n\ndef register_queues\(\) -> None:\n/);
  const wf = insert('dbos-workflow', 'dbos-workflow', 0);
  assert.match(wf, /^from dbos import DBOS\n\n\n@DBOS\.workflow\(\)\ndef my_workflow/);
  assert.match(insert('dbos-datasource-async\n', 'dbos-datasource-async', 0), /^import asyncio\nimport os\n\nimport sqlalchemy\nfrom dbos import AsyncSQLAlchemyDatasource\n\n/);
});

test('snippet imports merge into the file\'s own imports and skip names it already binds', () => {
  // Added to `from dbos import ...` on one line, and nothing for DBOS, which is bound.
  assert.equal(
    insert('import os\nfrom dbos import DBOS\n\n\ndbos-idempotent\n', 'dbos-idempotent', 4).split('\n').slice(0, 3).join('\n'),
    'import os\nfrom dbos import DBOS, SetWorkflowID\n',
  );
  // Parenthesized over several lines, with or without a trailing comma.
  assert.equal(
    insert('from dbos import (\n    DBOS,\n    Queue,\n)\n\ndbos-timeout\n', 'dbos-timeout', 5).split('\n').slice(0, 5).join('\n'),
    'from dbos import (\n    DBOS,\n    Queue,\n    SetWorkflowTimeout,\n)',
  );
  assert.equal(
    insert('from dbos import (\n    DBOS,\n    Queue\n)\n\ndbos-timeout\n', 'dbos-timeout', 5).split('\n').slice(0, 5).join('\n'),
    'from dbos import (\n    DBOS,\n    Queue,\n    SetWorkflowTimeout\n)',
  );
  // A standard-library module goes above third-party imports; other new lines after the last import.
  assert.equal(
    insert('from fastapi import FastAPI\n\napp = FastAPI()\n\ndbos-config\n', 'dbos-config', 4).split('\n').slice(0, 3).join('\n'),
    'import os\nfrom fastapi import FastAPI\nfrom dbos import DBOSConfig',
  );
  // Everything already there: no edit at all.
  const full = 'import os\n\nfrom dbos import DBOS, DBOSConfig\n\n';
  assert.equal(insert(`${full}dbos-config\n`, 'dbos-config', 4), full + expand(preparedSnippets().find((s) => s.prefix === 'dbos-config')!.body) + '\n');
  // Indented insertion keeps the imports at the top.
  const nested = insert('import os\n\n\ndef w() -> None:\n    dbos-idempotent\n', 'dbos-idempotent', 4);
  assert.match(nested, /^import os\nfrom dbos import DBOS, SetWorkflowID\n\n\ndef w\(\) -> None:\n {4}with SetWorkflowID\(f"order-\{order_id\}"\):\n {8}handle = /);
});

test('snippet imports keep a shebang, an encoding line, the ignore-file header and the docstring first; CRLF kept', () => {
  const event = 'value = DBOS.get_event(workflow_id, "status", timeout_seconds=60)';
  assert.equal(insert('#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\ndbos-get-event\n', 'dbos-get-event', 3), `#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\nfrom dbos import DBOS\n\n${event}\n`);
  assert.equal(insert('# dbos: ignore-file[DBOS201]\ndbos-get-event\n', 'dbos-get-event', 1), `# dbos: ignore-file[DBOS201]\nfrom dbos import DBOS\n\n${event}\n`);
  assert.equal(insert('"""Orders."""\n\n\ndbos-get-event\n', 'dbos-get-event', 3), `"""Orders."""\n\nfrom dbos import DBOS\n\n\n${event}\n`);
  assert.equal(insert('import os\r\n\r\ndbos-get-event\r\n', 'dbos-get-event', 2), `import os\r\nfrom dbos import DBOS\r\n\r\n${event}\r\n`);
});
