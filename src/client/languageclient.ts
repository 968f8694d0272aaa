// vscode-languageclient, bundled on its own (dist/languageclient.js): the extension requires it only
// when it starts the server, after activation, so activating reads and compiles ~15 KB instead of
// ~370 KB (scripts/build.mjs).
export * from 'vscode-languageclient/node';
