// dbos-lint command line: check files and folders (or standard input), print findings in one of
// seven formats, apply safe fixes or show them as a diff, and exit with a status CI can act on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { IMPLEMENTED_CODES } from '../engine/index';
import type { UserConfig } from '../engine/config';
import { userConfigFrom } from '../engine/user-config';
import {
  checkFiles,
  checkInParallel,
  checkText,
  coreCount,
  decodeSource,
  isFolder,
  rootsListing,
  runWorker,
  WorkerPool,
  workspaceRoots,
  type CheckOptions,
  type FileOutcome,
} from './check';
import { RULES } from '../catalog/rules';
import { CATEGORIES, categoryOf } from '../catalog/categories';
import { walk } from '../engine/project/walk';
import { FORMATS } from './formats/index';
import { printable } from './formats/escape';
import { blocking, DEFAULT_FAIL_ON, fails, FAIL_ON_LEVELS, type FailOn, type FileReport, type Reporter, type RunProblem } from './formats/report';
import { statistics } from './formats/text';
import { InOrder } from './in-order';
import { installTestHooks } from '../engine/test-hooks';
import pkg from '../../package.json';

const FORMAT_NAMES = Object.keys(FORMATS);

const HELP = `dbos-lint ${pkg.version}: checks Python code that uses DBOS durable workflows.

Usage:
  dbos-lint [options] [paths...]     check files and folders (default: .)
  dbos-lint [options] -              check standard input (name it with --stdin-filename)
  dbos-lint rules [--output-format text|json]   list the rules

Options:
  --output-format <format>     text (default): path:line:col: CODE message, one line per finding
                               full: also the source lines, the whole message, related locations, the fix
                               json, sarif (SARIF 2.1.0), github (Actions annotations),
                               gitlab (Code Quality), junit (JUnit XML); --format is the same option
  -o, --output-file <path>     write the report to a file instead of standard output
  --fail-on <level>            the least severe finding that fails the run (exit 1):
                               error, warning (default) or information
  --exit-zero                  exit 0 even when findings fail the run
  --fix                        apply safe fixes in place
  --unsafe-fixes               with --fix or --diff, also fixes that restructure code
  --diff                       print what --fix would change as a unified diff; write nothing
                               (exit 1 when there is something to fix)
  --stdin-filename <path>      the name of the file read from standard input (configuration,
                               cross-file checks, output); with --fix the fixed text goes to stdout
  --select <codes>             only these codes or prefixes (comma-separated: DBOS2,DBOS101)
  --extend-select <codes>      add codes or prefixes to the selection
  --ignore <codes>             skip these codes or prefixes
  --target-version <v>         DBOS version to check against (2.30, 3, auto)
  --profile <default|strict>   strict turns on every rule
  --file-time-budget-ms <ms>   time one file may take, read to last rule (default 10000)
  --max-file-size-kb <KiB>     larger files are reported and not parsed (default 2048)
  --statistics                 print the number of findings per rule
  --no-gitignore               do not skip files listed in .gitignore
  -q, --quiet                  print findings only, no summary
  -h, --help                   show this help
  -v, --version                show the version

Configuration is read from [tool.dbos-lint] in the nearest pyproject.toml; options override it.
text, full and github print each file's findings as soon as it is checked.
Threads: one per core from 3 cores and 150 files per thread up (at most 8); DBOS_LINT_THREADS=N sets them.
Exit status: 0 nothing fails the run; 1 findings at or above --fail-on (with --diff: fixes to apply);
2 usage error, invalid configuration, a file that cannot be read, or an internal error (the report
is still written).`;

/** A comma-separated option as a list; an empty entry is kept, for the validation to report. */
function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim());
}

