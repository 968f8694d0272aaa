// `--output-format json`: an array of findings (1-based positions, the whole message), and one entry
// per problem of the run (code `read-error`, `config-error` or `internal-error`).
import type { Severity } from '../../engine/types';
import { oneBased, shownPath, type FileReport, type Reporter, type RunProblem } from './report';

export interface JsonRelated {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: Severity;
  message: string;
  fixable: boolean;
  /** Related locations (a helper chain: every link), only when there are some. */
  related?: JsonRelated[];
}

function span(range: { start: { line: number; character: number }; end: { line: number; character: number } }) {
  const s = oneBased(range.start);
  const e = oneBased(range.end);
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

export function toJson(files: FileReport[], problems: RunProblem[] = []): JsonFinding[] {
  const findings: JsonFinding[] = files.flatMap((r) =>
    r.findings.map((f) => ({
      file: r.file,
      ...span(f.range),
      code: f.code,
      severity: f.severity,
      message: f.message,
      fixable: f.fixes.length > 0,
      ...(f.related.length > 0
        ? { related: f.related.map((rel) => ({ file: rel.file ? shownPath(rel.file) : r.file, ...span(rel.range), message: rel.message })) }
        : {}),
    })),
  );
  const whole = { line: 1, column: 1, endLine: 1, endColumn: 1 };
  return [...findings, ...problems.map((p) => ({ file: p.file ?? '', ...whole, code: p.kind, severity: 'error' as const, message: p.message, fixable: false }))];
}

export const jsonReporter: Reporter = {
  end: (files, run) => JSON.stringify(toJson(files, run.problems), null, 2) + '\n',
};
