"""Where each file of the site lives, and the relative URLs between them.

A concept's page is ``concept/<slug>.html``, where ``<slug>`` is the slug as it stands in
the concept's IRI (:func:`kg.formats.rdf.encode_slug`: kept as written when it is IRI-safe, which
every investors.wiki slug is, percent-encoded otherwise). So ``<base>concept/<slug>``, the
IRI of the RDF exports, becomes the page once ``<base>`` is the site's URL and the server
adds ``.html`` (see the README's recipe). A keyword's page is ``keyword/<slug>.html`` with
the slug of its IRI (:func:`kg.formats.rdf.keyword_iris`).

Links are relative (``../concept/lease.html``), so the folder works from ``file://`` and
from any path of any server; the file name inside a link is percent-encoded
(:func:`quote_file`), so a ``%`` or ``#`` of a slug stays part of the name.

Examples
--------
>>> concept_path("lease"), concept_path('a"b')
('concept/lease.html', 'concept/a%22b.html')
>>> relative("concept/lease.html", "concept/a%22b.html")
'a%2522b.html'
>>> relative("a-z/sv/b.html", "concept/lease.html")
'../../concept/lease.html'
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from kg.formats.rdf import encode_slug

CONCEPT_DIR = "concept"
KEYWORD_DIR = "keyword"
AZ_DIR = "a-z"
SEARCH_DIR = "search"
MANAGED_DIRS = (CONCEPT_DIR, KEYWORD_DIR, AZ_DIR, SEARCH_DIR)
"""Folders whose every file the site writes: a file there that a build no longer makes is
removed (only in a folder that a site was written to before)."""


def concept_stem(slug: str) -> str:
    """The file name of a concept's page without its extension: the IRI's last segment."""
    return encode_slug(slug)


def concept_path(slug: str, ext: str = "html") -> str:
    """The path of a concept's page (or of its ``ttl``/``jsonld``) inside the site."""
    return f"{CONCEPT_DIR}/{concept_stem(slug)}.{ext}"


def keyword_path(stem: str) -> str:
    """The path of a keyword's page, from the last segment of its IRI."""
    return f"{KEYWORD_DIR}/{stem}.html"


def quote_file(path: str) -> str:
    """``path`` as a URL path: each segment percent-encoded (``/`` kept).

    Examples
    --------
    >>> quote_file("concept/ränta.html"), quote_file("concept/50%.html")
    ('concept/r%C3%A4nta.html', 'concept/50%25.html')
    """
    return "/".join(quote(part, safe="") for part in path.split("/"))


def relative(from_path: str, to_path: str) -> str:
    """The relative URL of the site file ``to_path`` from the page at ``from_path``: its
    name alone in the same folder, else up to the root and down (both are site paths)."""
    here, _, _ = from_path.rpartition("/")
    there, _, name = to_path.rpartition("/")
    if here == there:
        return _quoted(name)
    return "../" * from_path.count("/") + _quoted(to_path)


@lru_cache(maxsize=1 << 16)
def _quoted(path: str) -> str:
    return quote_file(path)


def root_of(path: str) -> str:
    """The relative URL of the site's root from the page at ``path`` (``""`` at the top).

    Examples
    --------
    >>> root_of("index.html"), root_of("a-z/sv/a.html")
    ('', '../../')
    """
    return "../" * path.count("/")
