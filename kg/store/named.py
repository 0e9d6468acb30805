"""The named-query library: the SPARQL files shipped in ``kg/store/queries/*.rq``, listed and run.

Each ``.rq`` file is one query; its leading comments describe it and its parameters
(see :class:`NamedQuery`). ``kg query --list`` and ``kg query --name NAME`` use them.

Examples
--------
>>> q = named_query("shared-keywords")
>>> sorted(q.params)
['a', 'b']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InvalidArgument
from kg.store.query import named_node, sparql

QUERIES_DIR = Path(__file__).parent / "queries"


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library shipped in ``kg/store/queries/*.rq``.

    The file's leading comments describe it: free text, ``param NAME: help`` or
    ``param NAME=DEFAULT: help`` lines (a default that is an integer makes the
    parameter an integer), and ``example: …``.
    """

    name: str
    description: str
    text: str
    path: Path
    params: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    example: str = ""

    def bindings(self, values: Mapping[str, str]) -> dict[str, Any]:
        """Check ``values`` against the parameters and type them; raise
        :class:`~kg.errors.InvalidArgument` when one is unknown, missing or mistyped."""
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            raise InvalidArgument(
                "params",
                f"query {self.name!r} has no parameter {unknown[0]!r} (its parameters: {known})",
                prefix=False,
            )
        out: dict[str, Any] = {}
        for name in self.params:
            if name in values:
                raw = values[name]
            elif name in self.defaults:
                raw = self.defaults[name]
            else:
                raise InvalidArgument(
                    "params",
                    f"query {self.name!r} needs the parameter {name} ({self.params[name]})",
                    prefix=False,
                )
            out[name] = _typed_param(self, name, raw)
        return out


def list_queries() -> list[NamedQuery]:
    """The named queries shipped with kg, sorted by name.

    Examples
    --------
    >>> [q.name for q in list_queries()][:3]
    ['concepts-per-keyword', 'definitions', 'hubs']
    """
    return [_read_named(p) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def named_query(name: str) -> NamedQuery:
    """The named query ``name``; an :class:`~kg.errors.InvalidArgument` lists the names when
    there is none.

    Examples
    --------
    >>> named_query("who-links-to").params
    {'slug': 'the slug of the concept linked to (e.g. lease)'}
    """
    path = QUERIES_DIR / f"{name}.rq"
    if "/" in name or not path.is_file():
        names = ", ".join(q.name for q in list_queries())
        raise InvalidArgument("name", f"no named query {name!r}; there are: {names}", prefix=False)
    return _read_named(path)


def run_named(
    name: str, params: Mapping[str, str] | None = None, data: Any = "exports", **kwargs: Any
) -> Any:
    """Run the named query ``name`` with ``params`` bound as values (see :func:`sparql`).

    Examples
    --------
    >>> run_named("who-links-to", {"slug": "lease"})  # doctest: +SKIP
        slug      source        label  weight
    0  lease  backoffice  back office       1
    """
    q = named_query(name)
    return sparql(q.text, data, bindings=q.bindings(params or {}), **kwargs)


# --- helpers --------------------------------------------------------------------------------


def _read_named(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: dict[str, str] = {}
    defaults: dict[str, str] = {}
    example = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        match = re.match(r"param\s+(\w+)(?:\s*=\s*([^:]*?))?\s*:\s*(.*)$", body)
        if match:
            params[match[1]] = match[3]
            if match[2] is not None:
                defaults[match[1]] = match[2]
        elif body.startswith("example:"):
            example = body.partition(":")[2].strip()
        elif body:
            description.append(body)
    return NamedQuery(
        name=path.stem,
        description=" ".join(description),
        text=text,
        path=path,
        params=params,
        defaults=defaults,
        example=example,
    )


def _typed_param(q: NamedQuery, name: str, raw: str) -> Any:
    if raw.startswith("<") and raw.endswith(">"):
        return named_node(raw[1:-1])
    if re.fullmatch(r"-?\d+", q.defaults.get(name, "")):
        try:
            return int(raw)
        except ValueError:
            raise InvalidArgument(
                "params", f"parameter {name} must be an integer, not {raw!r}", prefix=False
            ) from None
    return raw
