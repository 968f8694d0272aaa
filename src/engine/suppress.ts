// `# dbos: ignore[DBOS201]`, `# noqa: DBOS201`, `# dbos: ignore-file`.
import type { LineIndex } from './text';

export interface Suppressions {
  /** The whole file is ignored (`# dbos: ignore-file`, optionally with codes). */
  file: Set<string> | 'all' | null;
  /** Line -> codes ('all' for a bare `# dbos: ignore`). */
  lines: Map<number, Set<string> | 'all'>;
}

const IGNORE = /#\s*dbos:\s*ignore(?!-file)(?:\[([^\]]*)\])?/i;
const NOQA = /#\s*noqa\s*:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)/i;
/** `# dbos: ignore-file` or `# dbos: ignore-file[DBOS201, DBOS202]`; group 1 holds the codes. */
export const IGNORE_FILE = /#\s*dbos:\s*ignore-file(?:\[([^\]]*)\])?/i;

function codes(list: string | undefined): Set<string> | 'all' {
  if (!list || !list.trim()) return 'all';
  return new Set(list.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean));
}

/** Where a suppression comment may be: `dbos:` or `noqa`, in any case (what IGNORE, IGNORE_FILE and NOQA need). */
const MARKER = /dbos:|noqa/gi;

/**
 * Scans comments line by line: every line of the header (blank and comment lines at the top, where
 * `ignore-file` counts), then only the lines holding a marker word (found by one search of the text).
 */
export function findSuppressions(lines: LineIndex): Suppressions {
  const out: Suppressions = { file: null, lines: new Map() };
  const text = lines.text;
  if (!text.includes('dbos:') && !/noqa/i.test(text)) return out;
  let i = 0;
  for (; i < lines.lineCount; i++) {
    const line = lines.lineText(i);
    const trimmed = line.trim();
    const header = trimmed === '' || trimmed.startsWith('#');
    scanLine(out, i, line, header);
    if (!header) break;
  }
  if (++i >= lines.lineCount) return out;
  MARKER.lastIndex = lines.starts[i];
  for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) {
    const line = lines.positionAt(m.index).line;
    scanLine(out, line, lines.lineText(line), false);
    // the next search starts on the next line
    if (line + 1 >= lines.lineCount) break;
    MARKER.lastIndex = lines.starts[line + 1];
  }
  return out;
}

/** The suppressions a line's comment declares (`inHeader`: `ignore-file` counts there). */
function scanLine(out: Suppressions, i: number, line: string, inHeader: boolean): void {
  const hash = line.indexOf('#');
  if (hash < 0) return;
  const comment = line.slice(hash);
  if (inHeader) {
    const f = IGNORE_FILE.exec(comment);
    if (f) {
      // Several `ignore-file` comments add up (a bare one ignores everything).
      out.file = merge(out.file ?? undefined, codes(f[1]));
      return;
    }
  }
  let set: Set<string> | 'all' | null = null;
  const m = IGNORE.exec(comment);
  if (m) set = codes(m[1]);
  const q = NOQA.exec(comment);
  if (q) {
    const c = codes(q[1]);
    set = set === 'all' || c === 'all' ? 'all' : new Set([...(set ?? []), ...c]);
  }
  if (!set) return;
  out.lines.set(i, merge(out.lines.get(i), set));
  // a comment alone on its line covers the next line too
  if (line.trim().startsWith('#')) out.lines.set(i + 1, merge(out.lines.get(i + 1), set));
}

/**
 * The header of a file: its first lines up to the first line that is neither blank nor a comment.
 * `# dbos: ignore-file` counts only there.
 */
export function headerLineCount(lines: LineIndex): number {
  for (let i = 0; i < lines.lineCount; i++) {
    const trimmed = lines.lineText(i).trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return i;
  }
  return lines.lineCount;
}

function merge(a: Set<string> | 'all' | undefined, b: Set<string> | 'all'): Set<string> | 'all' {
  if (a === 'all' || b === 'all') return 'all';
  return new Set([...(a ?? []), ...b]);
}

export function isSuppressed(s: Suppressions, code: string, line: number): boolean {
  if (s.file === 'all' || (s.file && s.file.has(code))) return true;
  const l = s.lines.get(line);
  return l === 'all' || (!!l && l.has(code));
}
