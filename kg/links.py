"""Link destinations → article slugs: the normalisation rules, in one place.

An internal link names another article by one of these forms::

    /slug   /slug/   /slug#part   slug.md   ../sv/slug.md   slug
    https://investors.wiki/slug   (with ``site_url="https://investors.wiki"``)

Percent-encoding is decoded, queries and fragments dropped. Anything with another
scheme or host is external; a bare ``#fragment`` or an empty destination is a link
within the page and names no article.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# a file extension other than .md marks a resource (image, pdf), not an article
_RESOURCE_EXT = re.compile(
    r"\.(png|jpe?g|gif|svg|webp|bmp|ico|pdf|csv|tsv|xlsx?|docx?|pptx?|zip|gz|mp[34]|html?|txt|json|xml)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a link points: an article ``slug``, or an ``external`` URL, or neither."""

    slug: str | None = None
    external: str | None = None


NOWHERE = Target()


def normalise_site_url(site_url: str | None) -> tuple[str, str] | None:
    """Return ``(host, path prefix)`` of a site base URL, lower-cased host without ``www.``."""
    if not site_url:
        return None
    parts = urlsplit(site_url if "://" in site_url else "https://" + site_url)
    host = parts.hostname or ""
    host = host[4:] if host.startswith("www.") else host
    return host, parts.path.rstrip("/")


@lru_cache(maxsize=1 << 14)  # articles link the same targets over and over
def resolve(dest: str, site: tuple[str, str] | None = None) -> Target:
    """Classify a link destination.

    Parameters
    ----------
    dest : str
        The destination as the markdown parser gives it (angle brackets removed).
    site : tuple, optional
        The result of :func:`normalise_site_url` for ``--site-url``.

    Examples
    --------
    >>> resolve("/frontoffice").slug
    'frontoffice'
    >>> resolve("../sv/down_payment.md#x").slug
    'down_payment'
    >>> resolve("https://example.com/a").external
    'https://example.com/a'
    >>> resolve("https://investors.wiki/sv/lease/", normalise_site_url("https://investors.wiki")).slug
    'lease'
    """
    dest = dest.strip()
    if not dest or dest.startswith("#"):
        return NOWHERE
    if dest.startswith("//") or _SCHEME.match(dest):
        parts = urlsplit("https:" + dest if dest.startswith("//") else dest)
        if site is None or parts.scheme not in ("http", "https"):
            return Target(external=dest)
        host = (parts.hostname or "").removeprefix("www.")
        path = parts.path
        if host != site[0] or not (path == site[1] or path.startswith(site[1] + "/")):
            return Target(external=dest)
        path = path[len(site[1]) :]
    else:
        path = dest.split("#", 1)[0].split("?", 1)[0]
    slug = _slug_from_path(unquote(path))
    return Target(slug=slug) if slug else NOWHERE


def _slug_from_path(path: str) -> str | None:
    path = path.strip().rstrip("/")
    if not path or _CONTROL.search(path):
        return None
    name = posixpath.basename(path)
    if name.endswith(".md"):
        name = name[:-3]
    elif _RESOURCE_EXT.search(name):
        return None
    if name in ("", ".", ".."):
        return None
    return name
