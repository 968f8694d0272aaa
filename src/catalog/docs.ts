// Rule documentation, written in our own words in src/catalog/docs/DBOSxxx.md.
import { DOCS } from './docs.generated';

export interface RuleDocs {
  /** What the rule checks. */
  what: string;
  /** Why it matters: what DBOS does at run time. */
  why: string;
  /** Why each severity the rule gives: the policy in docs/DEVELOPING.md applied to this rule. */
  severity: string;
  /** A Python example the rule reports. */
  bad: string;
  /** The same example, corrected. */
  good: string;
  /** The fixes the rule offers, in prose. */
  fixes: string;
}

export function ruleDocs(code: string): RuleDocs | undefined {
  return DOCS[code];
}
