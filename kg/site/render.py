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
def templates_digest() -> str:
    """A digest of every template and static file: pages made by other templates differ."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in ("templates", "static"):
        root = resources.files("kg.site").joinpath(folder)
        for item in sorted(root.iterdir(), key=lambda p: p.name):
            if item.is_file():
                digest.update(item.name.encode() + b"\0" + item.read_bytes() + b"\0")
    return digest.hexdigest()
