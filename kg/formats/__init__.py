"""The output formats of a build: one module per format family, each with networkx-style
functions ``write_<format>(G, path)`` (and ``generate_<format>(G)``) that work on any graph
following kg's model and write exactly the bytes ``kg build`` writes.

* ``ttl``: graph.ttl — :func:`kg.formats.rdf.write_turtle`
* ``nt``: graph.nt — :func:`kg.formats.rdf.write_ntriples`
* ``jsonld``: graph.jsonld — :func:`kg.formats.rdf.write_jsonld`
* ``graphml``: graph.graphml — :func:`kg.formats.graphml.write_graphml`
* ``gexf``: graph.gexf — :func:`kg.formats.gexf.write_gexf`
* ``json``: graph.json — :func:`kg.formats.nodelink.write_node_link`
* ``csv``: nodes.csv, edges.csv — :func:`kg.formats.tables.write_csv`
* ``html``: graph.html — :func:`kg.viz.write_html`
* ``report``: report.json, report.md — :func:`kg.report.write_report`
* ``store``: store/ — :func:`kg.store.database.write_store`

This module only names them (importing it imports no writer).
"""

from __future__ import annotations

FORMATS = ("ttl", "nt", "jsonld", "graphml", "gexf", "json", "csv", "html", "report", "store")
"""The formats of a build, in the order ``--formats`` lists them."""

FILES: dict[str, tuple[str, ...]] = {
    "ttl": ("graph.ttl",),
    "nt": ("graph.nt",),
    "jsonld": ("graph.jsonld",),
    "graphml": ("graph.graphml",),
    "gexf": ("graph.gexf",),
    "json": ("graph.json",),
    "csv": ("nodes.csv", "edges.csv"),
    "html": ("graph.html",),
    "report": ("report.json", "report.md"),
    "store": ("store",),
}
"""What each format writes in a build folder."""
