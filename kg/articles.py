"""One article's text → an :class:`~kg.records.Article` record: the entry to parsing.

:func:`parse_article` reads the front matter (:mod:`kg.frontmatter`: title, keywords,
description, with YAML that fails read line by line), then the markdown body
(:mod:`kg.markdown`: links with their anchor, sentence and section, headings, prose),
and cleans the values (:mod:`kg.text`: HTML entities decoded until stable, zero-width
characters dropped). :func:`parse_bytes` first decodes a file's bytes.

What one file can put in the graph is bounded (:mod:`kg.limits`): titles, headings,
keywords and anchor texts are cut at :data:`~kg.limits.MAX_LABEL` characters and
descriptions at :data:`~kg.limits.MAX_DESCRIPTION`, with a warning naming the line, and
none keeps a control character (C0 or C1: ``ESC``, ``BEL`` …). A name that would read
as a keyword node's id (``keyword:…``) is escaped (:func:`concept_slug`).
"""

from __future__ import annotations

import re

from kg.frontmatter import read_front_matter
from kg.limits import MAX_DESCRIPTION, MAX_LABEL, MAX_SLUG, cut
from kg.links import normalise_site_url
from kg.markdown import read_body
from kg.records import KEYWORD_PREFIX, Article, Problem
from kg.text import clean_text, split_keywords

PARSER_VERSION = "2"
"""Bump when parsing changes what an :class:`Article` holds: it invalidates caches."""

_RESERVED = ("keyword:", "keyword%")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


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
    article = Article(path=path, slug=concept_slug(slug), lang=lang)
    if article.slug != slug:
        article.warnings.append(Problem(path, 0, _escaped(slug, article.slug, "its name")))
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():
        article.warnings.append(Problem(path, 0, "empty file"))
        article.title = name_label(article.slug)
        return article
    found = read_front_matter(text, path)
    article.warnings.extend(found.problems)
    meta = found.meta
    # set first, so that the body's first paragraph is only cleaned when it is needed
    article.description = clean_text(meta.get("description"))
    read_body(article, found.body, found.body_line, normalise_site_url(site_url))
    article.title = clean_text(meta.get("title")) or article.h1 or slug
    article.keywords = split_keywords(meta.get("keywords"))
    _bound(article, text)
    return article


def concept_slug(name: str) -> str:
    """The concept id of a file or link name: the name itself, except that a name starting
    with ``keyword:`` or ``keyword%`` has that ``:`` or ``%`` percent-encoded, so that no
    concept id starts as a keyword node's does (:data:`KEYWORD_PREFIX`).

    One-to-one, and what a link to the escaped form names too (link destinations are
    percent-decoded): ``/keyword:Investing`` and ``/keyword%3AInvesting`` both name
    ``keyword%3AInvesting``.

    Examples
    --------
    >>> concept_slug("lease"), concept_slug("keyword:Investing"), concept_slug("keyword%3AX")
    ('lease', 'keyword%3AInvesting', 'keyword%253AX')
    """
    if not name.startswith(_RESERVED):
        return name
    return "keyword" + ("%3A" if name[7] == ":" else "%25") + name[8:]


def _escaped(name: str, slug: str, what: str) -> str:
    return (
        f"{what} {name!r} begins as keyword ids do ({KEYWORD_PREFIX}…); "
        f"kept as the concept {slug!r}"
    )


