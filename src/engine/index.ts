// The engine's entry point: text in, findings (with fixes as text edits) out.
import type { Node, Tree } from 'web-tree-sitter';
import { initParser, parseWithin } from './syntax/parser';
import { ModuleModel } from './model/module';
import { RULES as IMPLEMENTED } from './rules/index.generated';
import { WordCounts, WordScanner } from './words';
import { resolveConfig, type ResolvedConfig } from './config';
import { DEFAULT_FILE_TIME_BUDGET_MS, TimeBox, overBudget, tooLarge, type FileLimitNotice } from './budget';
import { buildApiCatalog, type ApiCatalog } from './data/catalog';
import { findSuppressions, isSuppressed } from './suppress';
import { mentionsDbos } from './text';
import { fitHeadline } from './message';
import type { Rule, RuleContext, Report } from './rules/rule';
import type { Finding } from './types';
import type { WorkspaceIndex } from './project/index';
import * as path from 'node:path';

export { initParser };
export type { Finding, FileLimitNotice };

export interface AnalyzeOptions {
  /** The file's path (for test-file detection, per-file ignores and messages). */
  path: string;
  config?: ResolvedConfig;
  /** Target DBOS version, [major, minor]; null or absent when unknown. */
  version?: [number, number] | null;
  moduleName?: string;
  /** A previous tree of this document, already `edit`ed, for an incremental parse. */
  previousTree?: Tree | null;
  /** Keep the tree in the result (the caller then owns it and must `delete()` it). */
  keepTree?: boolean;
  /**
   * When the caller started on this file (`performance.now()`, before reading it): the time budget
   * counts from there. Default: when `analyze` is called.
   */
  startedAt?: number;
  /** The file's time budget (ms); default: the configuration's `file-time-budget-ms`, else DEFAULT_FILE_TIME_BUDGET_MS. */
  budgetMs?: number;
  /**
   * Asked during the parse and, with the time budget, inside the model and the rules (`checkTime`):
   * true abandons the analysis (a newer edit arrived); the result then says `cancelled` and holds
   * nothing to show.
   */
  cancelled?: () => boolean;
  /**
   * The workspace index: chains from workflows and steps through helpers of other modules. Absent:
   * single-file analysis. With it, `moduleName` defaults to the index's name for the file.
   */
  index?: WorkspaceIndex;
}

export interface RuleFailure {
  code: string;
  message: string;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Rules that threw: the others still ran. */
  ruleFailures: RuleFailure[];
  /**
   * Why the file was not analysed, if it was not: 'no-dbos' and 'binary' need no word to the user;
   * 'too-large' and 'over-budget' come with `limit`.
   */
  skipped?: 'no-dbos' | 'binary' | 'too-large' | 'over-budget';
  /** Top-level statements holding a syntax error that tree-sitter recovered from (0: none). */
  syntaxErrors: number;
  /**
   * Set when the file's size or time budget kept it from being checked in full: skipped (`checked:
   * 'none'`, with `skipped`) or partly checked (`'partial'`: the findings are those of the rules that
   * ran). Its `message` is what to tell the user, once per file.
   */
  limit?: FileLimitNotice;
  /** `cancelled()` held: the analysis was abandoned and its (empty) findings mean nothing. */
  cancelled?: boolean;
  model?: ModuleModel;
  tree?: Tree;
}

export const IMPLEMENTED_RULES: readonly Rule[] = IMPLEMENTED;
export const IMPLEMENTED_CODES: ReadonlySet<string> = new Set(IMPLEMENTED.map((r) => r.code));

const DEFAULT_CONFIG = resolveConfig();

export { mentionsDbos };

/**
 * Whether a file is analysed at all: it names dbos, or (with the workspace index) it imports a
 * module of the project that does.
 */
export function mayHoldDbosCode(text: string, index?: WorkspaceIndex, file?: string): boolean {
  return mentionsDbos(text) || (!!index && !!file && index.importsDbosModule(file, text));
}

