// Document URIs and local paths, shared by the server's main thread and its analysis thread.
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The local path of a `file:` URI; null for other schemes and for file URIs Node cannot map to a
 * path on this system (`file://host/share/x.py` on POSIX, an encoded `/`, percent-encoded bytes
 * that are not UTF-8): such documents are checked as text, never read from disk nor given to an index.
 */
export function filePath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/**
 * A path for any document URI, for messages, test-file detection and per-file ignores: its file path
 * when it has one, else the URI's decoded path, else the URI itself. Never throws.
 */
export function uriToPath(uri: string): string {
  const p = filePath(uri);
  if (p !== null) return p;
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

export function pathToUri(p: string): string {
  return pathToFileURL(p).href;
}
