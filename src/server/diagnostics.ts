// One engine finding as an LSP diagnostic: severity, code with the link to its rule's page, related
// locations (when the client shows them) and tags. The only place findings become diagnostics.
import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import type { Finding } from '../engine/index';
import type { Severity } from '../engine/types';
import { ruleMeta } from '../catalog/rules';
import { caps } from './connection';
import { pathToUri } from './workspace';

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(uri: string, f: Finding): Diagnostic {
  const meta = ruleMeta(f.code);
  const d: Diagnostic = {
    range: f.range,
    severity: LSP_SEVERITY[f.severity],
    code: f.code,
    source: 'dbos',
    message: f.message,
  };
  if (meta) d.codeDescription = { href: meta.docsUrl };
  if (f.related.length && caps.relatedInfo) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: r.file ? pathToUri(r.file) : uri, range: r.range }, message: r.message }));
  }
  if (f.tags.length) d.tags = f.tags.map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
  return d;
}
