// Which of a fixed set of words occur in a text (as substrings), in one pass over its characters:
// an Aho-Corasick automaton compiled to a table of transitions. The rules name the words their
// check needs (`requires`), and a rule whose words are all absent is not run.

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

  constructor(words: Iterable<string>) {
    this.words = [...new Set(words)].filter((w) => w.length > 0);
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

  /** The words that occur in `text`. */
  scan(text: string): Set<string> {
    const found = new Set<string>();
    const seen = new Uint8Array(this.words.length);
    let left = this.words.length;
    const { next, columns, asciiColumn, columnOf, ending } = this;
    let s = 0;
    for (let i = 0; i < text.length && left > 0; i++) {
      const c = text.charCodeAt(i);
      s = next[s * columns + (c < 128 ? asciiColumn[c] : (columnOf.get(c) ?? 0))];
      const e = ending[s];
      if (e === null) continue;
      for (const w of e) {
        if (seen[w]) continue;
        seen[w] = 1;
        left--;
        found.add(this.words[w]);
      }
    }
    return found;
  }
}
