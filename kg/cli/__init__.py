"""The ``kg`` command line: parse arguments, call the library, print.

Each command lives in a small module of this package that registers its sub-parser;
the work itself is done by library functions a notebook can call.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from kg.cli import build, explore, query, site, viz
from kg.cli.output import terminal_text
from kg.errors import BuildNotFound, InvalidArgument, KgError

COMMAND_MODULES = (build, query, explore, viz, site)


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
        text, code = explain(exc, args)
        print(terminal_text(f"kg: error: {text}"), file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("KG_DEBUG"):
            raise
        print(
            terminal_text(
                f"kg: internal error: {type(exc).__name__}: {exc} "
                "(set KG_DEBUG=1 to see the traceback, and please report it)"
            ),
            file=sys.stderr,
        )
        return 1


def explain(exc: KgError, args: argparse.Namespace) -> tuple[str, int]:
    """The message and exit code of a library error: an :class:`InvalidArgument` is a usage
    error (2) named by its flag; a missing build says how to make one; the rest exit 1.

    Examples
    --------
    >>> explain(InvalidArgument("top", "must be 0 or more, not -1"), argparse.Namespace())
    ('--top must be 0 or more, not -1', 2)
    """
    if isinstance(exc, InvalidArgument):
        flag = FLAGS.get(exc.param, "--" + exc.param.replace("_", "-"))
        text = str(exc)
        if text.startswith(exc.param + " "):
            text = flag + text[len(exc.param) :]
        elif exc.param in HINTS and HINTS[exc.param] not in text:
            text += f" ({HINTS[exc.param]})"
        return text, 2
    if isinstance(exc, BuildNotFound):
        return f"{exc} {_build_hint(exc.folder)}", 1
    return str(exc), 1


FLAGS = {
    "params": "--param",
    "checks": "--only/--fail-on",
    "iri": "--param",
    "lang_tags": "--lang-tag",
}
"""Library parameters whose flag is not ``--`` + their name."""

HINTS = {"params": "give each as --param NAME=VALUE"}
"""What to add to a message about a library parameter that the message does not say."""


def _build_hint(folder: str) -> str:
    """How to get a build in ``folder``: it may be a folder of articles, or no build yet."""
    from pathlib import Path

    from kg.engine.folder import RECORD
    from kg.formats.nodelink import FILE as GRAPH_FILE

    place = Path(folder)
    if (place / RECORD).is_file() or (place / GRAPH_FILE).is_file():
        return (
            f"({folder} holds a build written without graph.nt (--formats): "
            f"'kg build SOURCE --out {folder}' writes every format)"
        )
    articles = place.is_dir() and (any(place.glob("*.md")) or any(place.glob("*/*.md")))
    if articles:
        return (
            f"({folder} holds articles: build them with 'kg build {folder} --out DIR', "
            "then pass --data DIR; the default build folder is exports)"
        )
    return f"(run 'kg build --out {folder}' first, or pass --data DIR)"


def run() -> None:
    """The ``kg`` console script and ``python -m kg``: :func:`main`, then exit with its code."""
    raise SystemExit(main(fast_exit=True))


def _version() -> str:
    from kg import __version__

    return __version__
