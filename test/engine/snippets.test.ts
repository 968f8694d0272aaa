// Every snippet in snippets/python.json, expanded with its defaults (placeholders -> default text,
// choices -> first option), parses as valid Python and the engine reports nothing on it, both as
// inserted and with the usual imports in front (so that every DBOS name resolves).
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';

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

/** Expands TextMate snippet syntax the way VS Code inserts it when every default is accepted. */
export function expand(body: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length && '$}\\,|'.includes(body[i + 1])) {
      out += body[i + 1];
      i += 2;
    } else if (c === '$' && body[i + 1] === '{') {
      // ${n}, ${n:default}, ${n|a,b|}, ${VAR:default}
      let j = i + 2;
      while (j < body.length && /[A-Za-z0-9_]/.test(body[j])) j++;
      if (body[j] === '}') {
        i = j + 1;
      } else if (body[j] === ':') {
        let depth = 1;
        let k = j + 1;
        while (k < body.length && depth > 0) {
          if (body[k] === '\\') k++;
          else if (body[k] === '$' && body[k + 1] === '{') depth++;
          else if (body[k] === '}') depth--;
          if (depth > 0) k++;
        }
        out += expand(body.slice(j + 1, k));
        i = k + 1;
      } else if (body[j] === '|') {
        const end = body.indexOf('|}', j + 1);
        const first = body.slice(j + 1, end).split(/(?<!\\),/)[0];
        out += first.replace(/\\([,|\\$}])/g, '$1');
        i = end + 2;
      } else throw new Error(`bad placeholder at ${body.slice(i, i + 20)}`);
    } else if (c === '$' && /[0-9]/.test(body[i + 1] ?? '')) {
      i++;
      while (/[0-9]/.test(body[i] ?? '')) i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

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

for (const [name, snippet] of Object.entries(SNIPPETS)) {
  test(`snippet "${name}" (${snippet.prefix}) is valid Python and clean`, () => {
    const text = expand(snippet.body.join('\n')) + '\n';
    const variants: [string, string][] = [['as inserted', text]];
    if (!/^from dbos import/m.test(text)) variants.push(['after the usual imports', `${PREAMBLE}\n\n${text}`]);
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
