// Does the workspace that was just opened use DBOS? Asked when the extension activates for a folder
// with Python files (`workspaceContains:**/*.py`) and no Python file open: a project that declares
// or imports dbos gets its language server, and so its background check, at once; any other Python
// workspace gets nothing until a Python file is opened. VS Code's own file search lists the files;
// the engine's text tests (src/engine/project/detect.ts) read them.
import * as vscode from 'vscode';
import { declaresDbos, DEPENDENCY_FILES_GLOB, importsDbos, SKIPPED_FOLDERS_GLOB } from '../engine/project/detect';

/** At most this many Python files are read, and for at most this long. */
const MAX_PYTHON_FILES = 400;
const BUDGET_MS = 3000;
const MAX_BYTES = 512 * 1024;

export interface ProbeResult {
  /** The file that shows DBOS is used, if one was found. */
  found: vscode.Uri | undefined;
  /** Files read, and the time taken (ms). */
  read: number;
  ms: number;
}

async function text(uri: vscode.Uri): Promise<string> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return new TextDecoder().decode(bytes.length > MAX_BYTES ? bytes.subarray(0, MAX_BYTES) : bytes);
  } catch {
    return '';
  }
}

export async function probeWorkspace(): Promise<ProbeResult> {
  const started = performance.now();
  let read = 0;
  const done = (found: vscode.Uri | undefined): ProbeResult => ({ found, read, ms: Math.round(performance.now() - started) });
  const deps = await vscode.workspace.findFiles(DEPENDENCY_FILES_GLOB, SKIPPED_FOLDERS_GLOB, 50);
  for (const uri of deps) {
    read++;
    if (declaresDbos(await text(uri))) return done(uri);
  }
  const files = await vscode.workspace.findFiles('**/*.py', SKIPPED_FOLDERS_GLOB, MAX_PYTHON_FILES);
  for (let i = 0; i < files.length && performance.now() - started < BUDGET_MS; i += 16) {
    const batch = files.slice(i, i + 16);
    const texts = await Promise.all(batch.map(text));
    read += batch.length;
    const hit = texts.findIndex(importsDbos);
    if (hit >= 0) return done(batch[hit]);
  }
  return done(undefined);
}
