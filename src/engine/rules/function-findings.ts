// Findings kept per function across edits of one file, for the rules whose findings are each about
// one function (`functionRule`): after a keystroke such a rule checks again only the functions whose
// facts were not reused (`facts/reuse.ts`), and takes the others' findings from the last check of the
// file, moved with their statement.
//
// A function whose facts were reused sits in a top-level statement (or a method of a class edited in
// another method) whose text is unchanged, whose part of the module context is equal, and which
// mentions no module-level name whose definition, binding or import changed (closed over the
// statements and bindings that mention one). A function rule reads nothing else: the function's own
// nodes, the model's names resolved there, its kinds and decorators, other functions and classes
// only through names written in its statement, and the module-level bindings of those names. Its
// findings then are the same, moved as the statement moved. A function's findings are kept only when
// every offset and range in them (the finding, its fixes' edits, its related locations) lies inside
// the function's statement, in this file: anything else is checked again on the next edit.
// Suppressions and duplicates are applied afresh (the runner's `report`). `test/engine/reuse.test.ts`
// compares the findings of random edit sequences with fresh analyses.
import type { ModuleModel } from '../model/module';
import type { FunctionInfo } from '../model/types';
import type { Fix, RelatedInfo, DiagnosticTag, Range, Severity } from '../types';
import type { ResolvedConfig } from '../config';
import type { ApiCatalog } from '../data/catalog';
import { reusedFunctions } from '../facts/reuse';
import type { Report, Rule, RuleContext } from './rule';

/** A rule whose findings are each about one function and read only what `function-findings.ts` says. */
export interface FunctionRule extends Rule {
  /** Whether the rule checks this file at all (read from its path or configuration, never its text). */
  applies?(ctx: RuleContext): boolean;
  /** The findings of one function (a `def` or a lambda), reported through `ctx.report`. */
  checkFunction(ctx: RuleContext, fn: FunctionInfo): void;
}

/**
 * A rule checked function by function: its `check` is `checkFunction` over the model's functions, in
 * order, with the findings of the functions an edit did not touch taken from the file's last check.
 */
export function functionRule(rule: Omit<FunctionRule, 'check'>): FunctionRule {
  const made: FunctionRule = { ...rule, check: (ctx) => checkByFunction(made, ctx) };
  return made;
}

/** A report as kept between edits: offsets instead of a node. */
interface Kept {
  start: number;
  end: number;
  message: string;
  severity?: Severity;
  fixes?: Fix[];
  related?: RelatedInfo[];
  tags?: DiagnosticTag[];
}

/** A function's findings of one rule, with the line its node started on; null: not kept (something lies outside it). */
type FunctionFindings = { line: number; reports: Kept[] } | null;

interface FileState {
  /** The facts' state of the model these findings were found in (`ReusedFunctions.serial`). */
  serial: number;
  config: ResolvedConfig;
  api: ApiCatalog;
  version: string;
  /** The line ending fixes write (`LineIndex.eol`). */
  eol: string;
  /** By rule code: by the start offset of each function's node. */
  rules: Map<string, Map<number, FunctionFindings>>;
}

/** The last check of the few files being edited (by path). */
const files = new Map<string, FileState>();
const MAX_FILES = 4;
const NONE: Kept[] = [];
/** The state of each model's file when its first function rule started. */
const before = new WeakMap<ModuleModel, FileState | undefined>();

/** For tests and benches: functions whose findings of a function rule were taken from the last check, and checked. */
export const functionFindingsStats = { reused: 0, checked: 0 };

/**
 * Runs a function rule on the model, reporting through `ctx.report`, with the findings of functions
 * whose facts were reused taken from the last check of the same file (the findings of the model whose
 * facts' state this model's summary was matched against). Keeps this check's findings for the next
 * edit once every function is checked (a rule stopped half-way keeps nothing), and only for a model
 * whose summary was made with reuse (the keystroke path).
 */
