"""An article's markdown body → its links, sections, prose and first heading.

The body is parsed by pulldown-cmark (through ``pyromark``), a CommonMark-correct
parser: links in code spans and fenced or indented code are no links, reference links
and ``<angle>`` destinations work, images are not links. Real-corpus repairs, each in
one place:

* ``##Heading`` (no space after the hashes) is a heading, and so is ``＃＃ 强调`` (full-width
  number signs, as Chinese and Japanese files write them);
* two adjacent links to one target separated only by white space are one mention
  whose anchor is the joined text, with the source's own spacing (:func:`join_anchor`);
* each link keeps the sentence it stands in (:func:`sentence_of`) and its section.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

import pyromark

from kg.links import Target, resolve
from kg.records import Article, Link
from kg.scripts import has_unspaced
from kg.text import clean_text, trim_label

_OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_FOOTNOTES
)
# a "\n" first (the body is searched with one put before it) lets re skip to line starts
_ATX_NO_SPACE = re.compile(r"\n([ ]{0,3}(?:>[ ]?)*#{1,6})(?=[^\s#])")
# a "#" that may end the hashes of a heading without its space (as "/x#part" does not);
# the lines before the first are left alone
_ATX_HINT = re.compile(r"#(?<=[\n >#]#)[^\s#]")
# full-width number signs opening a line (before any space, quote marker or ASCII hash)
_FULLWIDTH_ATX = re.compile("(?m)^([ ]{0,3}(?:>[ ]?)*)(#*＃[#＃]*)[ \t\u3000]*(?=[^\\s#＃])")
_LONE_CAPITAL = re.compile(r"(?:^|\s)[^\W\d_]$")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+|[。！？]\s*")
_SENTENCE_MARKS = ".!?…。！？"  # the first characters of a _SENTENCE_END match
_SENTENCE_MARKS_ASCII = ".!?"
_INLINE_TAGS = frozenset(
    {"Emphasis", "Strong", "Strikethrough", "Link", "Image", "Superscript", "Subscript"}
)
_SENTENCE_MAX = 600
_TRACKED_ENDS = frozenset({"Link", "Image", "CodeBlock", "BlockQuote", "Heading"})
_VERBATIM = frozenset({"Code", "InlineMath", "DisplayMath"})  # text events besides Text
_HEADING_LEVELS = {f"H{level}": level for level in range(1, 7)}


def read_body(article: Article, body: str, first_line: int, site: tuple[str, str] | None) -> None:
    """Read ``body`` (which starts after ``first_line`` lines) into ``article``: its links,
    sections, prose (``text``), external links, H1 and, when it has none, description.

    Examples
    --------
    >>> a = Article(path="a.md", slug="a", lang="en")
    >>> read_body(a, "# A\\n\\nSee [b](/b). More.", 0, None)
    >>> a.h1, [(l.target, l.anchor, l.sentence, l.line) for l in a.links]
    ('A', [('b', 'b', 'See b.', 3)])
    """
    _BodyReader(article, site).read(body, first_line)


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
        "sized",
        "size",
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
        self.sized = 0  # the first ``sized`` pieces of ``buf`` hold ``size`` characters
        self.size = 0

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
        settle_split_anchors(self.article)
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
                self.link.pieces[-1][1] = self._size()
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
        size = self._size()
        last = self.pending[-1] if self.pending else None
        if (
            last is not None
            and last.target == target.slug
            and last.pieces[-1][1] >= 0
            and self._blank_since(last.pieces[-1][1])
        ):
            last.pieces.append([size, -1])  # the second half of a split link
            self.link = last
            return
        self.link = _Pending(target.slug, byte, [[size, -1]])
        self.pending.append(self.link)

    def _size(self) -> int:
        """Characters in the block so far: the sum grows with the buffer (linear time)."""
        buf = self.buf
        if self.sized < len(buf):
            self.size += sum(map(len, buf[self.sized :]))
            self.sized = len(buf)
        return self.size

    def _blank_since(self, offset: int) -> bool:
        """Whether the block's text from ``offset`` on is white space, read from the end
        back (so no more than the text since ``offset``)."""
        end = self._size()
        for piece in reversed(self.buf):
            if end <= offset:
                break
            start = end - len(piece)
            if piece[max(offset - start, 0) :].strip():
                return False
            end = start
        return True

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
        self.sized = self.size = 0
        if self.pending:
            self._add_links(text)
        if prose and self.heading is None and not text.isspace():
            self.prose.append(text)
            if not self.article.description and not self.quote_depth:
                self.article.description = clean_text(text)

    def _add_links(self, text: str) -> None:
        """Make the block's pending links into :class:`Link` records; ``text`` is the block's."""
        breaks = sentence_breaks(text)
        sentences: dict[tuple[int, int], str] = {}  # links of one sentence share it
        size = len(text)
        for pending in self.pending:
            pieces = pending.pieces
            start, end = pieces[0][0], pieces[-1][1]
            if end < 0:
                end = size
            if len(pieces) == 1:
                anchor, glued = _trimmed_anchor(clean_text(text[start:end])), ""
            else:
                anchor, glued = join_anchor(text, [(a, b if b >= 0 else size) for a, b in pieces])
            sentence = sentence_of(text, start, end, breaks, sentences)
            self.article.links.append(
                Link(
                    pending.target, anchor, self.section, sentence, self._line(pending.byte), glued
                )
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
    """``##Heading`` → ``## Heading``, from the first line that may need it on; full-width
    ``＃＃ 强调`` → ``## 强调`` (the line count, hence every link's line, stays)."""
    if "＃" in body:
        body = _FULLWIDTH_ATX.sub(_ascii_hashes, body)
    if body[:1] == "#":
        start = 0
    else:
        hint = _ATX_HINT.search(body)
        if hint is None:
            return body
        start = body.rfind("\n", 0, hint.start()) + 1
    return body[:start] + _ATX_NO_SPACE.sub("\n\\1 ", "\n" + body[start:])[1:]


