// The parses the workspace index makes for its own needs (a module's summary, the registry): each
// within a time budget, its model built and used, then its tree freed, or kept for the batch run's
// own analysis of the same text (`take`), so that the CLI parses no file twice.
import { parseWithin, type Tree } from '../syntax/parser';
import { TimeBox, checkTimeNow, isOutOfTime } from '../budget';
import { ModuleModel, type ModuleOptions } from '../model/module';
import { mentionsDbos } from '../text';
import { INDEXED_FILE_BYTES } from './files';

export class ModuleParses {
  /** Trees kept for `take`, by absolute path; their characters in all. */
  private readonly kept = new Map<string, { text: string; tree: Tree }>();
  private keptChars = 0;
  /** Trees taken by `take` (for tests and benches). */
  handedOver = 0;

  /**
   * `keepChars`: source characters whose trees may be kept for `take` (0: none are kept);
   * `budgetMs`: the budget of a parse outside any analysis; `optionsOf`: a module's model options.
   */
  constructor(
    private readonly keepChars: number,
    private readonly budgetMs: number,
    private readonly optionsOf: (abs: string) => ModuleOptions,
  ) {}

  /**
   * Parses a file and applies `use` to its model; `fallback` when the model cannot be built or read
   * (over the size limit or the budget, or an unreadable tree). The tree is then freed or kept.
   */
  withModel<T>(abs: string, text: string, use: (model: ModuleModel) => T, fallback: T): T {
    // an open buffer over the size limit is no module with helpers: never parsed here (a 47 MB text aborted the wasm)
    if (text.length > INDEXED_FILE_BYTES) return fallback;
    // this module's cost is charged to its own budget (see budget.ts): the analysed file's length when
    // one is under way, else the index's; over it, it is a module without helpers, like one over the size limit
    const box = TimeBox.nested() ?? new TimeBox(performance.now() + this.budgetMs, this.budgetMs);
    try {
      return box.run(() => {
        const tree = parseWithin(text, box.deadline);
        if (!tree) {
          checkTimeNow();
          return fallback;
        }
        try {
          return use(new ModuleModel(text, tree, this.optionsOf(abs)));
        } finally {
          this.done(abs, text, tree);
        }
      });
    } catch (e) {
      // the analysed file's work was cancelled: it stops, nothing is stored
      if (isOutOfTime(e) && !box.owns(e)) throw e;
      // a module the model cannot read is a module without helpers, never a crash
      return fallback;
    }
  }

  /**
   * A tree of `abs` parsed from exactly `text` and kept; the caller owns it from now on and must
   * `delete()` it. Null when none.
   */
  take(abs: string, text: string): Tree | null {
    const kept = this.kept.get(abs);
    if (!kept) return null;
    this.kept.delete(abs);
    this.keptChars -= kept.text.length;
    if (kept.text === text) {
      this.handedOver++;
      return kept.tree;
    }
    kept.tree.delete();
    return null;
  }

  /** Frees the trees still kept. */
  dispose(): void {
    for (const k of this.kept.values()) k.tree.delete();
    this.kept.clear();
    this.keptChars = 0;
  }

  /** A tree no longer needed: kept for `take` if there is room, else freed. */
  private done(abs: string, text: string, tree: Tree): void {
    // a file without DBOS code is never parsed by its own analysis: nothing to hand over
    if (this.keptChars + text.length > this.keepChars || this.kept.has(abs) || !mentionsDbos(text)) {
      tree.delete();
      return;
    }
    this.kept.set(abs, { text, tree });
    this.keptChars += text.length;
  }
}
