// What a rule is: a code and a check over the module model.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { DiagnosticTag, Fix, RelatedInfo, Severity } from '../types';
import type { ResolvedConfig } from '../config';
import type { ApiCatalog } from '../data/catalog';
import type { WorkspaceIndex } from '../project/index';

export interface Report {
  /** The node to underline, or explicit offsets. */
  node?: Node;
  start?: number;
  end?: number;
  message: string;
  /** Overrides the configured severity for this finding (sub-rules with their own level). */
  severity?: Severity;
  fixes?: Fix[];
  related?: RelatedInfo[];
  tags?: DiagnosticTag[];
}

export interface RuleContext {
  model: ModuleModel;
  config: ResolvedConfig;
  /** API lists (non-deterministic, I/O, sleep...) merged with the user's additions. */
  api: ApiCatalog;
  /** The DBOS version the project targets, as [major, minor]; null when unknown. */
  version: [number, number] | null;
  /** The workspace index, for chains through other modules; absent: single-file analysis. */
  index?: WorkspaceIndex;
  /** Absolute path of the analysed file, as the index knows it (set with `index`). */
  file?: string;
  report(r: Report): void;
}

export interface Rule {
  code: string;
  /**
   * Words of which at least one must appear in the file's text for the rule to have anything to
   * report (the API names it looks for). A cheap test that skips the rule on most files.
   */
  requires?: readonly string[];
  check(ctx: RuleContext): void;
}

export { atLeast, isV3 } from '../version';
