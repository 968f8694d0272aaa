// The pre-commit hooks (.pre-commit-hooks.yaml), run by Debian's pre-commit with `pre-commit
// try-repo` on a temporary git repository holding a non-deterministic workflow (DBOS201) and a bare
// `@DBOS.workflow` (DBOS215, which has a safe fix): the check hook fails and names both; the fix hook
// adds the parentheses, leaves the DBOS201 (its fix restructures code) and fails on it. The hook
// repository is a git copy of this working tree (try-repo would leave out files not yet committed);
// pre-commit installs the hook as a user's would: npm install, npm pack (the production build),
// npm install -g, with the Node.js on PATH. npm prefers its cache (the test's npm ci filled it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, sh, timed, tmpdir } from './lib.mjs';

const work = tmpdir('pre-commit');
const env = {
  PRE_COMMIT_HOME: path.join(work, 'cache'),
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

/** A git repository holding this working tree's files (tracked and untracked, not ignored). */
function hookRepo() {
  const dir = path.join(work, 'hook-repo');
  const files = sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT }).stdout.split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(ROOT, f);
    if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue; // deleted in the tree, or a submodule
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, f));
  }
  sh('git', ['init', '-q'], { cwd: dir, env });
  sh('git', ['add', '-A'], { cwd: dir, env });
  sh('git', ['commit', '-q', '-m', 'hooks'], { cwd: dir, env });
  return dir;
}

const APP = ['import random', 'from dbos import DBOS', '', '', '@DBOS.workflow', 'def pick(items):', '    return random.choice(items)', ''].join('\n');

test('pre-commit try-repo: the check hook fails on a DBOS201, the fix hook fixes what is safe', () => {
  const hooks = timed('copy of the working tree as a git repository', hookRepo);
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'app.py'), APP);
  fs.writeFileSync(path.join(project, 'README.md'), 'not Python\n');
  sh('git', ['init', '-q'], { cwd: project, env });
  sh('git', ['add', '-A'], { cwd: project, env });

  // one try-repo runs every hook of the repository, in the order of .pre-commit-hooks.yaml: the
  // check, then the fix (each try-repo installs the hook anew, in about two minutes here)
  const r = timed('pre-commit try-repo (installs the hook, then runs dbos-lint and dbos-lint-fix)', () =>
    sh('pre-commit', ['try-repo', hooks, '--all-files'], { cwd: project, env, check: false }),
  );
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const [check, fix] = r.stdout.split(/^(?=dbos-lint \(fix\)\.+)/m);
  assert.match(check, /^dbos-lint\.+Failed$/m);
  assert.match(check, /^app\.py:5:2: DBOS215 \[\*\] /m);
  assert.match(check, /^app\.py:7:12: DBOS201 /m);
  assert.match(fix, /^dbos-lint \(fix\)\.+Failed$/m);
  assert.match(fix, /^- files were modified by this hook$/m);
  assert.match(fix, /^Fixed 1 problem\.$/m);
  assert.doesNotMatch(fix, /DBOS215/);
  assert.match(fix, /^app\.py:7:12: DBOS201 /m, 'the fix hook reports what is left');
  // the safe fix only: the parentheses; wrapping random.choice in a step is left to the developer
  assert.equal(fs.readFileSync(path.join(project, 'app.py'), 'utf8'), APP.replace('@DBOS.workflow\n', '@DBOS.workflow()\n'));
});
