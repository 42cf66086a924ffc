"""Command line: the same work as the pages, without a browser (`python -m memviz --help`).

The parser, its one-line error guard, and the list of packages that register subcommands.
Bad arguments print one line and exit with code 2; no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from memviz import i18n
from memviz.config import ConfigError
from memviz.progress import TrainingDiverged


class UsageError(Exception):
    """A bad command-line argument; its message is the one line the user sees."""


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing the usage and exiting."""

    def error(self, message: str):  # argparse prints usage + message; one line is enough
        raise UsageError(message)


def check_out(out: Path, flag: str = "--out") -> Path:
    """Refuse a folder that cannot be written, before any work is done (every command that
    writes calls this first). Permission bits cannot tell: root passes os.access on /proc and
    /sys and a read-only mount, so a folder is made and removed again in the nearest folder
    that exists; nothing is left behind."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{flag} {out} exists and is a file; give a folder")
    parent = next((p for p in (out, *out.parents) if p.exists()), Path("."))
    if not parent.is_dir():
        raise UsageError(f"{flag} {out} cannot be made: {parent} is a file")
    try:
        tempfile.TemporaryDirectory(prefix=".memviz-check-", dir=parent).cleanup()
    except OSError as e:
        raise UsageError(f"{flag} {out} cannot be written ({parent}: "
                         f"{e.strerror or e})") from None
    return out


TRAINING_FLAGS = {"steps": int, "lr": float, "batch": int, "seed": int}


def add_training(p: argparse.ArgumentParser, defaults) -> None:
    """--steps, --lr, --batch and --seed, defaulting to a lesson config's
    (memviz.config.Training: every lesson's optimiser settings are these four)."""
    for name, kind in TRAINING_FLAGS.items():
        p.add_argument(f"--{name}", type=kind, default=getattr(defaults, name))


def training(a: argparse.Namespace) -> dict:
    """The four training settings add_training's flags describe, as config fields."""
    return {name: getattr(a, name) for name in TRAINING_FLAGS}


def add_lang(p: argparse.ArgumentParser) -> None:
    """An --lang option: the language of the words in the figures a command writes, and of
    its error messages."""
    p.add_argument("--lang", choices=i18n.LANGS, default="en",
                   help="language of the figures' titles, axes and legends, and of the "
                        "messages (default: en)")


def formats(text: str) -> list[str]:
    """'svg,png' -> ['svg', 'png']: the --formats of every command that writes figures;
    UsageError for none, an unknown one or a repeat."""
    from memviz.export import FORMATS

    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        what = f"unknown format {bad[0]!r}" if bad else "no format given"
        raise UsageError(f"{what}; choose from {', '.join(FORMATS)}")
    twice = sorted({f for f in chosen if chosen.count(f) > 1})
    if twice:  # as horizon's --archs and --lags: a repeat is a slip, not a wish
        raise UsageError(f"{', '.join(twice)} listed more than once in --formats")
    return chosen


def run_args(args: argparse.Namespace) -> int:
    """Run a parsed subcommand in the language its --lang asks for (English if it has none);
    an error's message is fixed in that language before the guard prints it."""
    with i18n.using(getattr(args, "lang", None) or "en"):
        try:
            return args.func(args)
        except (UsageError, ConfigError) as e:
            e.args = (str(e),)  # a Message would be read after the language is reset
            raise


def guarded(prog: str, run: Callable[[], int]) -> int:
    """Run a command; bad input -> one line on stderr and exit code 2, never a traceback."""
    try:
        return run()
    except (UsageError, ConfigError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except TrainingDiverged as e:  # a run's outcome, not bad usage: one line, exit 1
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # e.g. an --out folder that cannot be written
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except (UnicodeError, RecursionError) as e:  # a file or argument that cannot be read
        print(f"{prog}: error: cannot read the input ({type(e).__name__})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: stopped", file=sys.stderr)
        return 130


# Each lesson package registers its own subcommands (memviz.lessons names the module and its
# commands as strings, so this module imports no lesson and no torch); `prepare` serves them all.
CORE_COMMANDS = {"prepare": "memviz.recurrent.prepare_cli"}


def command_modules(command: str | None = None) -> list[str]:
    """The modules that register subcommands: only the one that registers `command` when it is
    known (a subcommand imports only what it runs), every one otherwise (--help, a typo)."""
    from memviz import lessons

    known = CORE_COMMANDS.get(command or "") or lessons.command_module(command or "")
    if known:
        return [known]
    every = [x.cli for x in lessons.LESSONS if x.cli] + list(CORE_COMMANDS.values())
    return list(dict.fromkeys(every))


def build_parser(command: str | None = None) -> Parser:
    """The root parser with the subcommands of `command`'s module (every one's if None)."""
    parser = Parser(prog="python -m memviz", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in command_modules(command):
        importlib.import_module(name).register(sub)
    for p in {id(p): p for p in sub.choices.values()}.values():  # every command has --lang
        with contextlib.suppress(argparse.ArgumentError):  # unless it added its own
            add_lang(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; exit code 2 with one line on stderr for bad arguments."""
    argv = sys.argv[1:] if argv is None else argv
    prog = " ".join(["memviz", *argv[:1]]) if argv[:1] and argv[0][:1] != "-" else "memviz"
    command = argv[0] if argv[:1] and argv[0][:1] != "-" else None
    return guarded(prog, lambda: run_args(build_parser(command).parse_args(argv)))
