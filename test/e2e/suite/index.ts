// Entry point loaded by VS Code in the extension host (extensionTestsPath): runs the mocha suite and
// writes {passed, failed, failures} to $HARNESS_RESULTS_FILE (and the spec report to <file>.log)
// for test/e2e/run.js. Under @vscode/test-electron the same run() is used; the files are optional.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const resultsFile = process.env.HARNESS_RESULTS_FILE;
  const logLines: string[] = [];
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void };
  const original = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    logLines.push(util.format(...args));
    if (resultsFile) fs.writeFileSync(resultsFile + '.log', logLines.join('\n') + '\n');
    original.apply(console, args);
  };
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.E2E_GREP;
  if (grep) mocha.grep(grep);
  // E2E_FILES: the test files of this session (test/e2e/run.js), e.g. "multiroot"; default all.
  const only = process.env.E2E_FILES ? new Set(process.env.E2E_FILES.split(',').map((s) => `${s.trim()}.test.js`)) : null;
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && (!only || only.has(f))).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const failures: { title: string; error: string }[] = [];
    let passed = 0;
    const runner = mocha.run((failed) => {
      if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed, failures }, null, 2));
      if (failed > 0) reject(new Error(`${failed} tests failed`));
      else resolve();
    });
    runner.on('pass', () => passed++);
    runner.on('fail', (t, err: Error) => failures.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
}
