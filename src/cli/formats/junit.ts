// `--output-format junit`: JUnit XML for CI test reports. One test suite per file with findings, one
// test case per finding: a `failure` when it fails the run (`--fail-on`), `skipped` otherwise, so
// that a report agrees with the exit code. The failure's message is the message's first line, its
// text the position, the whole message and the related locations. Problems of the run are `error`s.
import type { Finding } from '../../engine/types';
import { firstLine, xml } from './escape';
import { fails, oneBased, shownPath, type FailOn, type FileReport, type Reporter, type RunProblem } from './report';

function testcase(file: string, f: Finding, failOn: FailOn): string {
  const { line, column } = oneBased(f.range.start);
  const name = xml(`${f.code} at ${line}:${column}`, true);
  const head = `    <testcase name="${name}" classname="${xml(file, true)}" file="${xml(file, true)}" line="${line}">\n`;
  if (!fails(f.severity, failOn)) {
    return `${head}      <skipped message="${xml(`${f.severity} (below --fail-on ${failOn}): ${firstLine(f.message)}`, true)}"/>\n    </testcase>\n`;
  }
  const related = f.related.map((rel) => {
    const p = oneBased(rel.range.start);
    return `\nrelated: ${rel.file ? shownPath(rel.file) : file}:${p.line}:${p.column}: ${firstLine(rel.message)}`;
  });
  const body = `${file}:${line}:${column}: ${f.severity}: ${f.code} ${f.message}${related.join('')}`;
  return `${head}      <failure type="${xml(f.code, true)}" message="${xml(firstLine(f.message), true)}">${xml(body)}</failure>\n    </testcase>\n`;
}

export function toJunit(files: FileReport[], problems: RunProblem[], failOn: FailOn): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const r of files) {
    if (r.findings.length === 0) continue;
    const f = r.findings.filter((x) => fails(x.severity, failOn)).length;
    const s = r.findings.length - f;
    tests += r.findings.length;
    failures += f;
    skipped += s;
    suites.push(
      `  <testsuite name="${xml(r.file, true)}" tests="${r.findings.length}" failures="${f}" errors="0" skipped="${s}">\n${r.findings.map((x) => testcase(r.file, x, failOn)).join('')}  </testsuite>\n`,
    );
  }
  if (problems.length > 0) {
    tests += problems.length;
    const cases = problems
      .map((p) => `    <testcase name="${xml(p.kind, true)}" classname="${xml(p.file ?? 'dbos-lint', true)}">\n      <error type="${xml(p.kind, true)}" message="${xml(p.message, true)}">${xml(`${p.file ? p.file + ': ' : ''}${p.message}`)}</error>\n    </testcase>\n`)
      .join('');
    suites.push(`  <testsuite name="dbos-lint problems" tests="${problems.length}" failures="0" errors="${problems.length}" skipped="0">\n${cases}  </testsuite>\n`);
  }
  if (suites.length === 0) {
    tests = 1;
    suites.push('  <testsuite name="dbos-lint" tests="1" failures="0" errors="0" skipped="0">\n    <testcase name="No problems found" classname="dbos-lint"/>\n  </testsuite>\n');
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="dbos-lint" tests="${tests}" failures="${failures}" errors="${problems.length}" skipped="${skipped}">\n${suites.join('')}</testsuites>\n`;
}

export const junitReporter: Reporter = {
  end: (files, run) => toJunit(files, run.problems, run.failOn),
};
