"""One article's text → an :class:`Article` record.

Front matter is read with python-frontmatter (its YAML handler uses the C loader
where PyYAML has one), except that plain ``key: value`` lines, the common case, are
read directly into what YAML would give; when YAML rejects the block, it is read line
by line as ``key: value`` so that title, keywords and description survive, and a
warning names the line. The body is parsed by pulldown-cmark (through ``pyromark``), a
CommonMark-correct parser: links in code spans and fenced or indented code are no
links, reference links and ``<angle>`` destinations work, images are not links.

Real-corpus repairs, each in one place:

* ``##Heading`` (no space after the hashes) is a heading;
* two adjacent links to one target separated only by white space are one mention
  whose anchor is the joined text (``[chartered account](/ca) [ant](/ca)``);
* HTML entities are decoded until stable (``M&amp;amp;A`` → ``M&A``) and
  zero-width characters dropped in titles, descriptions, keywords and anchors.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any

import frontmatter
import pyromark
import yaml

from kg.links import Target, normalise_site_url, resolve

PARSER_VERSION = "1"
"""Bump when parsing changes what an :class:`Article` holds: it invalidates caches."""

_OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_FOOTNOTES
)
_YAML = frontmatter.YAMLHandler()
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
# a "\n" first (the body is searched with one put before it) lets re skip to line starts
_ATX_NO_SPACE = re.compile(r"\n([ ]{0,3}(?:>[ ]?)*#{1,6})(?=[^\s#])")
# a "#" that may end the hashes of a heading without its space (as "/x#part" does not);
# the lines before the first are left alone
_ATX_HINT = re.compile(r"#(?<=[\n >#]#)[^\s#]")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+|[。！？]\s*")
_SENTENCE_MARKS = ".!?…。！？"  # the first characters of a _SENTENCE_END match
_SENTENCE_MARKS_ASCII = ".!?"
_INLINE_TAGS = frozenset(
    {"Emphasis", "Strong", "Strikethrough", "Link", "Image", "Superscript", "Subscript"}
)
_SENTENCE_MAX = 600
_WORDY = re.compile(r"[^\W_]")
_TRACKED_ENDS = frozenset({"Link", "Image", "CodeBlock", "BlockQuote", "Heading"})
_VERBATIM = frozenset({"Code", "InlineMath", "DisplayMath"})  # text events besides Text
_HEADING_LEVELS = {f"H{level}": level for level in range(1, 7)}


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
    """One mention of another article: where it points and where it stands."""

    target: str
    anchor: str
    section: str
    sentence: str
    line: int

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a tuple (the cache, the pool)
        return (Link, (self.target, self.anchor, self.section, self.sentence, self.line))

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


def clean_text(value: Any) -> str:
    """Decode HTML entities until stable, drop zero-width characters, collapse white space.

    Examples
    --------
    >>> clean_text("M&amp;amp;A  deal\\u200b")
    'M&A deal'
    """
    if value.__class__ is str:
        text = value
    elif value is None:
        return ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value if v is not None)
    else:
        text = str.__str__(value) if isinstance(value, str) else str(value)
    if "&" in text:
        for _ in range(4):
            decoded = html.unescape(text)
            if decoded == text:
                break
            text = decoded
            if "&" not in text:
                break
    if not text.isascii():  # the zero-width characters are not
        text = _ZERO_WIDTH_RE.sub("", text)
    # printable: no white space but " " (the others are control characters or separators)
    if text.isprintable() and "  " not in text and text.strip() == text:
        return text
    return " ".join(text.split())


def split_keywords(value: Any) -> list[str]:
    """Keywords from a comma string or a YAML list: trimmed, de-duplicated, order kept.

    Examples
    --------
    >>> split_keywords("Investing,Brokers, Stock Brokers,brokers,")
    ['Investing', 'Brokers', 'Stock Brokers']
    """
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        for part in item if isinstance(item, (list, tuple)) else (item,):
            word = clean_text(part)
            folded = word.casefold()
            if word and folded not in seen:
                seen.add(folded)
                out.append(word)
    return out


def decode(raw: bytes, path: str) -> tuple[str, list[Problem]]:
    """Bytes → text. Invalid UTF-8 is read as Windows-1252 and reported; NUL bytes raise.

    Raises
    ------
    ValueError
        For a binary file (a NUL byte in its first 8 KiB).
    """
    if raw.find(b"\x00", 0, 8192) >= 0:
        raise ValueError("binary file (NUL bytes), not an article")
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = (
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); read as Windows-1252, "
            "check the letters of this file"
        )
        return raw.decode("cp1252", errors="replace"), [Problem(path, line, message)]


def parse_bytes(
    raw: bytes, path: str, slug: str, lang: str, site_url: str | None = None
) -> Article:
    """Parse a file's bytes (see :func:`decode` and :func:`parse_article`)."""
    text, problems = decode(raw, path)
    article = parse_article(text, path=path, slug=slug, lang=lang, site_url=site_url)
    article.warnings[:0] = problems
    return article


