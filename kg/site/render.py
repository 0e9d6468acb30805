"""Pages from templates: one Jinja2 environment, autoescaping every value.

Templates live in ``kg/site/templates``; every value from the articles goes through
Jinja's HTML escaping (``autoescape=True``), and an undefined name is an error
(``StrictUndefined``), not an empty string. Filters and globals the templates use:
``lang`` (the ``lang``/``dir`` attributes of a literal, :func:`kg.site.display.lang_attrs`),
``number`` (``12,345``), ``language_name``.

Examples
--------
>>> page = render_string("{{ x }}<p{{ 'ar'|lang }}>{{ n|number }}</p>", x="<b>", n=12345)
>>> page
'&lt;b&gt;<p lang="ar" dir="rtl">12,345</p>'
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from kg.site.display import lang_attrs, language_name


def number(value: float | int) -> str:
    """A count with thousands separators; a float with at most one decimal."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def signed(value: float | int) -> str:
    """A difference with its sign (``+3``, ``−2``, ``±0``).

    Examples
    --------
    >>> signed(3), signed(-2), signed(0), signed(0.25)
    ('+3', '−2', '±0', '+0.2')
    """
    if not value:
        return "±0"
    text = number(abs(value))
    return ("+" if value > 0 else "−") + text


@cache
def environment() -> jinja2.Environment:
    """The site's Jinja2 environment (made once)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lang"] = lang_attrs
    env.filters["number"] = number
    env.filters["signed"] = signed
    env.filters["language_name"] = language_name
    return env


def render(template: str, **data: Any) -> str:
    """The page of ``template`` (a file in ``kg/site/templates``) filled with ``data``."""
    return environment().get_template(template).render(**data)


def render_string(source: str, **data: Any) -> str:
    """A template given as text, filled with ``data`` (in the site's environment)."""
    return environment().from_string(source).render(**data)


@cache
def static(name: str) -> bytes:
    """A file of ``kg/site/static`` (the stylesheet, the script), as bytes."""
    return resources.files("kg.site").joinpath("static", name).read_bytes()


@cache
def drawing_digest() -> str:
    """A digest of what turns a page's data into its bytes: the site package's own code,
    templates and static files, kg's layout seed, and the versions of Jinja2 (rendering)
    and NumPy (the small graph's layout).

    The rest of kg is not in it: what it computes is in each page's data, which
    :func:`kg.site.write.page_digest` digests too. So a change elsewhere in kg leaves the
    pages it does not change as they are (the committed ``exports/site`` included), and a
    change to the drawing draws every page again.
    """
    import numpy

    versions = f"{jinja2.__version__}\0{numpy.__version__}\0".encode()
    digest = hashlib.blake2b(versions, digest_size=16)
    package = Path(__file__).resolve().parent
    sources = [*sorted(package.rglob("*")), package.parent / "positions.py"]
    for path in sources:
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".json"):
            name = path.relative_to(package.parent).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
