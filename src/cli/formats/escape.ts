// What the output formats print must never act on the reader: a file name or message holding a
// newline, an escape sequence or a bidirectional override must not start a fake finding line, move
// the cursor, recolour the terminal, or reorder what a reviewer sees. Each format escapes for its
// medium: a terminal (`printable`), GitHub workflow commands, XML.

/**
 * Control characters (C0, DEL, C1), the bidirectional embeddings, overrides and isolates that
 * "Trojan source" relies on, line and paragraph separators and the byte order mark.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text safe to print on a terminal or in a CI log: every control character and bidirectional
 * control is shown as an escape (`\n`, `\x1b`, `\u202e`). With `keepNewlines`, `\n` stays a line
 * break (for the indented continuation lines of the full format, never for a file name).
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(UNPRINTABLE, (c) => (keepNewlines && c === '\n' ? c : escapeChar(c)));
}

/**
 * A path as printed at the start of a line of human-readable output: escaped like `printable`, and
 * never starting with `::`, which GitHub Actions would read as a workflow command in a CI log.
 */
export function printablePath(file: string): string {
  const p = printable(file);
  return p.startsWith('::') ? `./${p}` : p;
}

/** The first line of a finding's message: a complete statement of what is wrong (the rest explains). */
export function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return (nl < 0 ? message : message.slice(0, nl)).trimEnd();
}

/** The lines after the first (the why and what to do), trimmed; empty when there are none. */
export function restLines(message: string): string[] {
  const nl = message.indexOf('\n');
  if (nl < 0) return [];
  return message
    .slice(nl + 1)
    .split('\n')
    .map((l) => l.trimEnd());
}

/** The data of a GitHub workflow command (`::warning ...::data`): `%`, CR and LF encoded. */
export function githubData(text: string): string {
  return printable(text).replace(/%/g, '%25');
}

/** A property value of a GitHub workflow command: as data, plus `:` and `,`, which end a property. */
export function githubProperty(text: string): string {
  return githubData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Characters XML 1.0 cannot hold even as a reference; shown as escapes instead. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text for an XML attribute or element: markup characters as entities, characters XML cannot hold
 * and terminal escapes as visible escapes (a report viewer or a log may print them raw), line
 * breaks kept in element text and encoded in attributes.
 */
export function xml(text: string, attribute = false): string {
  const safe = printable(text.replace(NOT_XML, (c) => escapeChar(c)), !attribute);
  return safe.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
