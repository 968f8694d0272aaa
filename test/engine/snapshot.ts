// Renders what a user sees of an analysis as plain text, for the snapshot files that sit beside the
// fixtures (`bad-basic.py` -> `bad-basic.py.snap`), reviewed in diffs like Ruff's `.snap` files.
//
// For each finding, in the engine's order: the code, the severity and the range (1-based lines and
// columns, end exclusive, as the CLI prints them), the source line with the range underlined, the
// full message (every line of it), the related locations with their messages, and each fix with its
// title, whether it is safe (fix-all / `--fix`) and preferred, and the lines it changes.
import * as path from 'node:path';
import { LineIndex, applyEdits } from '../../src/engine/text';
import type { Finding, Fix, Range, TextEdit } from '../../src/engine/types';

const pos = (r: Range) => `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;

/** The source line of the range's start with the range underlined (to the line's end when it spans lines). */
function excerpt(lines: LineIndex, r: Range): string[] {
  if (r.start.line >= lines.lineCount) return [];
  const text = lines.lineText(r.start.line).replace(/\t/g, ' ');
  const num = String(r.start.line + 1);
  const gutter = ' '.repeat(num.length);
  const from = Math.min(r.start.character, text.length);
  const to = r.end.line === r.start.line ? Math.min(r.end.character, text.length) : text.length;
  const marks = '^'.repeat(Math.max(1, to - from)) + (r.end.line > r.start.line ? ` (to line ${r.end.line + 1})` : '');
  return [`${gutter} |`, `${num} | ${text}`.trimEnd(), `${gutter} | ${' '.repeat(from)}${marks}`];
}

/** The whole lines an edit touches, before and after it: one hunk per group of edits on overlapping lines. */
function hunks(text: string, edits: readonly TextEdit[]): string[] {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => a.startOffset - b.startOffset || a.endOffset - b.endOffset);
  const groups: TextEdit[][] = [];
  let lastLine = -2;
  for (const e of sorted) {
    const first = lines.positionAt(e.startOffset).line;
    if (groups.length && first <= lastLine) groups[groups.length - 1].push(e);
    else groups.push([e]);
    lastLine = Math.max(lastLine, lines.positionAt(e.endOffset).line);
  }
  const out: string[] = [];
  for (const g of groups) {
    const firstLine = lines.positionAt(g[0].startOffset).line;
    const endLine = Math.max(...g.map((e) => lines.positionAt(e.endOffset).line));
    const from = lines.starts[firstLine];
    const to = lines.lineEnd(endLine);
    const before = text.slice(from, to);
    const shifted = g.map((e) => ({ ...e, startOffset: e.startOffset - from, endOffset: e.endOffset - from }));
    const after = applyEdits(before, shifted);
    out.push(`    @@ line ${firstLine + 1}`);
    for (const l of before.split(/\r\n|\r|\n/)) out.push(`    -${l}`.trimEnd());
    for (const l of after.split(/\r\n|\r|\n/)) out.push(`    +${l}`.trimEnd());
  }
  return out;
}

function renderFix(text: string, fix: Fix, root?: string): string[] {
  const flags = [fix.safe ? 'safe' : 'unsafe', ...(fix.preferred ? ['preferred'] : []), ...(fix.crossFile ? ['cross-file'] : [])];
  const out = [`  fix (${flags.join(', ')}): ${fix.title}`];
  const here = fix.edits.filter((e) => !e.file);
  if (here.length) out.push(...hunks(text, here));
  for (const e of fix.edits.filter((x) => x.file)) {
    const file = root ? path.relative(root, e.file!).replace(/\\/g, '/') : path.basename(e.file!);
    out.push(`    @@ ${file} ${pos(e.range)} replaced by ${JSON.stringify(e.newText)}`);
  }
  return out;
}

/** The snapshot text of one fixture's findings. `root`: the folder other files' paths are shown relative to. */
export function renderSnapshot(fixture: string, text: string, findings: readonly Finding[], root?: string): string {
  const lines = new LineIndex(text);
  const out = [
    `# Snapshot of ${fixture}: every finding as a user sees it (lines and columns 1-based, end exclusive).`,
    '# Regenerate with `npm run test:update-snapshots` and review the diff.',
  ];
  if (!findings.length) out.push('', '(no findings)');
  for (const f of findings) {
    out.push('', `${f.code} ${f.severity} ${pos(f.range)}${f.tags.length ? ` [${f.tags.join(', ')}]` : ''}`);
    out.push(...excerpt(lines, f.range));
    out.push(...f.message.split('\n').map((l) => `  ${l}`.trimEnd()));
    for (const r of f.related) {
      const where = r.file ? `${root ? path.relative(root, r.file).replace(/\\/g, '/') : path.basename(r.file)}:` : '';
      out.push(`  related ${where}${pos(r.range)}: ${r.message}`);
    }
    for (const fix of f.fixes) out.push(...renderFix(text, fix, root));
  }
  return out.join('\n') + '\n';
}
