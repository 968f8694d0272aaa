// dbos-lint command line: check files and folders, print findings, apply safe fixes.
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { IMPLEMENTED_CODES } from '../engine/index';
import { resolveConfig, userConfigFrom, type UserConfig } from '../engine/config';
import { checkFiles, checkInParallel, coreCount, isFolder, rootsListing, runWorker, WorkerPool, workspaceRoots, type CheckOptions } from './check';
import { RULES } from '../catalog/rules';
import { CATEGORIES, categoryOf } from '../catalog/categories';
import { walk } from '../engine/project/walk';
import { statistics, summary, toJson, toSarif, toText, type FileFindings } from './format';
import pkg from '../../package.json';

const HELP = `dbos-lint ${pkg.version}: checks Python code that uses DBOS durable workflows.

Usage:
  dbos-lint [options] [paths...]     check files and folders (default: .)
  dbos-lint rules [--format text|json]   list the rules

Options:
  --format <text|json|sarif>   output format (default: text)
  --fix                        apply safe fixes in place
  --unsafe-fixes               with --fix, also apply fixes that restructure code
  --select <codes>             only these codes or prefixes (comma-separated: DBOS2,DBOS101)
  --extend-select <codes>      add codes or prefixes to the selection
  --ignore <codes>             skip these codes or prefixes
  --target-version <v>         DBOS version to check against (2.30, 3, auto)
  --profile <default|strict>   strict turns on every rule
  --file-time-budget-ms <ms>   time one file may take, read to last rule (default 10000)
  --max-file-size-kb <KiB>     larger files are reported and not parsed (default 2048)
  --statistics                 print the number of findings per rule
  --exit-zero                  exit 0 even with error-level findings
  --no-gitignore               do not skip files listed in .gitignore
  -q, --quiet                  print findings only, no summary
  -h, --help                   show this help
  -v, --version                show the version

Configuration is read from [tool.dbos-lint] in the nearest pyproject.toml; options override it.
Threads: one per core from 3 cores and 150 files per thread up (at most 8); DBOS_LINT_THREADS=N sets them.
Exit status: 0 no error-level findings, 1 error-level findings, 2 usage or internal error.`;

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

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        fix: { type: 'boolean', default: false },
        'unsafe-fixes': { type: 'boolean', default: false },
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
    process.stderr.write(`dbos-lint: ${(e as Error).message}\nRun dbos-lint --help for usage.\n`);
    return 2;
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
  const format = o.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) {
    process.stderr.write(`dbos-lint: unknown format "${format}" (text, json, sarif)\n`);
    return 2;
  }
  const positionals = parsed.positionals;
  if (positionals[0] === 'rules') {
    if (format === 'sarif') {
      process.stderr.write('dbos-lint rules: format must be text or json\n');
      return 2;
    }
    return rulesCommand(format);
  }

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

  const paths = positionals.length > 0 ? positionals : ['.'];
  // with a folder to walk, worker threads load while the walk lists the files (one thread: DBOS_LINT_THREADS=1)
  const { threads, chosen } = threadCount(process.env.DBOS_LINT_THREADS);
  const pool = threads > 1 && paths.some(isFolder) ? new WorkerPool(__filename, threads - 1, chosen ? 1 : undefined) : null;
  try {
    return await check(paths, o, cliLayer, format, pool);
  } finally {
    pool?.close();
  }
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

/** The flags of the command line that the check reads. */
interface CheckFlags {
  fix?: boolean;
  'unsafe-fixes'?: boolean;
  statistics?: boolean;
  'exit-zero'?: boolean;
  'no-gitignore'?: boolean;
  quiet?: boolean;
}

async function check(paths: string[], o: CheckFlags, cliLayer: UserConfig, format: string, pool: WorkerPool | null): Promise<number> {
  const { files, missing, notes } = walk(paths, { respectGitignore: !o['no-gitignore'] });
  let internalError = missing.length > 0;
  for (const m of missing) process.stderr.write(`dbos-lint: ${m}: no such file or directory\n`);
  for (const n of notes) process.stderr.write(`dbos-lint: ${n}\n`);

  const roots = workspaceRoots(paths);
  const rootFiles = rootsListing(paths, roots, files, !o['no-gitignore']);
  const checkOptions: CheckOptions = { cliLayer, fix: !!o.fix, unsafeFixes: !!o['unsafe-fixes'], roots, rootFiles };
  const outcomes = pool ? await checkInParallel(files, checkOptions, pool) : await checkFiles(files, checkOptions);
  const reportedConfigErrors = new Set<string>();
  const results: FileFindings[] = [];
  let fixed = 0;
  for (const r of outcomes) {
    for (const err of r.configErrors) {
      if (!reportedConfigErrors.has(err)) {
        reportedConfigErrors.add(err);
        process.stderr.write(`dbos-lint: ${err}\n`);
      }
    }
    for (const note of r.settingsNotes) {
      if (!reportedConfigErrors.has(note)) {
        reportedConfigErrors.add(note);
        process.stderr.write(`dbos-lint: warning: ${note}\n`);
      }
    }
    for (const m of r.messages) process.stderr.write(`dbos-lint: ${m}\n`);
    if (r.internalError) internalError = true;
    fixed += r.fixed;
    if (r.findings.length > 0) results.push({ file: r.file, findings: r.findings });
  }

  if (format === 'json') process.stdout.write(JSON.stringify(toJson(results), null, 2) + '\n');
  else if (format === 'sarif') process.stdout.write(JSON.stringify(toSarif(results, pkg.version, resolveConfig().enabled), null, 2) + '\n');
  else {
    const text = toText(results);
    if (text) process.stdout.write(text + '\n');
    if (o.statistics && results.length > 0) process.stdout.write('\n' + statistics(results) + '\n');
    if (!o.quiet) {
      if (fixed > 0) process.stdout.write(`Fixed ${fixed} problem${fixed === 1 ? '' : 's'}.\n`);
      process.stdout.write(summary(results, !o.fix || !o['unsafe-fixes']) + '\n');
    }
  }
  if (format !== 'text' && o.statistics && results.length > 0) process.stderr.write(statistics(results) + '\n');
  if (internalError) return 2;
  const hasError = results.some((r) => r.findings.some((f) => f.severity === 'error'));
  return hasError && !o['exit-zero'] ? 1 : 0;
}

if (!isMainThread && (workerData as { dbosLintWorker?: boolean } | null)?.dbosLintWorker) {
  // a worker of checkInParallel: check the share it is sent and send the outcomes back
  runWorker(parentPort!);
} else if (require.main === module) {
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
