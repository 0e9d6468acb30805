"""kg: a wiki of linked concept articles → a knowledge graph you can query and explore.

The pipeline runs one way: files → :class:`Article` records (:func:`parse_article`,
:func:`read_corpus`) → a ``networkx.DiGraph`` (:func:`build_graph`) → views of the graph
(the ``write_*`` formats, :func:`sparql`, :func:`visualize`, :func:`show` …).
:func:`build` does all of it for a folder, fast (the build engine: caches, several
processes, incremental exports); :func:`load` parses a folder or reads a build.

Examples
--------
>>> import kg
>>> G = kg.load("articles")              # parse a folder (or read a build: kg.load("exports"))
>>> kg.show(G, "backoffice")["links_out"]
['client-facing', 'cpa', 'frontoffice', 'lease', 'middleoffice']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name → module that defines it; imported on first use so `import kg` stays fast
_API = {
    # records and parsing
    "Article": "kg.records",
    "Link": "kg.records",
    "Problem": "kg.records",
    "Corpus": "kg.records",
    "parse_article": "kg.articles",
    # the graph and its views
    "build_graph": "kg.graph",
    "show": "kg.explore",
    "find": "kg.explore",
    "neighbors": "kg.explore",
    "path": "kg.explore",
    "related": "kg.explore",
    "why_no_related": "kg.explore",
    "stats": "kg.explore",
    "check": "kg.quality",
    "make_report": "kg.report",
    "display_label": "kg.labels",
    # formats
    "read_graph": "kg.formats.nodelink",
    "write_node_link": "kg.formats.nodelink",
    "write_turtle": "kg.formats.rdf",
    "write_ntriples": "kg.formats.rdf",
    "write_jsonld": "kg.formats.rdf",
    "ntriples": "kg.formats.rdf",
    "rdf_bytes": "kg.formats.rdf",
    "to_rdf_triples": "kg.formats.rdf",
    "write_graphml": "kg.formats.graphml",
    "write_gexf": "kg.formats.gexf",
    "write_csv": "kg.formats.tables",
    "write_report": "kg.report",
    "write_html": "kg.viz",
    "write_site": "kg.site",
    "render_html": "kg.viz",
    "visualize": "kg.viz",
    "ego_graph": "kg.viz",
    # SPARQL
    "sparql": "kg.store.query",
    "to_rdflib": "kg.store.database",
    "open_store": "kg.store.database",
    "write_store": "kg.store.database",
    "list_queries": "kg.store.named",
    "run_named": "kg.store.named",
    "serve": "kg.store.server",
    "push": "kg.store.server",
    # the build engine
    "build": "kg.engine.build",
    "BuildResult": "kg.engine.build",
    "load": "kg.engine.build",
    "read_corpus": "kg.engine.parse",
    "write_exports": "kg.engine.exports",
    # errors
    "KgError": "kg.errors",
    "ConceptNotFound": "kg.errors",
    "AmbiguousConcept": "kg.errors",
    "BuildNotFound": "kg.errors",
    "BadInput": "kg.errors",
    "InvalidArgument": "kg.errors",
    "InvalidQuery": "kg.errors",
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
    from kg.articles import parse_article  # noqa: F401
    from kg.engine.build import BuildResult, build, load  # noqa: F401
    from kg.engine.exports import write_exports  # noqa: F401
    from kg.engine.parse import read_corpus  # noqa: F401
    from kg.errors import (  # noqa: F401
        AmbiguousConcept,
        BadInput,
        BuildNotFound,
        ConceptNotFound,
        InvalidArgument,
        InvalidQuery,
        KgError,
    )
    from kg.explore import (  # noqa: F401
        find,
        neighbors,
        path,
        related,
        show,
        stats,
        why_no_related,
    )
    from kg.formats.gexf import write_gexf  # noqa: F401
    from kg.formats.graphml import write_graphml  # noqa: F401
    from kg.formats.nodelink import read_graph, write_node_link  # noqa: F401
    from kg.formats.rdf import (  # noqa: F401
        ntriples,
        rdf_bytes,
        to_rdf_triples,
        write_jsonld,
        write_ntriples,
        write_turtle,
    )
    from kg.formats.tables import write_csv  # noqa: F401
    from kg.graph import build_graph  # noqa: F401
    from kg.labels import display_label  # noqa: F401
    from kg.quality import check  # noqa: F401
    from kg.records import Article, Corpus, Link, Problem  # noqa: F401
    from kg.report import make_report, write_report  # noqa: F401
    from kg.site import write_site  # noqa: F401
    from kg.store.database import open_store, to_rdflib, write_store  # noqa: F401
    from kg.store.named import list_queries, run_named  # noqa: F401
    from kg.store.query import sparql  # noqa: F401
    from kg.store.server import push, serve  # noqa: F401
    from kg.viz import ego_graph, render_html, visualize, write_html  # noqa: F401
