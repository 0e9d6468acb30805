"""An article's front matter: split from the body and read into a dict.

Read with python-frontmatter's YAML handler (the C loader where PyYAML has one), except
that plain ``key: value`` lines, the common case, are read directly into what YAML would
give. When YAML rejects the block, it is read line by line as ``key: value`` so that
title, keywords and description survive, and a warning names the line.

YAML is bounded: a block using an alias (``*name``, what "billion laughs" bombs are made
of) or longer than :data:`kg.limits.MAX_FRONT_MATTER` is not given to YAML but read line
by line, its alias values dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import frontmatter
import yaml

from kg.limits import MAX_FRONT_MATTER
from kg.records import Problem

_YAML = frontmatter.YAMLHandler()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"-{3,}[ \t]*\r?$")
# the "\n" before the closing line lets re skip from line to line (see _ATX_NO_SPACE)
_CLOSE = re.compile(r"\n(?:-{3,}|\.{3})[ \t]*\r?$", re.MULTILINE)
_KEY_LINE = re.compile(r"^([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(.*?)|)[ \t]*\r?$")
# a front matter line that may be a plain ``key: value`` (no indicator or space first);
# _plain_mapping checks the rest
_PLAIN_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}): +(?![\s\-?:,\[\]{}#&*!|>'\"%@`])(.+)")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_LIST_LINE = re.compile(r"^[ \t]+-[ \t]+(.*?)[ \t]*\r?$")
_ALIAS_VALUE = re.compile(r"\*[^\s,\[\]{}]+")
_QUOTES = "'\""


@dataclass(slots=True)
class FrontMatter:
    """An article split: its front matter ``meta``, its ``body``, the number of lines before
    the body, and the ``problems`` met reading the front matter."""

    meta: dict[str, Any]
    body: str
    body_line: int
    problems: list[Problem] = field(default_factory=list)


def read_front_matter(text: str, path: str = "<text>") -> FrontMatter:
    """Split ``text`` (line ends ``\\n``) into its front matter, read, and its body.

    Examples
    --------
    >>> found = read_front_matter("---\\ntitle: lease\\n---\\nBody.")
    >>> found.meta, found.body, found.body_line
    ({'title': 'lease'}, 'Body.', 3)
    """
    problems: list[Problem] = []
    meta, body, body_line = _front_matter(text, path, problems)
    return FrontMatter(meta, body, body_line, problems)


def _front_matter(text: str, path: str, warnings: list[Problem]) -> tuple[dict, str, int]:
    """Split and read the front matter; return ``(meta, body, lines before body)``."""
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if not _FENCE.fullmatch(first):
        return {}, text, 0
    start = len(first) + 1
    close = _CLOSE.search(text, first_end) if first_end >= 0 else None
    if close is None:
        warnings.append(Problem(path, 1, "front matter opened on line 1 is never closed"))
        block_end = _key_lines_end(text, start)
        block, body_start = text[start:block_end], block_end
    else:
        block = text[start : close.start() + 1]
        nl = text.find("\n", close.end())
        body_start = len(text) if nl < 0 else nl + 1
    body_line = text.count("\n", 0, body_start)
    meta = _load_yaml(block, path, warnings)
    return meta, text[body_start:], body_line


def _load_yaml(block: str, path: str, warnings: list[Problem]) -> dict:
    if not block.strip():
        return {}
    plain = plain_mapping(block)
    if plain is not None:
        return plain
    if len(block) > MAX_FRONT_MATTER:
        warnings.append(
            Problem(
                path,
                2,
                f"front matter of {len(block):,} characters, over the {MAX_FRONT_MATTER:,} "
                "read as YAML; read line by line",
            )
        )
        return _lines_as_meta(block)
    try:
        alias = _first_alias(block)
        if alias is not None:
            name, index = alias
            warnings.append(
                Problem(
                    path,
                    block.count("\n", 0, index) + 2,
                    f"front matter uses a YAML alias (*{name}), which kg does not expand; "
                    "read line by line",
                )
            )
            return _lines_as_meta(block, aliases=True)
        meta = _YAML.load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        # count "\n" ourselves: YAML also breaks lines at U+0085, U+2028 and U+2029
        line = block.count("\n", 0, mark.index) + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        warnings.append(
            Problem(path, line, f"front matter is not valid YAML ({reason}); read line by line")
        )
        return _lines_as_meta(block)
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        # a value YAML parses but cannot build: a date such as 2020-02-30, an integer of
        # too many digits, nesting deeper than Python's stack
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.append(
            Problem(
                path, 1, f"front matter has a value YAML cannot read ({reason}); read line by line"
            )
        )
        return _lines_as_meta(block)
    if not isinstance(meta, dict):
        warnings.append(
            Problem(path, 2, "front matter is not a key: value mapping; read line by line")
        )
        return _lines_as_meta(block)
    return meta


def _first_alias(block: str) -> tuple[str, int] | None:
    """The name and offset of the first YAML alias in ``block`` (None without one).

    Only a block holding ``*`` may have one; it is scanned as parser events (no values
    built), so an alias bomb costs the length of its text.
    """
    if "*" not in block:
        return None
    for event in yaml.parse(block, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            return str(event.anchor), event.start_mark.index
    return None


def plain_mapping(block: str) -> dict[str, str] | None:
    """The front matter as YAML reads it when every line is a plain ``key: value`` (or blank).

    Most front matter is just that, and this is several times faster than YAML; anything
    else returns None, for YAML to read.
    """
    meta = {}
    for line in block.split("\n"):
        if not line:
            continue
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return None
        key, value = match.group(1), match.group(2).rstrip(" ")
        # printable: no control character, line break, BOM or tab, which YAML refuses or
        # reads otherwise; "#" may start a comment, and ": " or a last ":" a mapping
        if not (
            value.isprintable()
            and "#" not in value
            and ": " not in value
            and value[-1] != ":"
            and _is_plain_key(key)
            and _is_plain_str(value)
        ):
            return None
        meta[key] = value
    return meta


def _is_plain_str(scalar: str) -> bool:
    """Whether YAML resolves this plain scalar to a string (not a number, bool, null, date …)."""
    implicit = _RESOLVER.yaml_implicit_resolvers
    if scalar[0] not in implicit and None not in implicit:  # resolve() would try no pattern
        return True
    return _RESOLVER.resolve(yaml.ScalarNode, scalar, (True, False)) == _STR_TAG


_is_plain_key = lru_cache(maxsize=256)(_is_plain_str)  # the same few keys, over and over


def _lines_as_meta(block: str, aliases: bool = False) -> dict[str, Any]:
    """Read a front matter block YAML refused as ``key: value`` lines (and ``- item`` lists).

    A value keeps no unbalanced quote (``"unterminated`` → ``unterminated``); with
    ``aliases``, values that are YAML aliases (``*name``) are dropped. Linear in the
    block's length, whatever it holds.
    """
    meta: dict[str, Any] = {}
    more: dict[str, list[str]] = {}  # continuation lines, joined at the end
    key = None
    for line in block.splitlines():
        match = _KEY_LINE.match(line)
        if match:
            key, value = match.group(1), _unquote(match.group(2) or "")
            if aliases and _ALIAS_VALUE.fullmatch(value):
                meta.pop(key, None)
                more.pop(key, None)
                key = None
                continue
            meta[key] = value
            more.pop(key, None)
            continue
        item = _LIST_LINE.match(line)
        if item and key is not None:
            value = _unquote(item.group(1))
            if aliases and _ALIAS_VALUE.fullmatch(value):
                continue
            if key in more:  # a value with continuation lines, then a list: as one item
                meta[key] = " ".join([meta[key], *more.pop(key)]).strip()
            previous = meta.get(key)
            if isinstance(previous, list):
                previous.append(value)
            else:
                meta[key] = [previous, value] if previous else [value]
        elif key is not None and line.strip() and isinstance(meta.get(key), str):
            more.setdefault(key, []).append(line.strip())
    for name, lines in more.items():
        meta[name] = " ".join([meta[name], *lines]).strip()
    return meta


def _unquote(value: str) -> str:
    """A value without its quotes: both when they match, one when it is unbalanced."""
    if not value:
        return value
    if len(value) >= 2 and value[0] == value[-1] and value[0] in _QUOTES:
        return value[1:-1]
    if value[:1] in _QUOTES and value[-1:] != value[:1]:
        return value[1:]
    if value[-1:] in _QUOTES and value.count(value[-1]) == 1:
        return value[:-1]
    return value


def _key_lines_end(text: str, start: int) -> int:
    """Offset where ``key: value`` lines stop after an unclosed front matter opening."""
    pos = start
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl + 1
        line = text[pos:end].rstrip("\r\n")
        if not (_KEY_LINE.match(line) or _LIST_LINE.match(line)):
            break
        pos = end
    return pos


# --- body ---------------------------------------------------------------------------------
