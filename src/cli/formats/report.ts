// What every output format is given: the files with findings as they complete, then the whole run.
import * as path from 'node:path';
import { chooseFix } from '../../engine/fixes/fix-all';
import type { Finding, Fix, Severity } from '../../engine/types';

/** One checked file with findings, as the formats see it. */
export interface FileReport {
  /** The path as shown to the user (as given, relative to the working directory when given so). */
  file: string;
  findings: Finding[];
  /** The analysed text, for the formats that show source lines (`full`). */
  source?: string;
}

/**
 * What kept part of the run from being checked: a file that cannot be read, an invalid
 * configuration, an internal error. Every format reports it, and the run exits 2.
 */
export interface RunProblem {
  kind: 'read-error' | 'config-error' | 'internal-error';
  /** The file concerned, as shown; absent for a problem of the whole run. */
  file?: string;
  /** One line, complete. */
  message: string;
  /** More (a stack trace): stderr only. */
  detail?: string;
}

/** The severities that `--fail-on` accepts, from the most to the least severe. */
export const FAIL_ON_LEVELS = ['error', 'warning', 'information'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];
/** By default a warning fails the run: a non-deterministic workflow (DBOS201) is a warning. */
export const DEFAULT_FAIL_ON: FailOn = 'warning';

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Whether a finding of this severity fails the run under `--fail-on` (a hint never does). */
export function fails(severity: Severity, failOn: FailOn): boolean {
  return RANK[severity] <= RANK[failOn];
}

/** The run as a whole, for the formats' last part. */
export interface RunInfo {
  version: string;
  failOn: FailOn;
  problems: RunProblem[];
  /** Fixes applied by `--fix`. */
  fixed: number;
  /** Whether to mention the fixes that need `--unsafe-fixes`. */
  unsafeHint: boolean;
  statistics: boolean;
  quiet: boolean;
}

/**
 * An output format. `file` (streaming formats) returns what to print for a file as soon as it is
 * checked, so that a run killed by a CI timeout has printed the files it finished; `end` returns
 * the rest (or, for structured formats, everything) once the run is over.
 */
export interface Reporter {
  file?(r: FileReport): string;
  end(files: FileReport[], run: RunInfo): string;
  /** Whether the format shows source lines (the check keeps the text of files with findings). */
  needsSource?: boolean;
  /** A format for people (text, full): its end holds the statistics and the summary. */
  human?: boolean;
}

/** A related file as shown: relative to the working directory when under it, else absolute. */
export function shownPath(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** 1-based line and column of a position. */
export function oneBased(p: { line: number; character: number }): { line: number; column: number } {
  return { line: p.line + 1, column: p.character + 1 };
}

/** The fix `--fix` would apply to a finding, else the one `--fix --unsafe-fixes` would, else the first (another file's). */
export function shownFix(f: Finding): Fix | undefined {
  return chooseFix(f, false) ?? chooseFix(f, true) ?? f.fixes[0];
}

/** Whether `--fix` fixes this finding. */
export function safelyFixable(f: Finding): boolean {
  return chooseFix(f, false) !== undefined;
}