function rulesCommand(format: string): number {
  const rows = RULES.map((r) => ({
    code: r.code,
    name: r.name,
    title: r.title,
    category: categoryOf(r.code).title,
    impact: categoryOf(r.code).impact,
    defaultSeverity: r.defaultSeverity,
    tier: r.tier,
    implemented: IMPLEMENTED_CODES.has(r.code),
    docsUrl: r.docsUrl,
  }));
  if (format === 'json') {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  for (const c of CATEGORIES) {
    process.stdout.write(`\n${c.title} (${c.impact})\n`);
    for (const r of rows.filter((x) => x.category === c.title)) {
      const mark = r.implemented ? ' ' : '-';
      process.stdout.write(`  ${mark} ${r.code}  ${r.defaultSeverity.padEnd(11)} ${r.tier.padEnd(8)} ${r.name}: ${r.title}\n`);
    }
  }
  process.stdout.write(`\n${rows.filter((r) => r.implemented).length} of ${rows.length} rules implemented ('-' marks the others).\n`);
  return 0;
}

/** Where the report goes: standard output, or the file of --output-file (written as the check goes). */
interface Sink {
  write(text: string): void;
  close(): void;
}

function openSink(file: string | undefined): Sink {
  if (file === undefined) return { write: (t) => void process.stdout.write(t), close: () => undefined };
  const fd = fs.openSync(file, 'w');
  return { write: (t) => void fs.writeSync(fd, t), close: () => fs.closeSync(fd) };
}

/** The options of the command line that the check reads. */
interface Flags {
  fix: boolean;
  unsafeFixes: boolean;
  diff: boolean;
  statistics: boolean;
  exitZero: boolean;
  gitignore: boolean;
  quiet: boolean;
  failOn: FailOn;
  outputFile?: string;
  stdinFilename?: string;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'output-format': { type: 'string' },
        format: { type: 'string' },
        'output-file': { type: 'string', short: 'o' },
        'fail-on': { type: 'string' },
        fix: { type: 'boolean', default: false },
        'unsafe-fixes': { type: 'boolean', default: false },
        diff: { type: 'boolean', default: false },
        'stdin-filename': { type: 'string' },
        select: { type: 'string' },
        'extend-select': { type: 'string' },
        ignore: { type: 'string' },
        'target-version': { type: 'string' },
        profile: { type: 'string' },
        'file-time-budget-ms': { type: 'string' },
        'max-file-size-kb': { type: 'string' },
        statistics: { type: 'boolean', default: false },
        'exit-zero': { type: 'boolean', default: false },
        'no-gitignore': { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (o.version) {
    process.stdout.write(pkg.version + '\n');
    return 0;
  }
  if (o.format !== undefined && o['output-format'] !== undefined && o.format !== o['output-format']) {
    return usage('--format and --output-format name the same option: give one');
  }
  const format = o['output-format'] ?? o.format ?? 'text';
  const positionals = parsed.positionals;
  if (positionals[0] === 'rules') {
    if (format !== 'text' && format !== 'json') return usage('rules: the output format must be text or json');
    return rulesCommand(format);
  }
  const reporter = FORMATS[format];
  if (!reporter) return usage(`unknown output format "${format}" (${FORMAT_NAMES.join(', ')})`);
  const failOn = (o['fail-on'] ?? DEFAULT_FAIL_ON) as FailOn;
  if (!FAIL_ON_LEVELS.includes(failOn)) return usage(`--fail-on must be one of ${FAIL_ON_LEVELS.join(', ')} (got "${o['fail-on']}")`);
  if (o.diff && (o['output-format'] ?? o.format) !== undefined) return usage('--diff prints a diff: it takes no output format');
  if (o['unsafe-fixes'] && !o.fix && !o.diff) return usage('--unsafe-fixes applies with --fix or --diff');
  const stdin = positionals.includes('-') || (positionals.length === 0 && o['stdin-filename'] !== undefined);
  if (stdin && positionals.length > 1) return usage('"-" (standard input) cannot be checked with other paths');
  if (!stdin && o['stdin-filename'] !== undefined) return usage('--stdin-filename names standard input: give "-" as the only path');

  let cliLayer: UserConfig;
  try {
    const raw: Record<string, unknown> = {};
    if (o.select !== undefined) raw.select = list(o.select);
    if (o['extend-select'] !== undefined) raw.extendSelect = list(o['extend-select']);
    if (o.ignore !== undefined) raw.ignore = list(o.ignore);
    if (o['target-version'] !== undefined) raw.targetVersion = o['target-version'];
    if (o.profile !== undefined) raw.profile = o.profile;
    for (const k of ['file-time-budget-ms', 'max-file-size-kb'] as const) {
      const v = o[k];
      if (v !== undefined) raw[k] = /^\d+$/.test(v) ? Number(v) : v;
    }
    cliLayer = userConfigFrom(raw, 'command line');
  } catch (e) {
    process.stderr.write(`dbos-lint: ${(e as Error).message}\n`);
    return 2;
  }

  const flags: Flags = {
    fix: !!o.fix && !o.diff,
    unsafeFixes: !!o['unsafe-fixes'],
    diff: !!o.diff,
    statistics: !!o.statistics,
    exitZero: !!o['exit-zero'],
    gitignore: !o['no-gitignore'],
    quiet: !!o.quiet,
    failOn,
    outputFile: o['output-file'],
    stdinFilename: o['stdin-filename'],
  };
  if (stdin) return checkStdin(flags, cliLayer, reporter);

  const paths = positionals.length > 0 ? positionals : ['.'];
  // with a folder to walk, worker threads load while the walk lists the files (one thread: DBOS_LINT_THREADS=1)
  const { threads, chosen } = threadCount(process.env.DBOS_LINT_THREADS);
  const pool = threads > 1 && paths.some(isFolder) ? new WorkerPool(__filename, threads - 1, chosen ? 1 : undefined) : null;
  let sink: Sink;
  try {
    sink = openSink(flags.outputFile);
  } catch (e) {
    pool?.close();
    return usage(`cannot write the report to ${printable(flags.outputFile ?? '')}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return await check(paths, flags, cliLayer, reporter, pool, sink);
  } finally {
    pool?.close();
    sink.close();
  }
}

function usage(message: string): number {
  process.stderr.write(`dbos-lint: ${message}\nRun dbos-lint --help for usage.\n`);
  return 2;
}

/**
 * Threads to check on: DBOS_LINT_THREADS when it is a positive number; else one on a machine of up to
 * 2 cores, where the workers' own start and JIT warm-up cost as much as they save (measured on 2 vCPUs:
 * 2,300 files in 4.9 s on one thread and on two, with 25% more CPU), and the cores up to 8 above that.
 */
function threadCount(setting: string | undefined): { threads: number; chosen: boolean } {
  const n = Number(setting);
  if (setting !== undefined && Number.isInteger(n) && n >= 1) return { threads: n, chosen: true };
  const cores = coreCount();
  return { threads: cores <= 2 ? 1 : Math.min(cores, 8), chosen: false };
}

/**
 * What the run reports besides findings, gathered as files complete: stderr lines, problems (a
 * configuration error once per run, however many files it concerns), fixes applied.
 */
class RunLog {
  readonly problems: RunProblem[] = [];
  fixed = 0;
  private readonly seen = new Set<string>();

  note(outcome: FileOutcome): void {
    for (const n of outcome.settingsNotes) {
      if (this.seen.has(`note\0${n}`)) continue;
      this.seen.add(`note\0${n}`);
      process.stderr.write(`dbos-lint: warning: ${printable(n)}\n`);
    }
    for (const m of outcome.messages) process.stderr.write(`dbos-lint: ${printable(m)}\n`);
    for (const p of outcome.problems) this.problem(p);
    this.fixed += outcome.fixed;
  }

  problem(p: RunProblem): void {
    const key = `${p.kind}\0${p.file ?? ''}\0${p.message}`;
    if (p.kind === 'config-error' ? this.seen.has(p.message) : this.seen.has(key)) return;
    this.seen.add(p.kind === 'config-error' ? p.message : key);
    this.problems.push(p);
    process.stderr.write(`dbos-lint: ${blocking(p) ? '' : 'warning: '}${p.file ? printable(p.file) + ': ' : ''}${printable(p.message)}\n`);
    if (p.detail) process.stderr.write(`${printable(p.detail, true)}\n`);
  }
}

function reportOf(o: FileOutcome): FileReport {
  return { file: o.file, findings: o.findings, source: o.source };
}

/** The exit status of a run (see HELP). */
function exitCode(reports: FileReport[], log: RunLog, flags: Flags, diffs: number): number {
  if (log.problems.some(blocking)) return 2;
  if (flags.diff) return diffs > 0 ? 1 : 0;
  if (flags.exitZero) return 0;
  return reports.some((r) => r.findings.some((f) => fails(f.severity, flags.failOn))) ? 1 : 0;
}

async function check(paths: string[], flags: Flags, cliLayer: UserConfig, reporter: Reporter, pool: WorkerPool | null, sink: Sink): Promise<number> {
  const { files, missing, notes } = walk(paths, { respectGitignore: flags.gitignore });
  const log = new RunLog();
  for (const m of missing) log.problem({ kind: 'read-error', file: m, message: 'no such file or directory' });
  for (const n of notes) process.stderr.write(`dbos-lint: ${printable(n)}\n`);

  const roots = workspaceRoots(paths);
  const rootFiles = rootsListing(paths, roots, files, flags.gitignore);
  const options: CheckOptions = { cliLayer, fix: flags.fix, unsafeFixes: flags.unsafeFixes, diff: flags.diff, keepSource: !!reporter.needsSource, roots, rootFiles };
  let diffs = 0;
  // streaming formats print each file as soon as it and the files before it are done
  const order = new InOrder(files, (outcome) => {
    log.note(outcome);
    if (flags.diff) {
      if (outcome.diff) {
        diffs++;
        sink.write(outcome.diff);
      }
    } else if (reporter.file && outcome.findings.length > 0) sink.write(reporter.file(reportOf(outcome)));
  });
  const outcomes = pool ? await checkInParallel(files, options, pool, order.event) : await checkFiles(files, options, undefined, order.event);
  order.finish();

  const reports = outcomes.filter((r) => r.findings.length > 0).map(reportOf);
  if (flags.diff) {
    if (!flags.quiet) process.stderr.write(diffs > 0 ? `Would fix ${log.fixed} problem${log.fixed === 1 ? '' : 's'} in ${diffs} file${diffs === 1 ? '' : 's'}.\n` : 'Nothing to fix.\n');
  } else {
    sink.write(reporter.end(reports, runInfo(flags, log)));
    // the statistics of a machine-readable format go to stderr
    if (!reporter.human && flags.statistics && reports.length > 0) process.stderr.write(statistics(reports) + '\n');
  }
  return exitCode(reports, log, flags, diffs);
}

function runInfo(flags: Flags, log: RunLog) {
  return {
    version: pkg.version,
    failOn: flags.failOn,
    problems: log.problems,
    fixed: log.fixed,
    unsafeHint: !flags.fix || !flags.unsafeFixes,
    statistics: flags.statistics,
    quiet: flags.quiet,
  };
}

/**
 * `dbos-lint -`: checks standard input as the file --stdin-filename names (its configuration and,
 * for the cross-file checks, its project, where the index sees this text in place of the file's).
 * With --fix the fixed text goes to standard output and the report to --output-file or stderr;
 * with --diff the diff goes to standard output.
 */
async function checkStdin(flags: Flags, cliLayer: UserConfig, reporter: Reporter): Promise<number> {
  const log = new RunLog();
  const src = decodeSource(fs.readFileSync(0));
  if (!('text' in src)) {
    process.stderr.write(`dbos-lint: standard input: ${'skipped' in src ? src.skipped.replace(/^skipped: /, '') : src.unreadable}\n`);
    return 2;
  }
  const file = flags.stdinFilename ?? '-';
  const roots = workspaceRoots([path.dirname(path.resolve(file))]);
  const options: CheckOptions = { cliLayer, fix: flags.fix, unsafeFixes: flags.unsafeFixes, diff: flags.diff, keepSource: true, roots };
  const outcome = await checkText(file, src.text, options);
  log.note(outcome);
  const reports = outcome.findings.length > 0 ? [reportOf(outcome)] : [];
  if (flags.diff) {
    if (outcome.diff) process.stdout.write(outcome.diff);
    return exitCode(reports, log, flags, outcome.diff ? 1 : 0);
  }
  // with --fix, standard output carries the fixed text: the report goes to the output file, else stderr
  const sink = flags.fix && flags.outputFile === undefined ? { write: (t: string) => void process.stderr.write(t), close: () => undefined } : openSink(flags.outputFile);
  try {
    if (flags.fix) process.stdout.write(outcome.source ?? src.text);
    if (reporter.file && reports.length > 0) sink.write(reporter.file(reports[0]));
    sink.write(reporter.end(reports, runInfo(flags, log)));
  } finally {
    sink.close();
  }
  return exitCode(reports, log, flags, 0);
}

// the test suites' fault injection (DBOS_LINT_TEST_HOOKS, as for the server), in every thread
installTestHooks();

if (!isMainThread && (workerData as { dbosLintWorker?: boolean } | null)?.dbosLintWorker) {
  // a worker of checkInParallel: check the share it is sent and send the outcomes back
  runWorker(parentPort!);
} else if (require.main === module) {
  // a reader that stops reading (`dbos-lint | head`) ends the run quietly
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`dbos-lint: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