def parse_article(
    text: str,
    *,
    path: str = "<text>",
    slug: str = "",
    lang: str = "en",
    site_url: str | None = None,
) -> Article:
    """Parse one article's markdown into an :class:`Article`; never raises on content.

    Parameters
    ----------
    text : str
        The whole file, front matter included.
    path, slug, lang : str
        Where it came from: used in the record and in warnings.
    site_url : str, optional
        Links under this base URL are internal (``https://investors.wiki``).

    Examples
    --------
    >>> a = parse_article("---\\ntitle: back office\\n---\\nSee [front office](/frontoffice).",
    ...                   slug="backoffice", lang="sv")
    >>> a.title, [(l.target, l.anchor, l.line) for l in a.links]
    ('back office', [('frontoffice', 'front office', 4)])
    """
    article = Article(path=path, slug=slug, lang=lang)
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():
        article.warnings.append(Problem(path, 0, "empty file"))
        article.title = slug
        return article
    meta, body, body_line = _front_matter(text, path, article.warnings)
    # set first, so that the body's first paragraph is only cleaned when it is needed
    article.description = clean_text(meta.get("description"))
    _BodyReader(article, normalise_site_url(site_url)).read(body, body_line)
    article.title = clean_text(meta.get("title")) or article.h1 or slug
    article.keywords = split_keywords(meta.get("keywords"))
    return article


# --- front matter -------------------------------------------------------------------------


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
    plain = _plain_mapping(block)
    if plain is not None:
        return plain
    try:
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
    if not isinstance(meta, dict):
        warnings.append(
            Problem(path, 2, "front matter is not a key: value mapping; read line by line")
        )
        return _lines_as_meta(block)
    return meta


def _plain_mapping(block: str) -> dict[str, str] | None:
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


def _lines_as_meta(block: str) -> dict[str, Any]:
    """Read a front matter block YAML refused as ``key: value`` lines (and ``- item`` lists)."""
    meta: dict[str, Any] = {}
    key = None
    for line in block.splitlines():
        match = _KEY_LINE.match(line)
        if match:
            key, value = match.group(1), match.group(2) or ""
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            meta[key] = value
            continue
        item = _LIST_LINE.match(line)
        if item and key is not None:
            previous = meta.get(key)
            items = previous if isinstance(previous, list) else ([previous] if previous else [])
            meta[key] = [*items, item.group(1)]
        elif key is not None and line.strip() and isinstance(meta.get(key), str):
            meta[key] = f"{meta[key]} {line.strip()}".strip()
    return meta


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


@dataclass(slots=True)
class _Pending:
    """A link being read: its target and the spans of its pieces in the block text."""

    target: str
    byte: int
    pieces: list[list[int]]  # [start, end] offsets, end -1 while open; a split link has several


