"""The ``kg`` command line: parse arguments, call the library, print.

Each command lives in a small module of this package that registers its sub-parser;
the work itself is done by library functions a notebook can call.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from kg.cli import build, explore, query, viz
from kg.errors import KgError

COMMAND_MODULES = (build, query, explore, viz)


def make_parser() -> argparse.ArgumentParser:
    """Return the ``kg`` argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Turn a wiki of linked concept articles into a knowledge graph.",
        epilog="Run 'kg COMMAND --help' for a worked example of each command.",
    )
    parser.add_argument("--version", action="version", version=f"kg {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, fast_exit: bool = False) -> int:
    """Run the command line; return the exit code (0 ok, 1 failed, 2 usage error).

    With ``fast_exit`` (the console script), a command that holds a large result when it
    is done (``kg build``: the whole graph) ends the process at once instead of returning.
    """
    parser = make_parser()
    args = parser.parse_args(argv)
    args.fast_exit = fast_exit
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KgError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("KG_DEBUG"):
            raise
        print(
            f"kg: internal error: {type(exc).__name__}: {exc} "
            "(set KG_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


def run() -> None:
    """The ``kg`` console script and ``python -m kg``: :func:`main`, then exit with its code."""
    raise SystemExit(main(fast_exit=True))


def _version() -> str:
    from kg import __version__

    return __version__