function checkByFunction(rule: FunctionRule, ctx: RuleContext): void {
  const model = ctx.model;
  const reused = reusedFunctions(model);
  const version = ctx.version ? ctx.version.join('.') : '';
  const same = (s: FileState | undefined, serial: number | undefined): s is FileState =>
    !!s && s.serial === serial && s.config === ctx.config && s.api === ctx.api && s.version === version && s.eol === model.lines.eol;
  // the file's state as this analysis found it (its own rules replace it as they end)
  let state = before.get(model);
  if (!before.has(model)) before.set(model, (state = files.get(model.path)));
  const last = reused && same(state, reused.previous) ? state.rules.get(rule.code) : undefined;
  const now = reused ? new Map<number, FunctionFindings>() : null;
  // a function's reports, collected to be kept (one context for every function)
  const reports: Report[] = [];
  const collecting: RuleContext = { ...ctx, report: (r) => reports.push(r) };
  if (!rule.applies || rule.applies(ctx)) {
    for (const fn of model.functions) {
      const start = fn.node.startIndex;
      const delta = last ? reused!.moved.get(fn) : undefined;
      const kept = delta !== undefined ? last!.get(start - delta) : undefined;
      if (kept) {
        const line = delta === 0 ? kept.line : model.lines.positionAt(start).line;
        const shifted = delta === 0 ? kept.reports : kept.reports.map((r) => moved(r, delta!, line - kept.line));
        for (const r of shifted) ctx.report(r);
        now?.set(start, shifted === kept.reports ? kept : { line, reports: shifted });
        functionFindingsStats.reused++;
        continue;
      }
      functionFindingsStats.checked++;
      if (!now) {
        rule.checkFunction(ctx, fn);
        continue;
      }
      reports.length = 0;
      rule.checkFunction(collecting, fn);
      for (const r of reports) ctx.report(r);
      now.set(start, keep(model, fn, reports));
    }
  }
  if (!now || !reused) return;
  let s = files.get(model.path);
  if (!same(s, reused.serial)) {
    files.delete(model.path);
    s = { serial: reused.serial, config: ctx.config, api: ctx.api, version, eol: model.lines.eol, rules: new Map() };
    files.set(model.path, s);
    while (files.size > MAX_FILES) files.delete(files.keys().next().value!);
  }
  s.rules.set(rule.code, now);
}

/** A function's reports as kept for the next edit, or null when one reaches outside its statement. */
function keep(model: ModuleModel, fn: FunctionInfo, reports: Report[]): FunctionFindings {
  const line = model.lines.positionAt(fn.node.startIndex).line;
  if (reports.length === 0) return { line, reports: NONE };
  const from = fn.statement.startIndex;
  const to = fn.node.endIndex;
  const lo = model.lines.positionAt(from);
  const hi = model.lines.positionAt(to);
  const inRange = (r: Range) => notAfter(lo, r.start) && notAfter(r.end, hi);
  const out: Kept[] = [];
  for (const r of reports) {
    const start = r.node ? r.node.startIndex : (r.start ?? 0);
    const end = r.node ? r.node.endIndex : (r.end ?? start);
    if (start < from || end > to) return null;
    for (const f of r.fixes ?? []) for (const e of f.edits) if (e.file !== undefined || e.startOffset < from || e.endOffset > to || !inRange(e.range)) return null;
    for (const x of r.related ?? []) if (x.file !== undefined || !inRange(x.range)) return null;
    out.push({ start, end, message: r.message, severity: r.severity, fixes: r.fixes, related: r.related, tags: r.tags });
  }
  return { line, reports: out };
}

function notAfter(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/** A kept report moved by `delta` characters and `lines` lines (its statement starts on a line after the edit: columns are unchanged). */
function moved(r: Kept, delta: number, lines: number): Kept {
  const range = (x: Range): Range => ({ start: { line: x.start.line + lines, character: x.start.character }, end: { line: x.end.line + lines, character: x.end.character } });
  return {
    ...r,
    start: r.start + delta,
    end: r.end + delta,
    fixes: r.fixes?.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, startOffset: e.startOffset + delta, endOffset: e.endOffset + delta, range: range(e.range) })) })),
    related: r.related?.map((x) => ({ ...x, range: range(x.range) })),
  };
}
