"""The records kg reads articles into: :class:`Article`, :class:`Link`, :class:`Problem`,
and :class:`Corpus`, what reading a set of files gave.

Plain data: :mod:`kg.articles` fills them, :func:`kg.graph.build_graph` reads them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

_WORDY = re.compile(r"[^\W_]")

KEYWORD_PREFIX = "keyword:"
"""How a keyword node's id begins (``keyword:Investing``); no concept id begins so
(:func:`kg.articles.concept_slug` escapes the names that would)."""


@dataclass(slots=True)
class Problem:
    """A warning or error about one input file, at a line (1-based; 0 = the whole file)."""

    path: str
    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the ``{path, line, message}`` form used by ``report.json``."""
        return {"path": self.path, "line": self.line, "message": self.message}

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a tuple: 3x faster than a dataclass
        return (Problem, (self.path, self.line, self.message))


@dataclass(slots=True)
class Link:
    """One mention of another article: where it points and where it stands.

    ``glued`` is set only for a link split in pieces that the source separates by white
    space (``[Börsenmakler](/x) [oder](/x)``) when the article does not say whether they
    are one word: ``anchor`` keeps the space, ``glued`` is the anchor without it, which
    the graph takes when a title or another anchor of the target spells it.
    """

    target: str
    anchor: str
    section: str
    sentence: str
    line: int
    glued: str = ""

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a tuple (the cache, the pool)
        values = (self.target, self.anchor, self.section, self.sentence, self.line)
        return (Link, (*values, self.glued) if self.glued else values)

    @property
    def is_label(self) -> bool:
        """True when the anchor has a letter or digit (``[,](/x)`` counts, but names nothing)."""
        return _WORDY.search(self.anchor) is not None


@dataclass(slots=True)
class Article:
    """Everything kg keeps of one markdown file.

    ``text`` is the article's prose (paragraphs, list items, table cells, quotes;
    no headings, code or HTML), used to find unlinked mentions; the graph does not
    keep it.
    """

    path: str
    slug: str
    lang: str
    title: str = ""
    h1: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    text: str = ""
    warnings: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain data (lists and dicts), for JSON or a DataFrame."""
        return asdict(self)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a tuple (the cache, the pool)
        return (Article, tuple(getattr(self, f.name) for f in fields(self)))


@dataclass
class Corpus:
    """What reading a set of source folders gave: articles plus every problem met.

    ``errors`` name files that are not in the graph (binary, unreadable, duplicate);
    ``warnings`` name files read with a repair (bad YAML, not UTF-8, a folder named
    ``x.md``). ``files`` counts the files found, ``parsed`` and ``cached`` how many were
    parsed now and how many taken from a build's cache; ``skipped_languages`` counts the
    files a language filter left out, per language.

    Examples
    --------
    >>> Corpus().articles
    []
    """

    articles: list[Article] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0
    parsed: int = 0
    cached: int = 0
    skipped_languages: dict[str, int] = field(default_factory=dict)
