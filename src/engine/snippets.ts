// The DBOS snippets (snippets/python.json) as the language server offers them: the text to insert
// (TextMate snippet syntax, its own import lines taken out) and the imports the body needs, read
// from the body itself: its import lines, and the names it uses without binding them that
// SNIPPET_NAMES knows how to import. importEditsFor (fixes/imports.ts) adds the missing ones to a
// document.
import type { Node } from 'web-tree-sitter';
import SNIPPET_FILE from '../../snippets/python.json';
import { parsePython } from './syntax/parser';
import { parseImportLine, type ImportNeed } from './fixes/imports';

export interface SnippetSource {
  prefix: string;
  description: string;
  body: string[];
}

export interface PreparedSnippet {
  /** The snippet's name in snippets/python.json ("Register queue"). */
  name: string;
  prefix: string;
  description: string;
  /** The body to insert (TextMate snippet syntax), without the import lines at its top. */
  body: string;
  /** The imports the body needs, in the order they are written (module-level names they bind). */
  imports: ImportNeed[];
}

/** The snippets as written in snippets/python.json, by name. */
export const SNIPPETS = SNIPPET_FILE as Record<string, SnippetSource>;

/**
 * Where each name a snippet may use without defining it comes from. Names not listed (placeholders
 * such as `my_step`, an `app` the user already has) are left to the user.
 */
const SNIPPET_NAMES: Record<string, string> = {
  DBOS: 'from dbos import DBOS',
  DBOSConfig: 'from dbos import DBOSConfig',
  DBOSClient: 'from dbos import DBOSClient',
  DBOSConfiguredInstance: 'from dbos import DBOSConfiguredInstance',
  Debouncer: 'from dbos import Debouncer',
  EnqueueOptions: 'from dbos import EnqueueOptions',
  Queue: 'from dbos import Queue',
  SetEnqueueOptions: 'from dbos import SetEnqueueOptions',
  SetWorkflowAttributes: 'from dbos import SetWorkflowAttributes',
  SetWorkflowID: 'from dbos import SetWorkflowID',
  SetWorkflowTimeout: 'from dbos import SetWorkflowTimeout',
  SQLAlchemyDatasource: 'from dbos import SQLAlchemyDatasource',
  AsyncSQLAlchemyDatasource: 'from dbos import AsyncSQLAlchemyDatasource',
  WorkflowHandle: 'from dbos import WorkflowHandle',
  WorkflowHandleAsync: 'from dbos import WorkflowHandleAsync',
  dboserror: 'from dbos import error as dboserror',
  asyncio: 'import asyncio',
  os: 'import os',
  time: 'import time',
  uuid: 'import uuid',
  datetime: 'from datetime import datetime',
  timedelta: 'from datetime import timedelta',
  Any: 'from typing import Any',
  asynccontextmanager: 'from contextlib import asynccontextmanager',
  sqlalchemy: 'import sqlalchemy',
  FastAPI: 'from fastapi import FastAPI',
  pytest: 'import pytest',
};

/**
 * Expands TextMate snippet syntax the way VS Code inserts it when every default is accepted:
 * `${1:x}` -> x, `${2|a,b|}` -> a, `$0` and `${3}` -> nothing, `\$` -> $.
 */
export function expandSnippet(body: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length && '$}\\,|'.includes(body[i + 1])) {
      out += body[i + 1];
      i += 2;
    } else if (c === '$' && body[i + 1] === '{') {
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
        out += expandSnippet(body.slice(j + 1, k));
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

/** Node types whose `name` child binds a name rather than reading one. */
const BINDERS = new Set(['function_definition', 'class_definition']);

/**
 * Names a Python text reads without binding them anywhere in it (attributes, keyword argument
 * names, parameters and definitions excluded), in order of first use. Needs the parser initialised.
 */
export function unboundNames(text: string): string[] {
  const tree = parsePython(text);
  try {
    const bound = new Set<string>();
    const used: string[] = [];
    const bind = (n: Node | null) => {
      if (!n) return;
      if (n.type === 'identifier') bound.add(n.text);
      else for (const c of n.namedChildren) if (c && c.type !== 'attribute' && c.type !== 'subscript') bind(c);
    };
    const visit = (n: Node) => {
      switch (n.type) {
        case 'import_statement':
        case 'import_from_statement':
          for (const c of n.namedChildren) {
            if (!c || c === n.childForFieldName('module_name')) continue;
            const alias = c.type === 'aliased_import' ? c.childForFieldName('alias') : null;
            bound.add((alias ?? c).text.split('.')[0]);
          }
          return;
        case 'assignment':
        case 'augmented_assignment':
        case 'for_statement':
        case 'for_in_clause':
        case 'named_expression':
          bind(n.childForFieldName('left') ?? n.childForFieldName('name'));
          break;
        case 'as_pattern':
        case 'with_item':
          bind(n.childForFieldName('alias') ?? null);
          break;
        case 'parameters':
        case 'lambda_parameters':
          for (const p of n.namedChildren) {
            if (!p) continue;
            bind(p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((x) => x?.type === 'identifier') ?? null);
            const annotation = p.childForFieldName('type');
            if (annotation) visit(annotation);
            const value = p.childForFieldName('value');
            if (value) visit(value);
          }
          return;
        case 'keyword_argument': {
          const value = n.childForFieldName('value');
          if (value) visit(value);
          return;
        }
        case 'attribute': {
          const object = n.childForFieldName('object');
          if (object) visit(object);
          return;
        }
        case 'identifier':
          if (!(n.parent && BINDERS.has(n.parent.type) && n.parent.childForFieldName('name')?.id === n.id)) used.push(n.text);
          return;
      }
      if (BINDERS.has(n.type)) bound.add(n.childForFieldName('name')?.text ?? '');
      for (const c of n.namedChildren) if (c) visit(c);
    };
    visit(tree.rootNode);
    return [...new Set(used.filter((u) => !bound.has(u)))];
  } finally {
    tree.delete();
  }
}

const IMPORT_LINE = /^(import\s|from\s+\S+\s+import\s)/;

/** A snippet ready to offer: its body without its import lines, and every import it needs. */
export function prepareSnippet(name: string, s: SnippetSource = SNIPPETS[name]): PreparedSnippet {
  const lines = [...s.body];
  const imports: ImportNeed[] = [];
  const add = (need: ImportNeed | null) => {
    if (need && !imports.some((i) => i.module === need.module && i.name === need.name && i.alias === need.alias)) imports.push(need);
  };
  // The import lines at the top of the body (and the blank lines after them) move to the imports.
  while (lines.length && (IMPORT_LINE.test(lines[0]) || (lines[0].trim() === '' && imports.length))) {
    const line = lines.shift()!;
    if (line.trim()) for (const need of parseImportLine(line)) add(need);
  }
  const body = lines.join('\n');
  for (const n of unboundNames(expandSnippet(body))) {
    const line = SNIPPET_NAMES[n];
    if (line) for (const need of parseImportLine(line)) add(need);
  }
  return { name, prefix: s.prefix, description: s.description, body, imports };
}

let prepared: PreparedSnippet[] | undefined;

/** Every snippet, prepared once per process (needs the parser initialised). */
export function preparedSnippets(): PreparedSnippet[] {
  prepared ??= Object.keys(SNIPPETS).map((name) => prepareSnippet(name));
  return prepared;
}
