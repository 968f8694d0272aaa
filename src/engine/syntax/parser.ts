// Loads web-tree-sitter and the tree-sitter-python grammar once per process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser, Language, type Tree, type Edit } from 'web-tree-sitter';

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Finds a wasm file next to the bundle (dist/) or in node_modules (dev and tests). */
function locate(file: string, pkg: string): string {
  const candidates = [path.join(__dirname, file), path.join(__dirname, '..', file)];
  for (const c of candidates) {
    if (fs.existsSync(c)) return c;
  }
  try {
    return require.resolve(`${pkg}/${file}`);
  } catch {
    throw new Error(`dbos-lint: cannot find ${file} (looked next to ${__dirname} and in ${pkg})`);
  }
}

/** Initialise the parser. Safe to call many times; resolves once the grammar is loaded. */
export function initParser(): Promise<void> {
  if (!loading) {
    loading = (async () => {
      const runtime = locate('tree-sitter.wasm', 'web-tree-sitter');
      await Parser.init({ locateFile: () => runtime });
      const lang = await Language.load(fs.readFileSync(locate('tree-sitter-python.wasm', 'tree-sitter-python')));
      const p = new Parser();
      p.setLanguage(lang);
      parser = p;
    })();
  }
  return loading;
}

export function parserReady(): boolean {
  return parser !== undefined;
}

function getParser(): Parser {
  if (!parser) throw new Error('dbos-lint: initParser() must be awaited before parsing');
  return parser;
}

/**
 * Parses Python text. Passing the previous tree (already edited with `tree.edit`) makes the parse
 * incremental. Returns null only when tree-sitter gives up (it does not for any string input).
 */
export function parsePython(text: string, oldTree?: Tree | null): Tree {
  const tree = getParser().parse(parsedText(text), oldTree ?? null);
  if (!tree) throw new Error('dbos-lint: the parser returned no tree');
  return tree;
}

/**
 * Parses Python text, giving up once `performance.now()` passes `deadline` or `cancelled()` holds (tree-sitter calls the
 * progress callback every hundred or so parser operations): null then, and the parser is reset so
 * that the next parse starts afresh instead of resuming this one.
 */
export function parseWithin(text: string, deadline: number, oldTree?: Tree | null, cancelled?: () => boolean): Tree | null {
  const p = getParser();
  const tree = p.parse(parsedText(text), oldTree ?? null, { progressCallback: () => performance.now() > deadline || !!cancelled?.() });
  if (!tree) p.reset();
  return tree;
}

/**
 * The text tree-sitter is given: a lone carriage return (old Mac line endings, which Python accepts)
 * becomes a line feed, one character for one, so offsets do not move. tree-sitter-python does not
 * end a line at a lone CR, and such a file parsed as one broken line gave no finding at all.
 */
export function parsedText(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

export type { Tree, Edit };
