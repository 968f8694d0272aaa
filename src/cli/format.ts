// Output formats of the CLI: text, JSON and SARIF 2.1.0.
import { RULES, ruleMeta } from '../catalog/rules';
import { ruleDocs } from '../catalog/docs';
import { categoryOf } from '../catalog/categories';
import * as path from 'node:path';
import type { Finding, Severity } from '../engine/types';

/** A related file as shown: relative to the working directory when under it, else absolute. */
export function shownPath(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export interface JsonRelated {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export interface FileFindings {
  /** The path as shown to the user (relative to the working directory when given so). */
  file: string;
  findings: Finding[];
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

export function toJson(results: FileFindings[]): JsonFinding[] {
  return results.flatMap((r) =>
    r.findings.map((f) => ({
      file: r.file,
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
      code: f.code,
      severity: f.severity,
      message: f.message,
      fixable: f.fixes.length > 0,
      ...(f.related.length > 0
        ? {
            related: f.related.map((rel) => ({
              file: rel.file ? shownPath(rel.file) : r.file,
              line: rel.range.start.line + 1,
              column: rel.range.start.character + 1,
              endLine: rel.range.end.line + 1,
              endColumn: rel.range.end.character + 1,
              message: rel.message,
            })),
          }
        : {}),
    })),
  );
}

export function toText(results: FileFindings[]): string {
  const lines: string[] = [];
  for (const r of results) {
    for (const f of r.findings) {
      lines.push(`${r.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code} ${f.message.split('\n')[0]}`);
    }
  }
  return lines.join('\n');
}

export function summary(results: FileFindings[], unsafeHint: boolean): string {
  const all = results.flatMap((r) => r.findings);
  if (all.length === 0) return 'All checks passed.';
  const by = (s: Severity) => all.filter((f) => f.severity === s).length;
  const parts = (['error', 'warning', 'information', 'hint'] as Severity[])
    .map((s) => [s, by(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 || s === 'information' ? '' : 's'}`);
  let out = `Found ${all.length} problem${all.length === 1 ? '' : 's'} (${parts.join(', ')}).`;
  const safe = all.filter((f) => f.fixes.some((x) => x.safe)).length;
  const unsafe = all.filter((f) => f.fixes.some((x) => !x.crossFile) && !f.fixes.some((x) => x.safe)).length;
  if (safe > 0) out += `\n${safe} fixable with --fix.`;
  if (unsafe > 0 && unsafeHint) out += `\n${unsafe} more fixable with --fix --unsafe-fixes (these restructure code: review them).`;
  return out;
}

export function statistics(results: FileFindings[]): string {
  const counts = new Map<string, { n: number; fixable: boolean }>();
  for (const f of results.flatMap((r) => r.findings)) {
    const c = counts.get(f.code) ?? { n: 0, fixable: false };
    c.n++;
    c.fixable ||= f.fixes.some((x) => x.safe);
    counts.set(f.code, c);
  }
  const rows = [...counts.entries()].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]));
  const width = Math.max(1, ...rows.map(([, c]) => String(c.n).length));
  return rows
    .map(([code, c]) => `${String(c.n).padStart(width)}\t${code}\t${c.fixable ? '[*]' : '[ ]'} ${ruleMeta(code)?.name ?? ''}`)
    .join('\n');
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

export function toSarif(results: FileFindings[], version: string, implemented: ReadonlySet<string>): object {
  const rules = RULES.map((r) => {
    const docs = ruleDocs(r.code);
    const cat = categoryOf(r.code);
    const help = docs
      ? `${docs.what}\n\nWhy: ${docs.why}\n\nFixes: ${docs.fixes}`
      : r.title;
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
      defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity], enabled: implemented.has(r.code) },
      properties: { category: cat.title, impact: cat.impact, tier: r.tier, tags: ['dbos', cat.id] },
    };
  });
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarifResults = results.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.code,
      ruleIndex: index.get(f.code),
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(r.file, f.range)],
      ...(f.related.length > 0
        ? { relatedLocations: f.related.map((rel, i) => ({ id: i + 1, ...location(rel.file ? shownPath(rel.file) : r.file, rel.range), message: { text: rel.message } })) }
        : {}),
    })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'dbos-lint', version, semanticVersion: version, rules } },
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
}

function location(file: string, range: Finding['range']): { physicalLocation: object } {
  return {
    physicalLocation: {
      artifactLocation: { uri: file.split('\\').join('/'), uriBaseId: '%SRCROOT%' },
      region: {
        startLine: range.start.line + 1,
        startColumn: range.start.character + 1,
        endLine: range.end.line + 1,
        endColumn: range.end.character + 1,
      },
    },
  };
}
