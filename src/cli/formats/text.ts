// Human-readable formats, printed file by file as the check goes: `text` (one line per finding,
// the message's first line) and `full` (also the source lines with a caret, the whole message, the
// related locations and the fix), after Ruff's concise and full formats.
import { ruleMeta } from '../../catalog/rules';
import type { Finding, Severity } from '../../engine/types';
import { firstLine, printable, printablePath, restLines } from './escape';
import { oneBased, safelyFixable, shownFix, shownPath, type FileReport, type Reporter, type RunInfo } from './report';

/** `path:line:col: CODE [*] first line of the message` (`[*]`: `--fix` fixes it). */
export function findingLine(file: string, f: Finding): string {
  const { line, column } = oneBased(f.range.start);
  return `${printablePath(file)}:${line}:${column}: ${f.code}${safelyFixable(f) ? ' [*]' : ''} ${printable(firstLine(f.message))}`;
}

export function summary(files: FileReport[], unsafeHint: boolean): string {
  const all = files.flatMap((r) => r.findings);
  if (all.length === 0) return 'All checks passed.';
  const by = (s: Severity) => all.filter((f) => f.severity === s).length;
  const parts = (['error', 'warning', 'information', 'hint'] as Severity[])
    .map((s) => [s, by(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 || s === 'information' ? '' : 's'}`);
  let out = `Found ${all.length} problem${all.length === 1 ? '' : 's'} (${parts.join(', ')}).`;
  const safe = all.filter(safelyFixable).length;
  const unsafe = all.filter((f) => !safelyFixable(f) && f.fixes.some((x) => !x.crossFile)).length;
  if (safe > 0) out += `\n${safe} fixable with --fix.`;
  if (unsafe > 0 && unsafeHint) out += `\n${unsafe} more fixable with --fix --unsafe-fixes (these restructure code: review them).`;
  return out;
}

export function statistics(files: FileReport[]): string {
  const counts = new Map<string, { n: number; fixable: boolean }>();
  for (const f of files.flatMap((r) => r.findings)) {
    const c = counts.get(f.code) ?? { n: 0, fixable: false };
    c.n++;
    c.fixable ||= safelyFixable(f);
    counts.set(f.code, c);
  }
  const rows = [...counts.entries()].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]));
  const width = Math.max(1, ...rows.map(([, c]) => String(c.n).length));
  return rows
    .map(([code, c]) => `${String(c.n).padStart(width)}\t${code}\t${c.fixable ? '[*]' : '[ ]'} ${ruleMeta(code)?.name ?? ''}`)
    .join('\n');
}

/** The end of both human formats: statistics, fixes applied, the summary (unless quiet). */
function humanEnd(files: FileReport[], run: RunInfo): string {
  let out = '';
  if (run.statistics && files.some((r) => r.findings.length > 0)) out += `\n${statistics(files)}\n`;
  if (!run.quiet) {
    if (run.fixed > 0) out += `Fixed ${run.fixed} problem${run.fixed === 1 ? '' : 's'}.\n`;
    out += summary(files, run.unsafeHint) + '\n';
    const unchecked = new Set(run.problems.filter((p) => p.kind !== 'config-error').map((p) => p.file ?? ''));
    if (unchecked.size > 0) out += `${unchecked.size} file${unchecked.size === 1 ? '' : 's'} not fully checked (see the errors above).\n`;
  }
  return out;
}

export const textReporter: Reporter = {
  human: true,
  file: (r) => r.findings.map((f) => findingLine(r.file, f) + '\n').join(''),
  end: humanEnd,
};

/** Tabs as four spaces, then escaped: the way a source line is shown. */
function shown(text: string): string {
  return printable(text.replace(/\t/g, '    '));
}

/** Source lines of a finding (two before, the first line of its range, one after), with the caret line. */
function snippet(source: string, f: Finding): string[] {
  const lines = source.split(/\r\n|\r|\n/);
  const { start, end } = f.range;
  const first = Math.max(0, start.line - 2);
  const last = Math.min(lines.length - 1, start.line + 1);
  const width = String(last + 1).length;
  const gutter = (n?: number) => `${n === undefined ? ''.padStart(width) : String(n).padStart(width)} |`;
  const out = [gutter()];
  for (let i = first; i <= last; i++) {
    const text = lines[i] ?? '';
    out.push(`${gutter(i + 1)}${text ? ' ' + shown(text) : ''}`);
    if (i === start.line) {
      const to = end.line === start.line ? end.character : text.length;
      const pad = shown(text.slice(0, start.character)).length;
      const len = Math.max(1, shown(text.slice(start.character, to)).length);
      out.push(`${gutter()} ${' '.repeat(pad)}${'^'.repeat(len)}${end.line > start.line ? '...' : ''} ${f.code}`);
    }
  }
  out.push(gutter());
  return out;
}

function fullFinding(r: FileReport, f: Finding): string {
  const out = [findingLine(r.file, f)];
  if (r.source !== undefined) out.push(...snippet(r.source, f));
  for (const line of restLines(f.message)) out.push(line ? `  = ${printable(line)}` : '  =');
  for (const rel of f.related) {
    const { line, column } = oneBased(rel.range.start);
    out.push(`  = related: ${printable(rel.file ? shownPath(rel.file) : r.file)}:${line}:${column}: ${printable(firstLine(rel.message))}`);
  }
  const fix = shownFix(f);
  if (fix) {
    const how = fix.crossFile ? 'in an editor: it edits another file' : fix.safe ? 'dbos-lint --fix' : 'dbos-lint --fix --unsafe-fixes, then review';
    out.push(`  = help: ${printable(fix.title)} (${how})`);
  }
  const docs = ruleMeta(f.code)?.docsUrl;
  if (docs) out.push(`  = docs: ${docs}`);
  return out.join('\n') + '\n\n';
}

export const fullReporter: Reporter = {
  human: true,
  needsSource: true,
  file: (r) => r.findings.map((f) => fullFinding(r, f)).join(''),
  end: humanEnd,
};
