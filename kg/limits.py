"""The limits that keep one hostile file from stopping or swamping a build, in one place.

A value past its limit is cut (ending in ``…``) or refused, and the file's warning or
error in the report says so with its line; the README's "Bad input" section lists them.

Examples
--------
>>> cut("a" * 600, MAX_LABEL)[-3:], len(cut("a" * 600, MAX_LABEL))
('aa…', 500)
>>> cut("short", MAX_LABEL)
'short'
"""

from __future__ import annotations

MAX_FILE_SIZE = 50 * 2**20
"""Bytes of the largest file read as an article (``build(max_file_size=…)``, ``kg build
--max-file-size``); a bigger file is left out with an error, unread."""

MAX_LABEL = 500
"""Characters of a title, H1, keyword, anchor text or section heading; longer ones are
cut to this length (their last character ``…``)."""

MAX_SLUG = 255
"""Characters of a link target: no file name is longer (255 bytes is the usual file
system limit), so a longer target names no article and is not made a link."""

MAX_DESCRIPTION = 10_000
"""Characters of a description (from the front matter or the first paragraph)."""

MAX_FRONT_MATTER = 256 * 2**10
"""Characters of a front matter block given to YAML; a bigger block is read line by line."""

ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis, when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
