"""kg: a wiki of linked concept articles → a knowledge graph you can query and explore.

The pipeline runs one way: files → :class:`~kg.articles.Article` records
(:func:`read_corpus`) → a ``networkx.DiGraph`` (:func:`build_graph`) → views of
the graph (:func:`write_exports`, :func:`sparql`, :func:`visualize`, :func:`show` …).

Examples
--------
>>> import kg
>>> G = kg.load("articles")              # parse a folder (or read a build: kg.load("exports"))
>>> kg.show(G, "backoffice")["links_out"]  # doctest: +SKIP
['client-facing', 'cpa', 'frontoffice', 'lease', 'middleoffice']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name → module that defines it; imported on first use so `import kg` stays fast
_API = {
    "Article": "kg.articles",
    "Link": "kg.articles",
    "Problem": "kg.articles",
    "parse_article": "kg.articles",
    "read_corpus": "kg.engine.parse",
    "Corpus": "kg.engine.parse",
    "build_graph": "kg.graph",
    "write_exports": "kg.engine.exports",
    "read_build": "kg.engine.exports",
    "build": "kg.engine.build",
    "BuildResult": "kg.engine.build",
    "load": "kg.engine.build",
    "ntriples": "kg.formats.rdf",
    "rdf_bytes": "kg.formats.rdf",
    "to_rdf_triples": "kg.formats.rdf",
    "list_queries": "kg.store.named",
    "run_named": "kg.store.named",
    "sparql": "kg.store.query",
    "to_rdflib": "kg.store.database",
    "open_store": "kg.store.database",
    "serve": "kg.store.server",
    "push": "kg.store.server",
    "visualize": "kg.viz",
    "render_html": "kg.viz",
    "ego_graph": "kg.viz",
    "show": "kg.explore",
    "find": "kg.explore",
    "neighbors": "kg.explore",
    "path": "kg.explore",
    "related": "kg.explore",
    "stats": "kg.explore",
    "check": "kg.quality",
    "KgError": "kg.errors",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


if TYPE_CHECKING:  # pragma: no cover
    from kg.articles import Article, Link, Problem, parse_article  # noqa: F401
    from kg.engine.parse import Corpus, read_corpus  # noqa: F401
    from kg.errors import KgError  # noqa: F401
    from kg.explore import find, neighbors, path, related, show, stats  # noqa: F401
    from kg.engine.exports import read_build, write_exports  # noqa: F401
    from kg.graph import build_graph  # noqa: F401
    from kg.store.named import list_queries, run_named  # noqa: F401
    from kg.engine.build import BuildResult, build, load  # noqa: F401
    from kg.quality import check  # noqa: F401
    from kg.store.query import sparql  # noqa: F401
    from kg.formats.rdf import ntriples, rdf_bytes, to_rdf_triples  # noqa: F401
    from kg.store.server import push, serve  # noqa: F401
    from kg.store.database import open_store, to_rdflib  # noqa: F401
    from kg.viz import ego_graph, render_html, visualize  # noqa: F401
