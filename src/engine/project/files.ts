// The files the workspace index reads: their text (an open editor buffer overrides disk), whether a
// module file or a package folder exists (cached until a file comes or goes), with a custom reader for
// virtual workspaces (tests, the server's in-memory files).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SKIP_DIRS } from './walk';
import { DEFAULT_MAX_FILE_KB } from '../config';

/** Modules larger than this (the default `max-file-size-kb`) are not parsed by the index. */
export const INDEXED_FILE_BYTES = DEFAULT_MAX_FILE_KB * 1024;

export function defaultReadFile(absPath: string): string | null {
  let buf: Buffer;
  try {
    // a module over the default size limit is not read for its summary (its own check names it)
    if (fs.statSync(absPath).size > INDEXED_FILE_BYTES) return null;
    buf = fs.readFileSync(absPath);
  } catch {
    return null;
  }
  if (buf.includes(0)) return null;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null;
  }
}

export class WorkspaceFiles {
  /** A custom reader (virtual files): existence is what it can read, and every folder may be a package. */
  readonly custom: boolean;
  private readonly read: (absPath: string) => string | null;
  private readonly overrides = new Map<string, string>();
  private readonly existsCache = new Map<string, boolean>();
  private readonly dirCache = new Map<string, boolean>();
  /** Folder -> the Python files under it (`pythonFilesUnder`), until a file comes or goes. */
  private readonly listings = new Map<string, string[]>();

  constructor(readFile?: (absPath: string) => string | null) {
    this.read = readFile ?? defaultReadFile;
    this.custom = !!readFile;
  }

  /** An open buffer's text, which overrides the disk until `dropOverride`. */
  override(abs: string, text: string): void {
    this.overrides.set(abs, text);
  }

  dropOverride(abs: string): void {
    this.overrides.delete(abs);
  }

  isOpen(abs: string): boolean {
    return this.overrides.has(abs);
  }

  /** Absolute paths of the open buffers. */
  overridden(): IterableIterator<string> {
    return this.overrides.keys();
  }

  /** The current text: the open buffer's, else what the reader gives (null: missing or unreadable). */
  textOf(abs: string): string | null {
    const o = this.overrides.get(abs);
    if (o !== undefined) return o;
    return this.read(abs);
  }

  /** The text on disk (or the custom reader's), ignoring an open buffer. */
  stored(abs: string): string | null {
    return this.read(abs);
  }

  /** Whether the file exists (an open buffer always does). */
  exists(abs: string): boolean {
    if (this.overrides.has(abs)) return true;
    if (this.custom) {
      let hit = this.existsCache.get(abs);
      if (hit === undefined) this.existsCache.set(abs, (hit = this.read(abs) !== null));
      return hit;
    }
    return statIs(this.existsCache, abs, (s) => s.isFile());
  }

  isDir(abs: string): boolean {
    if (this.custom) return true; // a virtual workspace: every candidate folder is tried
    return statIs(this.dirCache, abs, (s) => s.isDirectory());
  }

  /**
   * The `.py` files in a folder and in its subfolders down to `depth` levels (the folders
   * the file walk skips are skipped), sorted, at most `max`; none for a custom reader
   * (a virtual workspace cannot be listed). Open buffers count only once they exist on disk.
   */
  pythonFilesUnder(dir: string, depth: number, max: number): string[] {
    if (this.custom) return [];
    const key = `${dir}\0${depth}\0${max}`;
    let hit = this.listings.get(key);
    if (!hit) {
      hit = [];
      const visit = (d: string, left: number) => {
        let names: fs.Dirent[];
        try {
          names = fs.readdirSync(d, { withFileTypes: true });
        } catch {
          return;
        }
        names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of names) {
          if (hit!.length >= max) return;
          if (e.isFile() && e.name.endsWith('.py')) hit!.push(path.join(d, e.name));
        }
        if (left === 0) return;
        for (const e of names) if (e.isDirectory() && !SKIP_DIRS.has(e.name)) visit(path.join(d, e.name), left - 1);
      };
      visit(dir, depth);
      this.listings.set(key, hit);
    }
    return hit;
  }

  /** The subfolders of a folder by name, sorted (those the file walk skips left out); none for a custom reader. */
  subfolders(dir: string): string[] {
    if (this.custom) return [];
    try {
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name))
        .map((e) => e.name)
        .sort();
    } catch {
      return [];
    }
  }

  /** A file came or went: its existence is asked again; `folders`: so are the folders'. */
  changed(abs: string, folders: boolean): void {
    this.existsCache.delete(abs);
    this.listings.clear();
    if (folders) this.dirCache.clear();
  }
}

/**
 * What `fs.statSync` says of a path (false when it cannot stat it), remembered in `cache`. Most
 * paths probed are candidate modules that do not exist: asked not to throw for a missing entry,
 * `statSync` answers those without building an error (0.04 ms each with its stack trace).
 */
function statIs(cache: Map<string, boolean>, abs: string, test: (s: fs.Stats) => boolean): boolean {
  let hit = cache.get(abs);
  if (hit === undefined) {
    try {
      const s = fs.statSync(abs, { throwIfNoEntry: false });
      hit = !!s && test(s);
    } catch {
      hit = false;
    }
    cache.set(abs, hit);
  }
  return hit;
}
