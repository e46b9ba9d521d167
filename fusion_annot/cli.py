"""`fusion-annot` command line: a thin door into the package.

Each subcommand lives in fusion_annot/commands/<name>.py and exposes
``register(subparsers)``, which adds its parser and sets ``func``. Errors the
user can act on (FusionAnnotError) print as one line and exit 2; no traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__
from .errors import FusionAnnotError

# Subcommand modules, in the order shown by --help; a missing module is skipped.
_COMMANDS = ("annotate", "describe", "merge", "knowledge", "cohort", "report", "index")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fusion-annot",
        description="Annotate gene-fusion calls: exons, reading frame, kinase domain, clinical actionability.",
    )
    parser.add_argument("--version", action="version", version=f"fusion-annot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe (`describe ... | head -1`) surfaces here, not at interpreter exit
        return status
    except BrokenPipeError:  # the reader of our output has gone (head, less): stop quietly, as Unix tools do
        _silence_stdout()
        return 0
    except FusionAnnotError as exc:
        print(f"fusion-annot {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # unwritable output, full disk, missing output directory...
        target = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"fusion-annot {args.command}: error: {exc.strerror or exc}{target}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fusion-annot: interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit does not report the broken pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (captured in tests)
        pass


if __name__ == "__main__":
    sys.exit(main())
