// Content hashes of file texts (the caches of the index and the registry are keyed by them).
import * as crypto from 'node:crypto';

let lastText: string | null = null;
let lastHash = '';

/**
 * The SHA-1 of a text, base64. The last text hashed is remembered: a check hashes the same buffer
 * for the index's summary, the registry and the buffer's registration, one after the other.
 */
export function hashOf(text: string): string {
  if (text === lastText) return lastHash;
  lastHash = crypto.createHash('sha1').update(text).digest('base64');
  lastText = text;
  return lastHash;
}
