// The engine's entry point: text in, findings (with fixes as text edits) out.
import type { Tree } from 'web-tree-sitter';
import { initParser, parsePython } from './syntax/parser';
import { ModuleModel } from './model/module';
import { RULES as IMPLEMENTED } from './rules/index.generated';
import { WordScanner } from './words';
import { resolveConfig, type ResolvedConfig } from './config';
import { buildApiCatalog } from './data/catalog';
import { findSuppressions, isSuppressed } from './suppress';
import { mentionsDbos } from './text';
import { fitHeadline } from './message';
import type { Rule, RuleContext, Report } from './rules/rule';
import type { Finding } from './types';
import type { WorkspaceIndex } from './project/index';
import * as path from 'node:path';

export { initParser };
export type { Finding };

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
  /** Checked before each rule: true skips the remaining rules (a time budget); the result says `stopped`. */
  shouldStop?: () => boolean;
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
  /** Why the file was not analysed ('no-dbos', 'binary'), if it was not. */
  skipped?: 'no-dbos' | 'binary';
  /** Top-level statements holding a syntax error that tree-sitter recovered from (0: none). */
  syntaxErrors: number;
  /** Set when `shouldStop` ended the run early: the rules after that point did not run. */
  stopped?: boolean;
  model?: ModuleModel;
  tree?: Tree;
}

export const IMPLEMENTED_RULES: readonly Rule[] = IMPLEMENTED;
export const IMPLEMENTED_CODES: ReadonlySet<string> = new Set(IMPLEMENTED.map((r) => r.code));

const DEFAULT_CONFIG = resolveConfig();

export { mentionsDbos };

export function analyze(text: string, options: AnalyzeOptions): AnalysisResult {
  if (text.includes('\u0000')) return { findings: [], ruleFailures: [], skipped: 'binary', syntaxErrors: 0 };
  if (!mentionsDbos(text)) return { findings: [], ruleFailures: [], skipped: 'no-dbos', syntaxErrors: 0 };
  const config = options.config ?? DEFAULT_CONFIG;
  const normPath = options.path.replace(/\\/g, '/');
  let ignoredHere: Set<string> | null = null;
  for (const [re, codes] of config.perFileIgnores) {
    if (re.test(normPath)) ignoredHere = new Set([...(ignoredHere ?? []), ...codes.map((c) => c.toUpperCase())]);
  }
  const index = options.index;
  const file = index ? path.resolve(options.path) : undefined;
  // a tree the index parsed from this very text for its own needs (a batch run hands it over)
  const tree = (!options.previousTree && index && file && index.takeTree(file, text)) || parsePython(text, options.previousTree);
  try {
    const model = new ModuleModel(text, tree, {
      path: options.path,
      testPath: file && index ? index.relativePath(file) : undefined,
      moduleName: options.moduleName ?? (file && index?.moduleName(file)),
    });
    if (index && file) index.noteModel(file, text, model);
    const result = runRules(model, config, options.version ?? null, ignoredHere, index, file, options.shouldStop);
    result.syntaxErrors = tree.rootNode.hasError ? countErrors(tree) : 0;
    if (options.keepTree) {
      result.tree = tree;
      result.model = model;
    }
    return result;
  } finally {
    if (!options.keepTree) tree.delete();
  }
}

/**
 * Top-level statements that hold a syntax error (at least 1 when the tree has one). Counted among
 * the module's statements, not by a walk over every node, which would cost as much as the model's
 * own pass on every check of a half-typed file.
 */
function countErrors(tree: Tree): number {
  let n = 0;
  for (const c of tree.rootNode.children) if (c && (c.hasError || c.isMissing)) n++;
  return n || 1;
}

/** The words of the rules' `requires`, found in one pass over a text. */
const REQUIRED_WORDS = new WordScanner(IMPLEMENTED.flatMap((r) => r.requires ?? []));

/** The rules' words that occur in the text (as substrings). */
function wordsIn(text: string): Set<string> {
  return REQUIRED_WORDS.scan(text);
}

function runRules(
  model: ModuleModel,
  config: ResolvedConfig,
  version: [number, number] | null,
  ignoredHere: Set<string> | null,
  index?: WorkspaceIndex,
  file?: string,
  shouldStop?: () => boolean,
): AnalysisResult {
  const findings: Finding[] = [];
  const ruleFailures: RuleFailure[] = [];
  const suppressions = findSuppressions(model.lines);
  const api = buildApiCatalog(config);
  const seen = new Set<string>();
  const present = wordsIn(model.text);
  let stopped = false;
  for (const rule of IMPLEMENTED) {
    if (!config.enabled.has(rule.code) || ignoredHere?.has(rule.code)) continue;
    if (shouldStop?.()) {
      stopped = true;
      break;
    }
    if (rule.requires && !rule.requires.some((word) => present.has(word))) continue;
    const configured = config.severity.get(rule.code)!;
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
        findings.push({
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
      rule.check(ctx);
    } catch (e) {
      ruleFailures.push({ code: rule.code, message: (e as Error)?.stack ?? String(e) });
    }
  }
  findings.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code),
  );
  return stopped ? { findings, ruleFailures, syntaxErrors: 0, stopped } : { findings, ruleFailures, syntaxErrors: 0 };
}