export function analyze(text: string, options: AnalyzeOptions): AnalysisResult {
  if (text.includes('\u0000')) return { findings: [], ruleFailures: [], skipped: 'binary', syntaxErrors: 0 };
  if (!mayHoldDbosCode(text, options.index, options.path)) return { findings: [], ruleFailures: [], skipped: 'no-dbos', syntaxErrors: 0 };
  const config = options.config ?? DEFAULT_CONFIG;
  const started = options.startedAt ?? performance.now();
  const budgetMs = options.budgetMs ?? config.fileTimeBudgetMs ?? DEFAULT_FILE_TIME_BUDGET_MS;
  // the one deadline of the file, checked during the parse, inside the model, the facts and the rules (`checkTime`)
  const box = new TimeBox(started + budgetMs, budgetMs, options.cancelled);
  // characters first: a text of fewer characters than the limit may still be over it in bytes
  if (text.length * 3 > config.maxFileBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > config.maxFileBytes) return { findings: [], ruleFailures: [], skipped: 'too-large', syntaxErrors: 0, limit: tooLarge(bytes, config.maxFileBytes) };
  }
  const ignoredHere = config.ignoredIn(options.path);
  const index = options.index;
  const file = index ? path.resolve(options.path) : undefined;
  const overBudgetIn = (phase: 'parse' | 'model'): AnalysisResult => ({
    findings: [],
    ruleFailures: [],
    skipped: 'over-budget',
    syntaxErrors: 0,
    limit: overBudget(phase, performance.now() - started - box.pausedMs, budgetMs),
  });
  const cancelled = options.cancelled;
  const abandoned: AnalysisResult = { findings: [], ruleFailures: [], syntaxErrors: 0, cancelled: true };
  // a tree the index parsed from this very text for its own needs (a batch run hands it over)
  const tree = (!options.previousTree && index && file && index.takeTree(file, text)) || parseWithin(text, box.deadline, options.previousTree, cancelled);
  if (!tree) return cancelled?.() ? abandoned : overBudgetIn('parse');
  const api = buildApiCatalog(config);
  let built: ModuleModel | undefined;
  try {
    if (index && file) {
      index.useCatalog(api);
      index.beginAnalysis(file);
    }
    let model: ModuleModel;
    try {
      model = box.run(() => {
        const m = new ModuleModel(text, tree, {
          path: options.path,
          testPath: file && index ? index.relativePath(file) : undefined,
          moduleName: options.moduleName ?? (file && index?.moduleName(file)),
          externalName: index && file ? (fqn) => index.dbosNameOf(file, fqn) : undefined,
          previousTree: options.previousTree,
        });
        built = m;
        if (index && file) index.noteModel(file, text, m);
        return m;
      });
    } catch (e) {
      if (!box.owns(e)) throw e;
      const stopped = e.cancelled ? abandoned : overBudgetIn('model');
      // the tree is sound: a caller that keeps trees reuses it for the next edit's parse
      if (options.keepTree) stopped.tree = tree;
      return stopped;
    }
    const time = { started, budgetMs, cancelled, box };
    const result = cancelled?.()
      ? abandoned
      : box.expired()
        ? overBudgetIn('model')
        : runRules(model, config, api, options.version ?? null, ignoredHere, index, file, time);
    result.syntaxErrors = model.root.hasError ? countErrors(model.root) : 0;
    if (options.keepTree) {
      result.tree = tree;
      result.model = model;
    }
    return result;
  } finally {
    // the caller may delete the previous tree once this returns
    if (built) built.previousTree = null;
    if (!options.keepTree) tree.delete();
  }
}

/**
 * Top-level statements that hold a syntax error (at least 1 when the tree has one). Counted among
 * the module's statements, not by a walk over every node, which would cost as much as the model's
 * own pass on every check of a half-typed file.
 */
function countErrors(root: Node): number {
  let n = 0;
  // the root node the model and facts/reuse.ts read: its children are read from the tree once
  for (const c of root.children) if (c && (c.hasError || c.isMissing)) n++;
  return n || 1;
}

/**
 * The words of the rules' `requires` that occur in a text (as substrings), found in one pass over
 * it, or, for a new version of one of the last documents checked, around what changed.
 */
const REQUIRED_WORDS = new WordCounts(new WordScanner(IMPLEMENTED.flatMap((r) => r.requires ?? [])));

function runRules(
  model: ModuleModel,
  config: ResolvedConfig,
  api: ApiCatalog,
  version: [number, number] | null,
  ignoredHere: ReadonlySet<string> | null,
  index: WorkspaceIndex | undefined,
  file: string | undefined,
  time: { started: number; budgetMs: number; cancelled?: () => boolean; box: TimeBox },
): AnalysisResult {
  const findings: Finding[] = [];
  const ruleFailures: RuleFailure[] = [];
  const suppressions = findSuppressions(model.lines);
  const seen = new Set<string>();
  const present = REQUIRED_WORDS.present(model.path, model.text);
  /** Rules skipped because the time ran out. */
  let skippedRules = 0;
  for (const rule of IMPLEMENTED) {
    if (!config.enabled.has(rule.code) || ignoredHere?.has(rule.code)) continue;
    if (time.cancelled?.()) return { findings: [], ruleFailures: [], syntaxErrors: 0, cancelled: true };
    if (skippedRules > 0 || time.box.expired()) {
      skippedRules++;
      continue;
    }
    if (rule.requires && !rule.requires.some((word) => present.has(word))) continue;
    const configured = config.severity.get(rule.code)!;
    // this rule's findings, kept only if it runs to its end: a rule stopped by the budget gives none
    const own: Finding[] = [];
    const explicit = config.layers.some((l) => l.severity && rule.code in l.severity);
    const ctx: RuleContext = {
      model,
      config,
      api,
      version,
      index,
      file,
      report(r: Report) {
        const start = r.node ? r.node.startIndex : (r.start ?? 0);
        const end = r.node ? r.node.endIndex : (r.end ?? start);
        const range = model.lines.range(start, end);
        if (isSuppressed(suppressions, rule.code, range.start.line)) return;
        const key = `${rule.code}:${start}:${end}:${r.message}`;
        if (seen.has(key)) return;
        seen.add(key);
        own.push({
          code: rule.code,
          severity: explicit ? configured : (r.severity ?? configured),
          message: fitHeadline(r.message),
          range,
          fixes: r.fixes ?? [],
          related: r.related ?? [],
          tags: r.tags ?? [],
        });
      },
    };
    try {
      time.box.run(() => rule.check(ctx));
    } catch (e) {
      if (time.box.owns(e)) {
        if (e.cancelled) return { findings: [], ruleFailures: [], syntaxErrors: 0, cancelled: true };
        // stopped mid-way: none of its findings (half of them could mislead), and counted as skipped
        skippedRules++;
        continue;
      }
      ruleFailures.push({ code: rule.code, message: (e as Error)?.stack ?? String(e) });
    }
    for (const f of own) findings.push(f);
  }
  findings.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code),
  );
  if (skippedRules === 0) return { findings, ruleFailures, syntaxErrors: 0 };
  return { findings, ruleFailures, syntaxErrors: 0, limit: overBudget('rules', performance.now() - time.started - time.box.pausedMs, time.budgetMs, skippedRules) };
}
