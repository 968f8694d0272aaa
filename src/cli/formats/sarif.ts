// `--output-format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.
//
// A result's `message.text` is the whole message: its first line is a complete statement of what is
// wrong, which code scanning shows as the alert's title (it cuts the text to the first sentence
// where space is short); the lines after it, why and what to do, show in full on the alert's page.
// Each rule reported carries its page (`help.markdown`: what, why, bad and good code, fixes) and
// `helpUri`; rules without results are left out (a report of a clean project stays small).
// Locations: a file under the working directory (the checkout, in CI) is a relative reference
// resolved against `%SRCROOT%`; any other file is an absolute `file:` URI. Both are percent-encoded.
// Files that could not be checked are tool execution notifications, and the run then reports
// `executionSuccessful: false`.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '../../catalog/rules';
import { ruleDocs } from '../../catalog/docs';
import { categoryOf } from '../../catalog/categories';
import type { Range, Severity } from '../../engine/types';
import pkg from '../../../package.json';
import type { FileReport, Reporter, RunProblem } from './report';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/**
 * A file as a SARIF artifact location: relative to `%SRCROOT%` (the working directory) when it lies
 * under it, each segment percent-encoded; else an absolute `file:` URI.
 */
export function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  if (rel && !rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel)) {
    // encodeURIComponent leaves only A-Z a-z 0-9 - _ . ! ~ * ' ( ): `:` is encoded too (a first
    // segment holding one would read as a scheme)
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  }
  return { uri: pathToFileURL(abs).href };
}

function region(range: Range) {
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

function location(file: string, range: Range) {
  return { physicalLocation: { artifactLocation: artifactLocation(file), region: region(range) } };
}

function rules(codes: ReadonlySet<string>) {
  return RULES.filter((r) => codes.has(r.code)).map((r) => {
    const docs = ruleDocs(r.code);
    const cat = categoryOf(r.code);
    const help = docs ? `${docs.what}\n\nWhy: ${docs.why}\n\nFixes: ${docs.fixes}` : r.title;
    const markdown = docs
      ? `${docs.what}\n\n**Why.** ${docs.why}\n\n**Bad**\n\n\`\`\`python\n${docs.bad}\n\`\`\`\n\n**Good**\n\n\`\`\`python\n${docs.good}\n\`\`\`\n\n**Fixes.** ${docs.fixes}\n\nDBOS documentation: ${r.docsUrl}`
      : `${r.title}\n\nDBOS documentation: ${r.docsUrl}`;
    return {
      id: r.code,
      name: r.name,
      shortDescription: { text: r.title },
      fullDescription: { text: docs?.what || r.title },
      helpUri: r.docsUrl,
      help: { text: help, markdown },
      defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
      properties: { category: cat.title, impact: cat.impact, tier: r.tier, tags: ['dbos', cat.id] },
    };
  });
}

export function toSarif(files: FileReport[], version: string, problems: RunProblem[] = []): object {
  const descriptors = rules(new Set(files.flatMap((r) => r.findings.map((f) => f.code))));
  const index = new Map(descriptors.map((r, i) => [r.id, i]));
  const results = files.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.code,
      ruleIndex: index.get(f.code),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(r.file, f.range)],
      ...(f.related.length > 0
        ? { relatedLocations: f.related.map((rel, i) => ({ id: i + 1, ...location(rel.file ?? r.file, rel.range), message: { text: rel.message } })) }
        : {}),
    })),
  );
  const notifications = problems.map((p) => ({
    level: 'error',
    message: { text: p.message },
    descriptor: { id: p.kind },
    ...(p.file ? { locations: [{ physicalLocation: { artifactLocation: artifactLocation(p.file) } }] } : {}),
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'dbos-lint', version, semanticVersion: version, informationUri: pkg.homepage, rules: descriptors } },
        invocations: [{ executionSuccessful: problems.length === 0, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export const sarifReporter: Reporter = {
  end: (files, run) => JSON.stringify(toSarif(files, run.version, run.problems), null, 2) + '\n',
};
