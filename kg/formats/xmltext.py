"""XML text for the formats written by hand (GraphML, GEXF): escaping, and the templates
that format a row's elements in one step."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

Row = dict[str, str]

_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEEDS_XML_CARE = re.compile("[<>&\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def text(value: str) -> str:
    """``value`` as XML character data: ``& < >`` escaped, characters XML cannot hold dropped.

    Examples
    --------
    >>> text("M&A <b>")
    'M&amp;A &lt;b&gt;'
    """
    if _NEEDS_XML_CARE.search(value):
        value = _XML_BAD.sub("", value)
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def texts(data: Row) -> tuple[str, ...]:
    """A row's values as XML text (:func:`text`), with one check for the whole row: most
    rows are printable (no character XML cannot hold) and hold no ``& < >``."""
    joined = "".join(data.values())
    if "&" in joined or "<" in joined or ">" in joined or not joined.isprintable():
        return tuple(map(text, data.values()))
    return tuple(data.values())


def attr(value: Any) -> str:
    """``value`` as a double-quoted XML attribute."""
    return f'"{attr_text(str(value))}"'


def attr_text(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute."""
    if text.isprintable():  # the usual case: no tab, line end or character XML cannot hold
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.replace('"', "&quot;")
    return _XML_BAD.sub("", text).translate(_ATTR_ESCAPES)


def attr_texts(data: Row) -> tuple[str, ...]:
    """A row's values as :func:`attr_text`."""
    return tuple(map(attr_text, data.values()))


def row_template(
    index: dict[str, str], element: str, around: tuple[str, str] = ("", "")
) -> Callable[[tuple[str, ...]], str]:
    """The ``%`` template of a node's or edge's elements, from its keys in their order; made
    once for each order (rows share a few), so that a row is formatted in one step.

    ``element`` holds ``{key}`` for the key's index and ``%s`` for the value; a key not in
    ``index`` gives ``%.0s``, which prints its value as nothing. ``around`` encloses the
    elements of a row that has any.
    """

    @functools.cache
    def template(keys: tuple[str, ...]) -> str:
        body = "".join(element.format(key=index[k]) if k in index else "%.0s" for k in keys)
        return f"{around[0]}{body}{around[1]}" if any(k in index for k in keys) else body

    return template