class _BodyReader:
    """Walk pulldown-cmark events once, collecting sections, links, prose and the H1.

    The loop in :meth:`read` handles the frequent events (text, paragraphs, items) itself;
    the rest go through the methods below.
    """

    __slots__ = (
        "article",
        "site",
        "section",
        "buf",
        "pending",
        "link",
        "link_depth",
        "image_depth",
        "code_depth",
        "quote_depth",
        "capture",
        "heading",
        "prose",
        "external",
        "source",
        "first_line",
        "counted",
        "lines",
    )

    def __init__(self, article: Article, site: tuple[str, str] | None) -> None:
        self.article = article
        self.site = site
        self.section = ""
        self.buf: list[str] = []
        self.pending: list[_Pending] = []
        self.link: _Pending | None = None
        self.link_depth = 0
        self.image_depth = 0
        self.code_depth = 0
        self.quote_depth = 0
        self.capture = True  # text now belongs to the prose (not code, nor an image's alt)
        self.heading: int | None = None
        self.prose: list[str] = []
        self.external: dict[str, None] = {}
        self.source: str | bytes = ""  # the body; its UTF-8 bytes once a link needs a line
        self.first_line = 0
        self.counted = 0  # newlines in source[:counted] are ``lines``
        self.lines = 0

    def read(self, body: str, first_line: int) -> None:
        body = _space_atx_headings(body)
        self.source = body
        self.first_line = first_line
        buf = self.buf
        add = buf.append
        flush = self._flush
        capture = True
        for event, span in pyromark.events_with_range(body, options=_OPTIONS):
            if type(event) is str:
                if event == "SoftBreak" or event == "HardBreak":
                    add(" ")
                elif event == "Rule" and buf:
                    flush()
                continue
            value = event.get("Text")
            if value is not None:
                if capture:
                    add(value)
            elif (value := event.get("Start")) is not None:
                if type(value) is str:  # Paragraph, Item, Emphasis, TableCell …
                    if buf and value not in _INLINE_TAGS:
                        flush()
                else:
                    self._start(value, span["start"])
                    capture = self.capture
            elif (value := event.get("End")) is not None:
                if type(value) is str and value not in _TRACKED_ENDS:
                    if buf and value not in _INLINE_TAGS:
                        flush(not self.code_depth)
                else:
                    self._end(value)
                    capture = self.capture
            elif capture:
                ((kind, value),) = event.items()
                if kind in _VERBATIM:
                    add(value)
        flush()
        self.article.text = "\n".join(self.prose)
        self.article.external = sorted(self.external)

    def _recapture(self) -> None:
        """Update ``capture`` after a link, image or code depth changed."""
        self.capture = not self.code_depth and (not self.image_depth or self.link_depth > 0)

    # events
    def _start(self, tag: dict[str, Any], byte: int) -> None:
        """A tag with data (plain ones like ``Paragraph`` are handled in :meth:`read`)."""
        ((name, payload),) = tag.items()
        if name == "Link":
            self._start_link(payload, byte)
            self._recapture()
        elif name == "Image":
            self.image_depth += 1
            self._recapture()
        elif name not in _INLINE_TAGS:
            if self.buf or self.pending:
                self._flush()
            if name == "Heading":
                self.heading = _HEADING_LEVELS[payload["level"]]
            elif name == "CodeBlock":
                self.code_depth += 1
                self._recapture()
            elif name == "BlockQuote":
                self.quote_depth += 1

    def _end(self, tag: Any) -> None:
        name = tag if isinstance(tag, str) else next(iter(tag))
        if name == "Link":
            self.link_depth -= 1
            self._recapture()
            if self.link is not None:
                self.link.pieces[-1][1] = sum(map(len, self.buf))
                self.link = None
        elif name == "Image":
            self.image_depth -= 1
            self._recapture()
        elif name not in _INLINE_TAGS:
            if name == "Heading":
                self._end_heading()
            elif self.buf or self.pending:
                self._flush(not self.code_depth)
            if name == "CodeBlock":
                self.code_depth -= 1
                self._recapture()
            elif name == "BlockQuote":
                self.quote_depth -= 1

    def _start_link(self, payload: dict, byte: int) -> None:
        self.link_depth += 1
        target: Target = resolve(payload.get("dest_url", ""), self.site)
        if target.external:
            self.external[target.external] = None
        if not target.slug:
            self.link = None
            return
        size = sum(map(len, self.buf))
        last = self.pending[-1] if self.pending else None
        if (
            last is not None
            and last.target == target.slug
            and last.pieces[-1][1] >= 0
            and not "".join(self.buf)[last.pieces[-1][1] :].strip()
        ):
            last.pieces.append([size, -1])  # the second half of a split link
            self.link = last
            return
        self.link = _Pending(target.slug, byte, [[size, -1]])
        self.pending.append(self.link)

    def _end_heading(self) -> None:
        title = clean_text("".join(self.buf))
        if not self.quote_depth:
            if self.heading == 1 and not self.article.h1 and title:
                self.article.h1 = title
            if title:
                self.section = title
                self.article.sections.append(title)
        self._flush(prose=False)
        self.heading = None

    def _flush(self, prose: bool = True) -> None:
        """End a block: its links are made, and its text joins the prose if ``prose``."""
        buf = self.buf
        self.link = None
        if not buf:
            self.pending.clear()
            return
        text = "".join(buf)
        buf.clear()
        if self.pending:
            self._add_links(text)
        if prose and self.heading is None and not text.isspace():
            self.prose.append(text)
            if not self.article.description and not self.quote_depth:
                self.article.description = clean_text(text)

    def _add_links(self, text: str) -> None:
        """Make the block's pending links into :class:`Link` records; ``text`` is the block's."""
        breaks = _sentence_breaks(text)
        size = len(text)
        for pending in self.pending:
            pieces = pending.pieces
            start, end = pieces[0][0], pieces[-1][1]
            if end < 0:
                end = size
            if len(pieces) == 1:
                anchor = clean_text(text[start:end])
            else:
                anchor = _join_anchor([text[a : (b if b >= 0 else size)] for a, b in pieces])
            sentence = _sentence(text, start, end, breaks)
            self.article.links.append(
                Link(pending.target, anchor, self.section, sentence, self._line(pending.byte))
            )
        self.pending.clear()

    def _line(self, byte: int) -> int:
        """The line of a body offset; links come in order, so count on from the last one."""
        if isinstance(self.source, str):  # the first link: offsets are of the UTF-8 bytes
            self.source = self.source.encode("utf-8", "surrogatepass")
        if byte < self.counted:
            self.counted = self.lines = 0
        self.lines += self.source.count(b"\n", self.counted, byte)
        self.counted = byte
        return self.first_line + self.lines + 1


