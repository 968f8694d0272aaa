# The e2e harness starts the server with DBOS_LINT_TEST_HOOKS=slow:DBOS603:1200 (test/e2e/run.js):
# this file mentions the Debouncer, so that rule runs here, slowly, past the 1,000 ms file budget.
from dbos import DBOS, Debouncer

DBOS_DEBOUNCER = Debouncer
