# The e2e harness starts the server with DBOS_LINT_TEST_HOOKS=slow:DBOS603:1200:slow/budget.py:
# this file mentions the Debouncer, so that rule runs here (and only here), slowly, past the 1,000 ms budget.
from dbos import DBOS, Debouncer

DBOS_DEBOUNCER = Debouncer
