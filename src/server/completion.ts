// Completion: the DBOS snippets as completion items whose additional edits add the imports the
// snippet needs (the engine computes both: src/engine/snippets.ts, src/engine/fixes/imports.ts).
// Items are offered while the word being typed could be a snippet prefix (`d`, `dbos-`, `dbos-que`).
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionParams,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ModuleModel } from '../engine/model/module';
import { parseWithin } from '../engine/syntax/parser';
import { expandSnippet, preparedSnippets, type PreparedSnippet } from '../engine/snippets';
import { importEditsFor, type ImportNeed } from '../engine/fixes/imports';
import { caps, documents } from './connection';
import { uriToPath } from './workspace';

interface ItemData {
  uri: string;
  name: string;
  line: number;
}

/** The word before the cursor as a snippet prefix (letters, digits, `_` and `-`), or null. */
function prefixAt(doc: TextDocument, line: number, character: number): { start: number; word: string } | null {
  const before = doc.getText({ start: { line, character: 0 }, end: { line, character } });
  if (before.includes('#')) return null; // in a comment (or after a `#` in a string: no snippet there either)
  const m = /(?:^|[^\w-])([A-Za-z][\w-]*)$/.exec(before);
  if (!m || !/^d/i.test(m[1])) return null;
  return { start: character - m[1].length, word: m[1] };
}

function importLine(n: ImportNeed): string {
  return n.name === null ? `import ${n.module}${n.alias ? ` as ${n.alias}` : ''}` : `from ${n.module} import ${n.name}${n.alias ? ` as ${n.alias}` : ''}`;
}

/** How long the parse for import edits may take in the main thread (ms). */
const IMPORT_PARSE_MS = 50;

/** The edits adding the imports `snippets` need to the document, computed over one parse of it. */
function importEdits(doc: TextDocument, line: number, snippets: PreparedSnippet[]): Map<string, TextEdit[]> {
  const text = doc.getText();
  // parsed here, in the main thread, within a bound that keeps the answer quick (the document's
  // kept tree is in the analysis thread); a document too long to parse in time gets no import edits
  const tree = parseWithin(text, performance.now() + IMPORT_PARSE_MS);
  if (!tree) return new Map();
  try {
    const model = new ModuleModel(text, tree, { path: uriToPath(doc.uri) });
    const out = new Map<string, TextEdit[]>();
    for (const s of snippets) {
      const firstLine = expandSnippet(s.body).split('\n')[0];
      out.set(s.name, importEditsFor(model, s.imports, { line, firstLine }).map((e) => ({ range: e.range, newText: e.newText })));
    }
    return out;
  } finally {
    tree.delete();
  }
}

export function completions(params: CompletionParams): CompletionItem[] {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const { line, character } = params.position;
  const at = prefixAt(doc, line, character);
  if (!at) return [];
  const snippets = preparedSnippets();
  const range = { start: { line, character: at.start }, end: { line, character } };
  // Clients that resolve additionalTextEdits lazily get them for the chosen item only (one parse then).
  const eager = caps.resolveAdditionalTextEdits ? null : importEdits(doc, line, snippets);
  return snippets.map((s, i) => {
    const item: CompletionItem = {
      label: s.prefix,
      labelDetails: { description: s.name },
      kind: CompletionItemKind.Snippet,
      detail: s.description,
      documentation: {
        kind: MarkupKind.Markdown,
        value: ['```python', expandSnippet(s.body), '```', s.imports.length ? `Adds the imports it needs: ${s.imports.map((n) => `\`${importLine(n)}\``).join(', ')}` : ''].join('\n'),
      },
      filterText: s.prefix,
      sortText: String(i).padStart(3, '0'),
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range, newText: s.body },
      data: { uri: doc.uri, name: s.name, line } satisfies ItemData,
    };
    // The VS Code client notes it (the walkthrough's snippet step).
    if (caps.clientCommands) item.command = { title: 'Snippet inserted', command: 'dbosLint.snippetInserted', arguments: [s.prefix] };
    if (eager) item.additionalTextEdits = eager.get(s.name);
    return item;
  });
}

export function resolveCompletion(item: CompletionItem): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data || item.additionalTextEdits) return item;
  const doc = documents.get(data.uri);
  const snippet = preparedSnippets().find((s) => s.name === data.name);
  if (!doc || !snippet) return item;
  item.additionalTextEdits = importEdits(doc, data.line, [snippet]).get(snippet.name);
  return item;
}
