// `--output-format gitlab`: GitLab Code Quality (a subset of Code Climate's issue format). The
// description is the message's first line (GitLab lists it in merge requests); the fingerprint
// hashes what the finding is, not where: its code, file, message and its rank among identical ones,
// so that a finding keeps its identity when lines above it move.
import { createHash } from 'node:crypto';
import type { Severity } from '../../engine/types';
import { firstLine } from './escape';
import { oneBased, shownPath, type FileReport, type Reporter, type RunProblem } from './report';

const SEVERITY: Record<Severity, 'critical' | 'major' | 'minor' | 'info'> = { error: 'critical', warning: 'major', information: 'minor', hint: 'info' };

interface CodeQualityIssue {
  type: 'issue';
  check_name: string;
  description: string;
  severity: 'blocker' | 'critical' | 'major' | 'minor' | 'info';
  fingerprint: string;
  location: { path: string; positions: { begin: { line: number; column: number }; end: { line: number; column: number } } };
}

export function toGitlab(files: FileReport[], problems: RunProblem[]): CodeQualityIssue[] {
  const seen = new Map<string, number>();
  const fingerprint = (...parts: string[]): string => {
    const key = parts.join('\0');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(`${key}\0${n}`).digest('hex');
  };
  const issues: CodeQualityIssue[] = [];
  for (const r of files) {
    // GitLab wants paths relative to the repository root: the working directory of a CI job
    const file = shownPath(r.file);
    for (const f of r.findings) {
      const description = `${f.code} ${firstLine(f.message)}`;
      issues.push({
        type: 'issue',
        check_name: f.code,
        description,
        severity: SEVERITY[f.severity],
        fingerprint: fingerprint(f.code, file, description),
        location: { path: file, positions: { begin: oneBased(f.range.start), end: oneBased(f.range.end) } },
      });
    }
  }
  for (const p of problems) {
    const file = p.file ? shownPath(p.file) : '';
    const start = { line: 1, column: 1 };
    issues.push({
      type: 'issue',
      check_name: `dbos-lint/${p.kind}`,
      description: p.message,
      severity: 'blocker',
      fingerprint: fingerprint(p.kind, file, p.message),
      location: { path: file, positions: { begin: start, end: start } },
    });
  }
  return issues;
}

export const gitlabReporter: Reporter = {
  end: (files, run) => JSON.stringify(toGitlab(files, run.problems), null, 2) + '\n',
};
