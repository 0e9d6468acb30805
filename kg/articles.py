"""One article's text → an :class:`~kg.records.Article` record: the entry to parsing.

:func:`parse_article` reads the front matter (:mod:`kg.frontmatter`: title, keywords,
description, with YAML that fails read line by line), then the markdown body
(:mod:`kg.markdown`: links with their anchor, sentence and section, headings, prose),
and cleans the values (:mod:`kg.text`: HTML entities decoded until stable, zero-width
characters dropped). :func:`parse_bytes` first decodes a file's bytes.
"""

from __future__ import annotations

from kg.frontmatter import read_front_matter
from kg.links import normalise_site_url
from kg.markdown import read_body
from kg.records import Article, Problem
from kg.text import clean_text, split_keywords

PARSER_VERSION = "2"
"""Bump when parsing changes what an :class:`Article` holds: it invalidates caches."""


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
    found = read_front_matter(text, path)
    article.warnings.extend(found.problems)
    meta = found.meta
    # set first, so that the body's first paragraph is only cleaned when it is needed
    article.description = clean_text(meta.get("description"))
    read_body(article, found.body, found.body_line, normalise_site_url(site_url))
    article.title = clean_text(meta.get("title")) or article.h1 or slug
    article.keywords = split_keywords(meta.get("keywords"))
    return article
