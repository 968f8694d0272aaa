// Imported first by extension.ts: the time at which the extension's bundle started to load, for the
// activation figure (bench/activation.mjs and the e2e suite read it through the extension's API).
export const loadStart = performance.now();