def _ascii_hashes(match: re.Match[str]) -> str:
    """A heading's opening run of number signs, full-width or not, as ASCII and a space
    (seven or more are no heading, and stay)."""
    hashes = match.group(2)
    return f"{match.group(1)}{'#' * len(hashes)} " if len(hashes) <= 6 else match.group(0)


def join_anchor(text: str, pieces: list[tuple[int, int]]) -> tuple[str, str]:
    """The anchor of a split link whose pieces are ``text[start:end]``, and the anchor with
    its pieces glued when nothing here says whether they are one word (else ``""``).

    The source's own spacing is kept: pieces written together are joined without a space
    (``[証券](/x)[会社](/x)`` → ``証券会社``), pieces with white space between them (inside
    the brackets or out) with one space (``[Börsenmakler](/x) [oder](/x)`` → ``Börsenmakler
    oder``). A space is dropped only on evidence that the pieces are one word: here, a
    piece ending in a lone capital letter before one that goes on in lower case
    (``[Standards B](/x) [oard](/x)``); later, the same word elsewhere in the article
    (:func:`settle_split_anchors`) or the glued anchor being a title or another anchor
    of the target (:func:`kg.graph.build_graph`), which is why the glued form is returned.

    Examples
    --------
    >>> join_anchor("証券会社", [(0, 2), (2, 4)])
    ('証券会社', '')
    >>> join_anchor("Börsenmakler oder", [(0, 12), (13, 17)])
    ('Börsenmakler oder', 'Börsenmakleroder')
    >>> join_anchor("Standards B oard", [(0, 11), (12, 16)])
    ('Standards Board', '')
    >>> join_anchor("Hedgefonds ,", [(0, 10), (11, 12)])
    ('Hedgefonds', '')
    """
    spaced = glued = ""
    undecided = False
    last_end = 0
    for start, end in pieces:
        raw = text[start:end]
        piece = clean_text(raw)
        if not piece:
            continue
        # the source's spacing: the gap between the links and white space inside them
        apart = (
            text[last_end:start] != ""
            or raw[:1].isspace()
            or text[last_end - 1 : last_end].isspace()
        )
        last_end = end
        if not spaced:
            spaced = glued = piece
        elif not apart:
            spaced, glued = spaced + piece, glued + piece
        elif not (spaced[-1].isalnum() and piece[0].isalnum()):
            spaced, glued = f"{spaced} {piece}", f"{glued} {piece}"
        elif piece[0].islower() and spaced[-1].isupper() and _LONE_CAPITAL.search(spaced):
            spaced, glued = spaced + piece, glued + piece
        else:
            spaced, glued, undecided = f"{spaced} {piece}", glued + piece, True
    return _trimmed_anchor(spaced), trim_label(glued) if undecided else ""


