"""Printing helpers shared by the commands: aligned tables and JSON."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

DATA_HELP = "the build folder to read (default: exports)"


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--data DIR`` option every command that reads a build takes."""
    parser.add_argument("--data", default="exports", metavar="DIR", help=DATA_HELP)


def add_format_option(
    parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")
) -> None:
    """Add ``--format`` with the given choices (the first is the default)."""
    parser.add_argument("--format", choices=list(choices), default=choices[0], help="output format")


def whole_number(minimum: int = 0):
    """An argparse ``type`` for whole numbers of at least ``minimum`` (a usage error otherwise).

    Examples
    --------
    >>> whole_number(1)("3")
    3
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {value}")
        return value

    return parse


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8, keys in a stable order)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_default)
    sys.stdout.write(terminal_text(text) + "\n")


def format_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], max_width: int = 60) -> str:
    """Return ``rows`` as an aligned plain-text table; long cells are cut with an ellipsis."""
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
    return "\n".join(lines)


def print_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], max_width: int = 60) -> None:
    """Print ``rows`` as an aligned table (see :func:`format_table`)."""
    print(format_table(rows, headers, max_width))


def _cell(value: Any, max_width: int) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = str(value)
    text = terminal_text(" ".join(text.split()))
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def _default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` with its control characters (ESC, BEL, C1 …; not tab or newline) written
    as ``\\uXXXX`` escapes, so that a value cannot drive the terminal (valid in JSON too).

    Examples
    --------
    >>> print(terminal_text("red \x1b[31mALERT\x07"))
    red \\u001b[31mALERT\\u0007
    """
    if text.isascii() and text.isprintable():
        return text
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
