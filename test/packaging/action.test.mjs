// The composite GitHub Action (action.yml, action/*.sh): its shell scripts (and every other shell
// script of the repository) pass Debian's shellcheck; the action's structure (the SARIF upload runs
// even when the findings fail the run step); and its scripts as the runner would run them: install
// from a tarball of this package, annotations on stdout, the SARIF report, the step's outputs and
// summary, the exit status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PYTHON, ROOT, sh, tmpdir, VERSION } from './lib.mjs';

const SCRIPTS = ['action/install.sh', 'action/run.sh', 'test/packaging/setup.sh', 'test/e2e/setup.sh', 'test/nvim/setup.sh', '.ci/run'];

test('shellcheck: the action scripts and every shell script of the repository', () => {
  const r = sh('shellcheck', ['--shell=bash', ...SCRIPTS], { check: false });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // nothing left out of the list
  const tracked = sh('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.sh'], { cwd: ROOT }).stdout.split('\n').filter(Boolean);
  for (const f of tracked) assert.ok(SCRIPTS.includes(f), `${f} is not shellchecked`);
});

/** A YAML file as data (PyYAML: pre-commit's own dependency). */
function yaml(file) {
  return JSON.parse(sh(PYTHON, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', path.join(ROOT, file)]).stdout);
}

test('action.yml: composite; SARIF uploaded even when the run step fails; outputs', () => {
  const action = yaml('action.yml');
  assert.equal(action.runs.using, 'composite');
  const steps = action.runs.steps;
  assert.deepEqual(steps.map((s) => s.name), ['Set up Node.js', 'Install dbos-lint', 'Run dbos-lint', 'Upload SARIF to code scanning']);
  const [, install, run, upload] = steps;
  assert.equal(install.run, 'bash "$GITHUB_ACTION_PATH/action/install.sh"');
  assert.equal(run.id, 'run');
  assert.equal(run.run, 'bash "$GITHUB_ACTION_PATH/action/run.sh"');
  assert.match(upload.uses, /^github\/codeql-action\/upload-sarif@v\d+$/);
  assert.match(upload.if, /^\$\{\{ always\(\) && inputs\.upload-sarif == 'true' && steps\.run\.outputs\.sarif-file != '' \}\}$/);
  assert.equal(upload.with.sarif_file, '${{ steps.run.outputs.sarif-file }}');
  assert.deepEqual(Object.keys(action.outputs), ['exit-code', 'sarif-file']);
  for (const s of steps.filter((x) => x.run)) assert.equal(s.shell, 'bash');
});

test('.pre-commit-hooks.yaml: a check and a fix hook on Python files, one serial run each', () => {
  const hooks = yaml('.pre-commit-hooks.yaml');
  assert.deepEqual(
    hooks.map((h) => [h.id, h.entry, h.language, h.types_or, h.require_serial]),
    [
      ['dbos-lint', 'dbos-lint', 'node', ['python', 'pyi'], true],
      ['dbos-lint-fix', 'dbos-lint --fix', 'node', ['python', 'pyi'], true],
    ],
  );
});

test('the action scripts as the runner runs them: install, annotations, SARIF, outputs, exit status', () => {
  const work = tmpdir('action');
  sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { env: { npm_config_audit: 'false', npm_config_fund: 'false' } });
  const prefix = path.join(work, 'prefix');
  const env = { NPM_CONFIG_PREFIX: prefix, npm_config_offline: 'true', PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
  const installed = sh('bash', [path.join(ROOT, 'action', 'install.sh')], { env: { ...env, DBOS_LINT_VERSION: path.join(work, `dbos-lint-${VERSION}.tgz`) } });
  assert.match(installed.stdout, new RegExp(`^${VERSION.replace(/\./g, '\\.')}$`, 'm'));

  const project = path.join(work, 'project');
  fs.mkdirSync(path.join(project, 'app'), { recursive: true });
  fs.writeFileSync(path.join(project, 'app', 'flow.py'), ['import random', 'from dbos import DBOS', '', '@DBOS.workflow()', 'def pick(items):', '    return random.choice(items)', ''].join('\n'));
  const runStep = (args, extra = {}) => {
    const output = path.join(work, `output-${Math.random().toString(36).slice(2)}`);
    const summary = `${output}.summary`;
    const r = sh('bash', [path.join(ROOT, 'action', 'run.sh')], { cwd: project, check: false, env: { ...env, INPUT_ARGS: args, INPUT_SARIF_FILE: 'dbos-lint.sarif', INPUT_UPLOAD_SARIF: 'true', GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...extra } });
    return { ...r, output: fs.existsSync(output) ? fs.readFileSync(output, 'utf8') : '', summary: fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8') : '' };
  };

  // a non-deterministic workflow: one annotation, the SARIF, exit 1 (the upload step still runs: if: always())
  const failing = runStep('.');
  assert.equal(failing.code, 1, failing.stderr);
  assert.match(failing.stdout, /^::warning title=dbos-lint DBOS201 \(nondeterministic-call-in-workflow\),file=app\/flow\.py,line=6,endLine=6,col=12,endColumn=32::DBOS201 /m);
  assert.equal(failing.output, 'exit-code=1\nsarif-file=dbos-lint.sarif\n');
  assert.equal(failing.summary, '**dbos-lint** failed: findings at or above --fail-on: 1 annotation(s), SARIF report `dbos-lint.sarif`.\n');
  const sarif = JSON.parse(fs.readFileSync(path.join(project, 'dbos-lint.sarif'), 'utf8'));
  assert.deepEqual(sarif.runs[0].results.map((x) => [x.ruleId, x.locations[0].physicalLocation.artifactLocation.uri]), [['DBOS201', 'app/flow.py']]);

  // the args input: options pass through
  const lenient = runStep('app --fail-on error', { INPUT_UPLOAD_SARIF: 'false' });
  assert.equal(lenient.code, 0);
  assert.match(lenient.stdout, /^::warning /m);
  assert.equal(lenient.output, 'exit-code=0\nsarif-file=\n');
  // an output format in args is refused with an annotation
  const refused = runStep('. --output-format json');
  assert.equal(refused.code, 2);
  assert.match(refused.stdout, /^::error title=dbos-lint action::the args input must not choose an output format or file \(--output-format\)/m);
});
