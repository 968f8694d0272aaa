#!/usr/bin/env bash
# The action's run step. Prints an annotation per finding (dbos-lint --output-format github: the
# runner turns each line into a workflow annotation), writes the SARIF report when it is to be
# uploaded, writes the step's outputs (exit-code, sarif-file) and a line to the job summary, and
# exits with dbos-lint's status, so that the step fails on findings at or above --fail-on.
# Inputs (environment): INPUT_ARGS (paths and options, split on spaces), INPUT_SARIF_FILE,
# INPUT_UPLOAD_SARIF ("true" or "false"); GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as the runner sets them.
set -uo pipefail
read -r -a args <<< "${INPUT_ARGS:-.}"
[ "${#args[@]}" -gt 0 ] || args=(.)
for a in "${args[@]}"; do
  case "$a" in
    --format | --format=* | --output-format | --output-format=* | -o | --output-file | --output-file=*)
      echo "::error title=dbos-lint action::the args input must not choose an output format or file ($a): the action writes annotations and SARIF itself"
      exit 2 ;;
  esac
done

annotations="$(mktemp)"
status=0
dbos-lint --output-format github "${args[@]}" | tee "$annotations" || status=${PIPESTATUS[0]}
count="$(grep -c '^::' "$annotations" || true)"
rm -f "$annotations"

sarif=""
if [ "${INPUT_UPLOAD_SARIF:-true}" = true ]; then
  sarif="${INPUT_SARIF_FILE:-dbos-lint.sarif}"
  # the report of the same findings; its own status is the run's (already known)
  if ! dbos-lint --output-format sarif --exit-zero --output-file "$sarif" "${args[@]}" 2>/dev/null && [ ! -s "$sarif" ]; then
    echo "::warning title=dbos-lint action::no SARIF report was written to $sarif"
    sarif=""
  fi
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  { echo "exit-code=$status"; echo "sarif-file=$sarif"; } >> "$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  case "$status" in
    0) verdict="passed" ;;
    1) verdict="failed: findings at or above --fail-on" ;;
    *) verdict="failed: usage, configuration, unreadable file or internal error (see the log)" ;;
  esac
  echo "**dbos-lint** $verdict: $count annotation(s)${sarif:+, SARIF report \`$sarif\`}." >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
