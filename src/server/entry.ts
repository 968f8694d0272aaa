// The language server's entry point (dist/server.js): the LSP side (server.ts) in the main thread,
// or, in the worker thread that server starts from this same file, the analysis (analysis-worker.ts).
// Each side is required only where it runs: the LSP side opens the connection on stdio when loaded.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

const data = workerData as { dbosLintAnalysis?: boolean; flags?: Int32Array } | null;
if (!isMainThread && data?.dbosLintAnalysis && parentPort && data.flags) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./analysis-worker') as typeof import('./analysis-worker')).runAnalysisThread(parentPort, data.flags);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./server');
}
