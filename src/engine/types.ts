// Engine-wide types. The engine knows nothing of VS Code or LSP: positions are 0-based lines and
// UTF-16 columns (what JavaScript strings and tree-sitter use), plus offsets into the text.

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  /** Offsets into the analysed text (UTF-16 code units), end exclusive. */
  startOffset: number;
  endOffset: number;
  range: Range;
  newText: string;
  /**
   * Absolute path of the file this edit applies to, when it is not the analysed file (a fix at a
   * helper in another module). Offsets and range are then in that file's text. Absent: the analysed file.
   */
  file?: string;
}

export interface Fix {
  title: string;
  /** Safe fixes keep behaviour the user meant and never restructure code; only they run in fix-all. */
  safe: boolean;
  /** The fix an editor should offer first. */
  preferred?: boolean;
  edits: TextEdit[];
  /**
   * Set when some edit applies to another file (its `file`): such a fix is never safe, never runs in
   * fix-all or `--fix`, and an editor applies it as a workspace edit.
   */
  crossFile?: boolean;
}

export interface RelatedInfo {
  message: string;
  range: Range;
  /** Absent: the same file. */
  file?: string;
}

export type DiagnosticTag = 'unnecessary' | 'deprecated';

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  fixes: Fix[];
  related: RelatedInfo[];
  tags: DiagnosticTag[];
}
