// Which of a fixed set of words occur in a text (as substrings), in one pass over its characters:
// an Aho-Corasick automaton compiled to a table of transitions. The rules name the words their
// check needs (`requires`), and a rule whose words are all absent is not run.
import { commonEnds } from './text';

/** A scanner for one set of words (case-sensitive; any characters). */
export class WordScanner {
  private readonly words: readonly string[];
  /** Character code -> column of the transition table (0: a character no word holds). */
  private readonly columnOf = new Map<number, number>();
  /** Columns of the table for the first 128 character codes (the common case, without a map lookup). */
  private readonly asciiColumn = new Int32Array(128);
  private readonly columns: number;
  /** state * columns + column -> next state. */
  private readonly next: Int32Array;
  /** The words that end at each state (its own and those of its suffix states), as indices. */
  private readonly ending: (readonly number[] | null)[];
  /** The length of the longest word. */
  readonly longest: number;

  constructor(words: Iterable<string>) {
    this.words = [...new Set(words)].filter((w) => w.length > 0);
    this.longest = Math.max(0, ...this.words.map((w) => w.length));
    for (const w of this.words) {
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i);
        if (!this.columnOf.has(c)) this.columnOf.set(c, this.columnOf.size + 1);
      }
    }
    for (const [c, col] of this.columnOf) if (c < 128) this.asciiColumn[c] = col;
    this.columns = this.columnOf.size + 1;
    // the trie
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    this.words.forEach((w, index) => {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const col = this.columnOf.get(w.charCodeAt(i))!;
        let t = children[s].get(col);
        if (t === undefined) {
          t = children.length;
          children.push(new Map());
          own.push([]);
          children[s].set(col, t);
        }
        s = t;
      }
      own[s].push(index);
    });
    // breadth first: failure links, the full transition table, and the words ending at each state
    const states = children.length;
    const next = new Int32Array(states * this.columns);
    const fail = new Int32Array(states);
    const ending: (readonly number[] | null)[] = new Array(states).fill(null);
    const queue: number[] = [];
    for (let col = 0; col < this.columns; col++) {
      const t = children[0].get(col);
      if (t !== undefined) {
        next[col] = t;
        queue.push(t);
      }
    }
    ending[0] = own[0].length > 0 ? own[0] : null;
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head];
      const inherited = ending[fail[s]];
      ending[s] = own[s].length === 0 ? inherited : inherited ? [...own[s], ...inherited] : own[s];
      for (let col = 0; col < this.columns; col++) {
        const t = children[s].get(col);
        if (t === undefined) next[s * this.columns + col] = next[fail[s] * this.columns + col];
        else {
          fail[t] = next[fail[s] * this.columns + col];
          next[s * this.columns + col] = t;
          queue.push(t);
        }
      }
    }
    this.next = next;
    this.ending = ending;
  }

  /** How many words there are (indices of `counts`). */
  get size(): number {
    return this.words.length;
  }

  /** The word of an index of `counts`. */
  word(index: number): string {
    return this.words[index];
  }

  /**
   * Adds `sign` to `counts[w]` for each occurrence of word w that ends at an offset in [from, to)
   * of `text` (the automaton starts `longest - 1` characters before `from`: an occurrence ending
   * there starts no earlier).
   */
  count(text: string, from: number, to: number, counts: Int32Array, sign: 1 | -1): void {
    const { next, columns, asciiColumn, columnOf, ending } = this;
    let s = 0;
    for (let i = Math.max(0, from - this.longest + 1); i < to; i++) {
      const c = text.charCodeAt(i);
      s = next[s * columns + (c < 128 ? asciiColumn[c] : (columnOf.get(c) ?? 0))];
      const e = ending[s];
      if (e === null || i < from) continue;
      for (const w of e) counts[w] += sign;
    }
  }
}

/**
 * The words of a scanner that occur in the last texts of a few documents, kept as counts of
 * occurrences so that a new version of a text is scanned only around what changed: occurrences
 * that end before the common prefix's end or lie in the common suffix are the same in both
 * versions; the others end in [prefix, length - suffix + longest - 1) of each version.
 */
export class WordCounts {
  private readonly last = new Map<string, { text: string; counts: Int32Array }>();

  constructor(
    private readonly scanner: WordScanner,
    /** Documents kept (the most recently scanned). */
    private readonly keep = 4,
  ) {}

  /** The words that occur in `text`, the document `key`'s new version. */
  present(key: string, text: string): Set<string> {
    const scanner = this.scanner;
    const old = this.last.get(key);
    let counts: Int32Array;
    if (old) {
      counts = old.counts;
      const { prefix, suffix } = commonEnds(old.text, text);
      const span = scanner.longest - 1;
      scanner.count(old.text, prefix, Math.min(old.text.length, old.text.length - suffix + span), counts, -1);
      scanner.count(text, prefix, Math.min(text.length, text.length - suffix + span), counts, 1);
      this.last.delete(key);
    } else {
      counts = new Int32Array(scanner.size);
      scanner.count(text, 0, text.length, counts, 1);
    }
    this.last.set(key, { text, counts });
    while (this.last.size > this.keep) this.last.delete(this.last.keys().next().value!);
    const found = new Set<string>();
    for (let w = 0; w < counts.length; w++) if (counts[w] > 0) found.add(scanner.word(w));
    return found;
  }

  /** Forgets every document (tests). */
  clear(): void {
    this.last.clear();
  }
}
