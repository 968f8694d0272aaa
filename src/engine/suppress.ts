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

/** Scans comments line by line (cheap: only lines containing '#'). */
export function findSuppressions(lines: LineIndex): Suppressions {
  const out: Suppressions = { file: null, lines: new Map() };
  const text = lines.text;
  if (!text.includes('dbos:') && !/noqa/i.test(text)) return out;
  let inHeader = true;
  for (let i = 0; i < lines.lineCount; i++) {
    const line = lines.lineText(i);
    const trimmed = line.trim();
    if (inHeader && trimmed !== '' && !trimmed.startsWith('#')) inHeader = false;
    const hash = line.indexOf('#');
    if (hash < 0) continue;
    const comment = line.slice(hash);
    if (inHeader) {
      const f = IGNORE_FILE.exec(comment);
      if (f) {
        // Several `ignore-file` comments add up (a bare one ignores everything).
        out.file = merge(out.file ?? undefined, codes(f[1]));
        continue;
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
    if (!set) continue;
    out.lines.set(i, merge(out.lines.get(i), set));
    // a comment alone on its line covers the next line too
    if (trimmed.startsWith('#')) out.lines.set(i + 1, merge(out.lines.get(i + 1), set));
  }
  return out;
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
