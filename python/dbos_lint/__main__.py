"""``python -m dbos_lint``: the same as the ``dbos-lint`` command."""

from dbos_lint._launcher import cli

cli()
