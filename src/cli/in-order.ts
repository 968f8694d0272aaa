// Prints each file's outcome as soon as it and every file before it are checked, in the order of the
// walk, whatever thread checked it. A file whose outcome waits for the workspace registry (see
// `checkFiles`) is passed over and comes at the end, in order: the output is the same on any number
// of threads, and a run cut short has printed every file it finished up to the first one pending.
import type { CheckEvent, FileOutcome } from './check';

export class InOrder {
  private next = 0;
  private readonly ready = new Map<string, FileOutcome>();
  private readonly waiting = new Set<string>();
  private readonly late = new Map<string, FileOutcome>();

  constructor(
    private readonly files: readonly string[],
    private readonly emit: (o: FileOutcome) => void,
  ) {}

  readonly event = (e: CheckEvent): void => {
    if ('deferred' in e) this.waiting.add(e.file);
    else if (this.waiting.has(e.file)) this.late.set(e.file, e.outcome);
    else this.ready.set(e.file, e.outcome);
    this.flush();
  };

  private flush(): void {
    for (; this.next < this.files.length; this.next++) {
      const f = this.files[this.next];
      const o = this.ready.get(f);
      if (o) {
        this.ready.delete(f);
        this.emit(o);
      } else if (!this.waiting.has(f)) break;
    }
  }

  /** At the end of the run: the files that waited for the registry, in order. */
  finish(): void {
    this.flush();
    for (const f of this.files) {
      const o = this.late.get(f) ?? this.ready.get(f);
      if (o) this.emit(o);
    }
  }
}
