"""dbos-lint: static checks for Python code that uses DBOS durable workflows.

The checker is written in TypeScript; this package carries its bundles and runs them on Node.js
(see ``dbos_lint._launcher``). Use the ``dbos-lint`` and ``dbos-lint-server`` commands.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dbos-lint")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
