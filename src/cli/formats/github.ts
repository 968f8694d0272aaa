// `--output-format github`: GitHub Actions workflow commands, one annotation per finding, printed as
// files are checked. The message's first line is the annotation; `%`, CR, LF (and `:` `,` in
// properties) are encoded as the runner expects, and control characters are shown as escapes.
import { ruleMeta } from '../../catalog/rules';
import type { Finding, Severity } from '../../engine/types';
import { firstLine, githubData, githubProperty } from './escape';
import { oneBased, type Reporter } from './report';

const LEVEL: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };

function annotation(file: string, f: Finding): string {
  const s = oneBased(f.range.start);
  const e = oneBased(f.range.end);
  const props = [`title=${githubProperty(`dbos-lint ${f.code} (${ruleMeta(f.code)?.name ?? f.code})`)}`, `file=${githubProperty(file)}`, `line=${s.line}`, `endLine=${e.line}`];
  // columns apply to one-line annotations only
  if (s.line === e.line) props.push(`col=${s.column}`, `endColumn=${e.column}`);
  return `::${LEVEL[f.severity]} ${props.join(',')}::${githubData(`${f.code} ${firstLine(f.message)}`)}\n`;
}

export const githubReporter: Reporter = {
  file: (r) => r.findings.map((f) => annotation(r.file, f)).join(''),
  end: (_files, run) =>
    run.problems
      .map((p) => `::error ${p.file ? `file=${githubProperty(p.file)},` : ''}title=${githubProperty(`dbos-lint ${p.kind}`)}::${githubData(p.message)}\n`)
      .join(''),
};