def _space_atx_headings(body: str) -> str:
    """``##Heading`` → ``## Heading``, from the first line that may need it on."""
    if body[:1] == "#":
        start = 0
    else:
        hint = _ATX_HINT.search(body)
        if hint is None:
            return body
        start = body.rfind("\n", 0, hint.start()) + 1
    return body[:start] + _ATX_NO_SPACE.sub("\n\\1 ", "\n" + body[start:])[1:]


def _join_anchor(parts: list[str]) -> str:
    """Join a split link's pieces: ``chartered account`` + ``ant`` → ``chartered accountant``."""
    out = ""
    for part in parts:
        piece = clean_text(part)
        if not out:
            out = piece
        elif piece:
            glue = "" if out[-1].isalpha() and piece[0].islower() else " "
            out = out + glue + piece
    return out


def _sentence_breaks(text: str) -> tuple[list[int], list[int]]:
    """Sentence breaks in a block: end punctuation, then space, then no lower-case letter.

    Returns ``(starts, ends)``: a break starts one past its mark and ends after the space.
    A :data:`_SENTENCE_END` match holds one end mark, its first character, so the matches
    are those at the marks, which ``str.find`` finds faster than a regex search.
    """
    marks = []
    for mark in _SENTENCE_MARKS_ASCII if text.isascii() else _SENTENCE_MARKS:
        at = text.find(mark)
        while at >= 0:
            marks.append(at)
            at = text.find(mark, at + 1)
    marks.sort()
    starts, ends = [], []
    for at in marks:
        match = _SENTENCE_END.match(text, at)
        if match is not None:
            end = match.end()
            nxt = text[end : end + 1]
            if nxt and not nxt.islower():
                starts.append(at + 1)
                ends.append(end)
    return starts, ends


def _sentence(text: str, start: int, end: int, breaks: tuple[list[int], list[int]]) -> str:
    """The sentence(s) holding ``text[start:end]``, cleaned and at most _SENTENCE_MAX long.

    They begin at the end of the last break that ends by ``start`` and stop at the first
    break that starts at or after ``end`` (skipping one that is empty and at ``start``).
    """
    starts, ends = breaks
    i = bisect_right(ends, start)
    begin = ends[i - 1] if i else 0
    i = bisect_left(starts, end)
    if i < len(starts) and ends[i] <= start:
        i += 1
    finish = starts[i] if i < len(starts) else len(text)
    sentence = clean_text(text[begin:finish])
    if len(sentence) > _SENTENCE_MAX:
        sentence = sentence[: _SENTENCE_MAX - 1] + "…"
    return sentence
