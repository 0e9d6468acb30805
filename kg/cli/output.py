"""Printing helpers shared by the commands: tables that fit the terminal, JSON, and the
options every command shares (``--data``, ``--format``, ``--display-lang``)."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any

DATA_HELP = "the build folder to read (default: exports)"
FALLBACK_WIDTH = 80
"""Table width when the output is no terminal and ``COLUMNS`` is not set."""


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--data DIR`` option every command that reads a build takes."""
    parser.add_argument("--data", default="exports", metavar="DIR", help=DATA_HELP)


def add_format_option(
    parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")
) -> None:
    """Add ``--format`` with the given choices (the first is the default)."""
    parser.add_argument("--format", choices=list(choices), default=choices[0], help="output format")


def add_display_lang_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--display-lang LANG`` (default: the ``KG_DISPLAY_LANG`` environment variable)."""
    parser.add_argument(
        "--display-lang",
        dest="display_lang",
        type=display_lang,
        default=None,
        metavar="LANG",
        help="language of the labels shown (default: $KG_DISPLAY_LANG, else English); "
        "a label in another language is shown as label@lang",
    )


def display_lang(text: str) -> str | None:
    """An argparse ``type`` for a language tag (a usage error otherwise).

    Examples
    --------
    >>> display_lang("sv")
    'sv'
    """
    from kg.labels import valid_lang

    try:
        return valid_lang(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def chosen_lang(args: argparse.Namespace) -> str | None:
    """The display language of a command: ``--display-lang``, else ``KG_DISPLAY_LANG``.

    Examples
    --------
    >>> chosen_lang(argparse.Namespace(display_lang="fi"))
    'fi'
    """
    from kg.errors import InvalidArgument
    from kg.labels import DISPLAY_LANG_ENV, valid_lang

    if getattr(args, "display_lang", None):
        return args.display_lang
    try:
        return valid_lang(os.environ.get(DISPLAY_LANG_ENV))
    except ValueError as exc:
        raise InvalidArgument("display_lang", f"from ${DISPLAY_LANG_ENV}: {exc}") from None


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


def table_width() -> int:
    """The width tables fit: ``COLUMNS``, else the terminal's, else :data:`FALLBACK_WIDTH`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout.isatty():
            return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns
    except (AttributeError, ValueError, OSError):
        pass
    return FALLBACK_WIDTH


def format_table(
    rows: Iterable[Sequence[Any]],
    headers: Sequence[str],
    max_width: int | None = None,
    width: int | None = None,
) -> str:
    """Return ``rows`` as an aligned plain-text table that fits ``width`` terminal columns
    (default: :func:`table_width`).

    When the table is wider, the widest column of text is narrowed, one column at a time,
    and its cells wrap (words kept whole where they fit); the first column (ids) and
    columns of numbers keep their width. Widths are terminal cells, so CJK text aligns. A
    cell longer than ``max_width`` characters is cut with an ellipsis. ``--format json``
    keeps every value whole.

    Examples
    --------
    >>> print(format_table([("lease", "hyresavtal@sv")], ("id", "label")))
    id     label
    -----  -------------
    lease  hyresavtal@sv
    >>> print(format_table([("a", "one two three four")], ("id", "text"), width=12))
    id  text
    --  --------
    a   one two
        three
        four
    """
    from rich.cells import cell_len

    head = [str(h) for h in headers]
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [max([cell_len(h), *(cell_len(r[i]) for r in cells)]) for i, h in enumerate(head)]
    fixed = [i == 0 or all(_is_number(r[i]) for r in cells) for i in range(len(head))]
    floor = [max([6, *(cell_len(w) for w in h.split())]) for h in head]
    limit = width or table_width()
    while sum(widths) + _GAP * (len(widths) - 1) > limit:
        free = [i for i in range(len(widths)) if not fixed[i] and widths[i] > floor[i]]
        if not free:
            break
        widest = max(free, key=lambda i: (widths[i], -i))
        widths[widest] -= 1
    lines = _rows([_wrap(h, w) for h, w in zip(head, widths, strict=True)], widths)
    lines.append((" " * _GAP).join("-" * w for w in widths))
    for row in cells:
        lines.extend(_rows([_wrap(v, w) for v, w in zip(row, widths, strict=True)], widths))
    return "\n".join(lines)


_GAP = 2


def _rows(wrapped: list[list[str]], widths: list[int]) -> list[str]:
    """The printed lines of one table row whose cells are wrapped into lines."""
    from rich.cells import cell_len

    height = max(len(c) for c in wrapped)
    out = []
    for k in range(height):
        parts = []
        for cell, w in zip(wrapped, widths, strict=True):
            text = cell[k] if k < len(cell) else ""
            parts.append(text + " " * (w - cell_len(text)))
        out.append((" " * _GAP).join(parts).rstrip())
    return out


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells: words whole where they fit.

    Examples
    --------
    >>> _wrap("Investing, Stock Brokers", 10), _wrap("client-facing", 8)
    (['Investing,', 'Stock', 'Brokers'], ['client-f', 'acing'])
    """
    from rich.cells import cell_len

    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        while cell_len(word) > width:
            cut = 1
            while cut < len(word) and cell_len(word[: cut + 1]) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    return lines


def print_table(
    rows: Iterable[Sequence[Any]], headers: Sequence[str], max_width: int | None = None
) -> None:
    """Print ``rows`` as an aligned table (see :func:`format_table`)."""
    print(format_table(rows, headers, max_width))


def _box():
    from rich.box import Box

    # no edges; a row of dashes under the header; two spaces between columns
    return Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("%", "").lstrip("-").isdigit() or not text


def _cell(value: Any, max_width: int | None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = str(value)
    text = terminal_text(" ".join(text.split()))
    return text if max_width is None or len(text) <= max_width else text[: max_width - 1] + "…"


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
