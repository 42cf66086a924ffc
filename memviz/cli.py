"""Command line: the same work as the pages, without a browser (`python -m memviz --help`).

The parser, its one-line error guard, and the list of packages that register subcommands.
Bad arguments print one line and exit with code 2; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from memviz.config import ConfigError


class UsageError(Exception):
    """A bad command-line argument; its message is the one line the user sees."""


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing the usage and exiting."""

    def error(self, message: str):  # argparse prints usage + message; one line is enough
        raise UsageError(message)


def guarded(prog: str, run: Callable[[], int]) -> int:
    """Run a command; bad input -> one line on stderr and exit code 2, never a traceback."""
    try:
        return run()
    except (UsageError, ConfigError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # e.g. an --out folder that cannot be written
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: stopped", file=sys.stderr)
        return 130


# Each lesson package registers its own subcommands; named here as strings so this module
# imports no lesson (and no torch) and nothing imports it back in a cycle.
COMMAND_MODULES = (
    "memviz.recurrent.cli",
    "memviz.horizon.cli",
    "memviz.recurrent.prepare_cli",
)


def build_parser() -> Parser:
    """The root parser with every package's subcommands."""
    parser = Parser(prog="python -m memviz", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; exit code 2 with one line on stderr for bad arguments."""
    argv = sys.argv[1:] if argv is None else argv
    prog = " ".join(["memviz", *argv[:1]]) if argv[:1] and argv[0][:1] != "-" else "memviz"
    return guarded(prog, lambda: (args := build_parser().parse_args(argv)).func(args))