def _bound(article: Article, text: str) -> None:
    """Cut over-long values (:mod:`kg.limits`), drop control characters, escape link targets
    that read as keyword ids; warn once per kind of value, naming a line."""
    path, warn = article.path, article.warnings.append
    article.title, cut_title = _label(article.title, MAX_LABEL)
    article.h1, cut_h1 = _label(article.h1, MAX_LABEL)
    if cut_title or cut_h1:
        line = _line_of(text, r"^title[ \t]*:") or _line_of(text, r"^ {0,3}#[ \t]")
        warn(Problem(path, line, f"title longer than {MAX_LABEL} characters; cut"))
    if not article.title:  # it was control characters only
        article.title = article.h1 or name_label(article.slug)
    elif article.title == article.slug and not article.slug.isprintable():
        article.title = name_label(article.slug)
    article.description, cut_description = _label(article.description, MAX_DESCRIPTION)
    if cut_description:
        line = _line_of(text, r"^description[ \t]*:")
        warn(Problem(path, line, f"description longer than {MAX_DESCRIPTION:,} characters; cut"))
    keywords = [(k, was_cut) for k, was_cut in map(_keyword, article.keywords) if k]
    if any(was_cut for _, was_cut in keywords):
        line = _line_of(text, r"^keywords[ \t]*:")
        warn(Problem(path, line, f"keyword longer than {MAX_LABEL} characters; cut"))
        seen: set[str] = set()
        article.keywords = [
            k for k, _ in keywords if k.casefold() not in seen and not seen.add(k.casefold())
        ]
    else:
        article.keywords = [k for k, _ in keywords]
    sections = {}
    for section in article.sections:
        sections[section], was_cut = _label(section, MAX_LABEL)
        if was_cut and sections[section] != article.h1:  # the title's warning says it
            line = _line_of(text, "^#+ *" + re.escape(section[:40]))
            warn(Problem(path, line, f"heading longer than {MAX_LABEL} characters; cut"))
    article.sections = [sections[s] for s in article.sections if sections[s]]
    cut_anchor = keyword_target = None
    if any(len(link.target) > MAX_SLUG for link in article.links):
        long = [link for link in article.links if len(link.target) > MAX_SLUG]
        article.links = [link for link in article.links if len(link.target) <= MAX_SLUG]
        message = f"link target longer than {MAX_SLUG} characters (no file has such a name); "
        warn(Problem(path, long[0].line, message + f"not a link ({len(long)} such)"))
    if any(not link.target.isprintable() for link in article.links):
        odd = [link for link in article.links if _CONTROLS.search(link.target)]
        article.links = [link for link in article.links if not _CONTROLS.search(link.target)]
        if odd:
            message = f"link target with control characters; not a link ({len(odd)} such)"
            warn(Problem(path, odd[0].line, message))
    for link in article.links:
        link.anchor, was_cut = _label(link.anchor, MAX_LABEL)
        if was_cut and cut_anchor is None:
            cut_anchor = link.line
        if not link.sentence.isprintable():
            link.sentence = _no_controls(link.sentence)
        link.section = sections.get(link.section, link.section)
        if link.target.startswith(_RESERVED):
            target = concept_slug(link.target)
            if keyword_target is None:
                keyword_target = link.line, _escaped(link.target, target, "a link to")
            link.target = target
    if cut_anchor is not None:
        warn(Problem(path, cut_anchor, f"anchor text longer than {MAX_LABEL} characters; cut"))
    if keyword_target is not None:
        warn(Problem(path, *keyword_target))


def _keyword(value: str) -> tuple[str, bool]:
    return _label(value, MAX_LABEL)


def name_label(slug: str) -> str:
    """A file name as a label: its control characters written as ``\\xNN`` escapes.

    Examples
    --------
    >>> print(name_label("a\x1fb"))
    a\\x1fb
    """
    if not _CONTROLS.search(slug):
        return slug
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", slug)


def _label(value: str, limit: int) -> tuple[str, bool]:
    """``value`` without control characters, cut at ``limit``; and whether it was cut."""
    if not value.isprintable():
        value = _no_controls(value)
    if len(value) > limit:
        return cut(value, limit), True
    return value, False


def _no_controls(value: str) -> str:
    """``value`` without C0 and C1 control characters (white space already made spaces)."""
    if not _CONTROLS.search(value):
        return value
    return " ".join(_CONTROLS.sub("", value).split())


def _line_of(text: str, pattern: str) -> int:
    """The line of the first match of ``pattern`` (a line start) in ``text``, else 0."""
    found = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 0