def _trimmed_anchor(anchor: str) -> str:
    """The anchor without punctuation at its ends; one of punctuation only (``[,](/x)``,
    no label) as it is."""
    return trim_label(anchor) or anchor


def settle_split_anchors(article: Article) -> None:
    """Glue a split link's pieces when each word they would make is written whole
    elsewhere in the article's prose (``[Bank for International Settlemen](/bis) [ts](/bis)``
    in an article that names the Bank for International Settlements).

    Examples
    --------
    >>> a = Article(path="a.md", slug="a", lang="en", text="Settlements matter.")
    >>> a.links = [Link("bis", "Bank for Settlemen ts", "", "", 1, "Bank for Settlements")]
    >>> settle_split_anchors(a)
    >>> a.links[0].anchor, a.links[0].glued
    ('Bank for Settlements', '')
    """
    prose = ""
    for link in article.links:
        if not link.glued:
            continue
        prose = prose or article.text.casefold()
        if all(_written(word, prose) for word in glued_words(link.anchor, link.glued)):
            link.anchor, link.glued = link.glued, ""


def glued_words(spaced: str, glued: str) -> list[str]:
    """The words of ``glued`` that span a space of ``spaced`` (which has more spaces).

    Examples
    --------
    >>> glued_words("chartered account ant", "chartered accountant")
    ['accountant']
    """
    words = []
    i = j = 0
    while i < len(spaced) and j < len(glued):
        if spaced[i] == glued[j]:
            i, j = i + 1, j + 1
            continue
        start = glued.rfind(" ", 0, j) + 1
        stop = glued.find(" ", j)
        words.append(glued[start : stop if stop >= 0 else len(glued)])
        i += 1
    return words


def _written(word: str, prose: str) -> bool:
    """Whether ``word`` stands in ``prose`` (case folded) as a word of its own, or anywhere
    in a script without spaces."""
    folded = word.casefold()
    at = prose.find(folded)
    if at < 0 or has_unspaced(folded):
        return at >= 0
    size = len(folded)
    while at >= 0:
        if not (prose[at - 1 : at].isalnum() or prose[at + size : at + size + 1].isalnum()):
            return True
        at = prose.find(folded, at + 1)
    return False


def sentence_breaks(text: str) -> tuple[list[int], list[int]]:
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


def sentence_of(
    text: str,
    start: int,
    end: int,
    breaks: tuple[list[int], list[int]],
    made: dict[tuple[int, int], str] | None = None,
) -> str:
    """The sentence(s) holding ``text[start:end]``, cleaned and at most _SENTENCE_MAX long.

    They begin at the end of the last break that ends by ``start`` and stop at the first
    break that starts at or after ``end`` (skipping one that is empty and at ``start``).
    ``made`` keeps the sentences made so far by their span: the links of one sentence
    share it, so that a block is cleaned once however many links it holds.
    """
    starts, ends = breaks
    i = bisect_right(ends, start)
    begin = ends[i - 1] if i else 0
    i = bisect_left(starts, end)
    if i < len(starts) and ends[i] <= start:
        i += 1
    finish = starts[i] if i < len(starts) else len(text)
    if made is not None and (begin, finish) in made:
        return made[begin, finish]
    sentence = clean_text(text[begin:finish])
    if len(sentence) > _SENTENCE_MAX:
        sentence = sentence[: _SENTENCE_MAX - 1] + "…"
    if made is not None:
        made[begin, finish] = sentence
    return sentence
