// Workspace folders and their settings: which folder a file belongs to, its editor settings and
// its project configuration (pyproject.toml, pins). No analysis here.
import * as path from 'node:path';
import type { WorkspaceFolder } from 'vscode-languageserver/node';
import { ProjectSettings, type FileSettings } from '../engine/settings';
import { ruleMeta } from '../catalog/rules';
import { caps, connection } from './connection';
import { thread } from './checker';
import { readSettings, settingsLayer, DEFAULT_SETTINGS, type EditorSettings } from './settings';
import { filePath, pathToUri, uriToPath } from './uris';

export { filePath, pathToUri, uriToPath };

export interface Folder {
  uri: string;
  path: string;
  settings: EditorSettings;
  project: ProjectSettings;
  errors: string[];
}

export const ws = {
  folders: [] as Folder[],
  globalSettings: { ...DEFAULT_SETTINGS } as EditorSettings,
  /** Settings sent in initializationOptions or didChangeConfiguration by clients without workspace/configuration. */
  pushedSettings: undefined as unknown,
  /** Problems in the settings that apply outside the workspace folders. */
  globalErrors: [] as string[],
};
const looseProject = new ProjectSettings();

export function folderFor(uri: string): Folder | undefined {
  const p = filePath(uri);
  if (p === null) return undefined;
  let best: Folder | undefined;
  for (const f of ws.folders) {
    if ((p === f.path || p.startsWith(f.path.endsWith(path.sep) ? f.path : f.path + path.sep)) && (!best || f.path.length > best.path.length)) best = f;
  }
  return best;
}

export function settingsFor(uri: string): EditorSettings {
  return folderFor(uri)?.settings ?? ws.globalSettings;
}

export function fileSettingsFor(uri: string): FileSettings {
  const project = folderFor(uri)?.project ?? looseProject;
  return project.forFile(uriToPath(uri));
}

/** File settings for a file or, given a folder URI, for a file at its root. */
export function fileSettingsNear(uri?: string): FileSettings {
  const ref = uri ?? ws.folders[0]?.uri;
  if (!ref) return looseProject.forFile(path.join(process.cwd(), 'x.py'));
  return fileSettingsFor(ref.endsWith('.py') ? ref : ref.replace(/\/?$/, '/__init__.py'));
}

export function effectiveSeverity(code: string, uri?: string): string {
  const fsets = fileSettingsNear(uri);
  if (!fsets.config.enabled.has(code)) return 'off';
  return fsets.config.severity.get(code) ?? ruleMeta(code)?.defaultSeverity ?? 'warning';
}

function newFolder(w: WorkspaceFolder): Folder {
  // a folder URI that names no local path (another scheme) holds no file: its path matches nothing
  const p = filePath(w.uri) ?? `\0${w.uri}`;
  return { uri: w.uri, path: p, settings: ws.globalSettings, project: new ProjectSettings(), errors: [] };
}

export function setFolders(list: WorkspaceFolder[] | null | undefined): void {
  ws.folders = (list ?? []).map(newFolder);
}

export function changeFolders(added: WorkspaceFolder[], removed: WorkspaceFolder[]): void {
  ws.folders = [...ws.folders.filter((f) => !removed.some((r) => r.uri === f.uri)), ...added.map(newFolder)];
}

/** pyproject.toml or a lock file changed: read the project configuration again. */
export function invalidateProjects(): void {
  looseProject.invalidate();
  for (const f of ws.folders) f.project.invalidate();
  thread.post({ kind: 'invalidate' });
}

/** The settings in effect for the whole workspace and each folder, as one string to compare. */
export function settingsSignature(): string {
  return JSON.stringify([ws.globalSettings, ...ws.folders.map((f) => [f.uri, f.settings])]);
}

export async function loadSettings(): Promise<void> {
  if (caps.configuration) {
    const items = [{ section: 'dbosLint' }, ...ws.folders.map((f) => ({ scopeUri: f.uri, section: 'dbosLint' }))];
    let values: unknown[] = [];
    try {
      values = await connection.workspace.getConfiguration(items);
    } catch {
      values = [];
    }
    ws.globalSettings = readSettings(values[0]);
    ws.folders.forEach((f, i) => (f.settings = readSettings(values[i + 1] ?? values[0])));
  } else {
    ws.globalSettings = readSettings(ws.pushedSettings);
    for (const f of ws.folders) f.settings = ws.globalSettings;
  }
  const g = settingsLayer(ws.globalSettings);
  looseProject.setOverrides(g.layer ? [g.layer] : []);
  looseProject.invalidate();
  ws.globalErrors = g.errors;
  for (const f of ws.folders) {
    const l = settingsLayer(f.settings);
    // per-file-ignores globs in the settings are relative to the workspace folder
    f.project.setOverrides(l.layer ? [{ ...l.layer, base: f.path }] : []);
    f.project.invalidate();
    f.errors = l.errors;
  }
  // the analysis thread keeps its own copy of the folders and their settings
  thread.post({
    kind: 'configure',
    folders: ws.folders.map((f) => ({ uri: f.uri, path: filePath(f.uri), layer: settingsLayer(f.settings).layer })),
    global: g.layer,
  });
}
