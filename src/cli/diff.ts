// `--diff`: what `--fix` would change, as a unified diff (jsdiff), without writing anything.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { printable } from './formats/escape';

/**
 * A unified diff of one file, with three lines of context and `--- name` / `+++ name` headers (the
 * name escaped like every printed path; the lines of code as they are, so that the patch applies).
 */
export function unifiedDiff(file: string, before: string, after: string): string {
  const name = printable(file);
  return createTwoFilesPatch(name, name, before, after, '', '', { context: 3, headerOptions: FILE_HEADERS_ONLY });
}
