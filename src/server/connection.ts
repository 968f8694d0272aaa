// The LSP connection, the open documents and what the client said it supports. Shared by the
// server's modules; created once per process.
import { createConnection, ProposedFeatures, TextDocuments, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

// Default to stdio when no transport is named, so `node dist/server.js` just works.
if (!process.argv.some((a) => /^--(stdio|node-ipc|socket|pipe|clientProcessId)/.test(a))) process.argv.push('--stdio');

export const connection: Connection = createConnection(ProposedFeatures.all);
export const documents = new TextDocuments(TextDocument);

/** Client capabilities and options read at initialize. */
export const caps = {
  configuration: false,
  workDoneProgress: false,
  documentChanges: false,
  relatedInfo: false,
  /** The VS Code client registers dbosLint.openRule; other editors get the server command. */
  clientCommands: false,
  /** The client resolves a completion item's additionalTextEdits when it is chosen (VS Code does). */
  resolveAdditionalTextEdits: false,
};
