"""Which code made a file: kg's version and a digest of its source files.

Caches of a build (parsed articles, export pieces, its fingerprint) are only trusted
when the code that wrote them is the code running now; the version alone does not change
with every edit of a development checkout. (Pages of a concept site carry a digest of
their own data and drawing code instead: :func:`kg.site.render.drawing_digest`.)
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCES = (".py", ".rq", ".ttl", ".js", ".css", ".html", ".json")


@functools.cache
def code_digest() -> str:
    """A digest of kg's version and of every file of the package (code, queries, templates,
    assets).

    Examples
    --------
    >>> len(code_digest())
    32
    """
    from kg import __version__

    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in _SOURCES:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
