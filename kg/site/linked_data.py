"""Each concept's own RDF, for its page: Turtle and JSON-LD beside it, JSON-LD inside it.

The triples are those of the build's exports (:class:`kg.formats.rdf.RdfItems`: the concept's
subject and the qualified links it starts), written by kg's RDF writers with the same
prefixes, so ``concept/<slug>.ttl`` is the slice of ``graph.ttl`` about that concept.

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
>>> ttl, jsonld = ConceptRdf(G, "https://example.org/wiki/").texts("lease")
>>> "concept:lease a skos:Concept" in ttl, "<https://example.org/wiki/link/lease/cpa>" in ttl
(True, True)
>>> import json; [s["@id"] for s in json.loads(jsonld)]
['https://example.org/wiki/concept/lease', 'https://example.org/wiki/link/lease/cpa']
>>> script_text('[{"x":"</script>"}]')
'[{"x":"\\\\u003c/script\\\\u003e"}]'
"""

from __future__ import annotations

import networkx as nx

from kg.formats.pieces import Layout
from kg.formats.rdf import RdfItems

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


class ConceptRdf:
    """The RDF of one concept at a time, from the triples of the whole graph's export."""

    def __init__(self, G: nx.DiGraph, base_iri: str) -> None:
        self.items = RdfItems(G, base_iri)
        self.base_iri = base_iri
        # the writers of the build's files, made once (they remember the names shortened)
        self._ttl = self.items.layout("ttl")
        self._jsonld = self.items.layout("jsonld")

    def iri(self, node: str) -> str:
        """The concept's IRI."""
        return self.items.iris[node][1:-1]

    def texts(self, node: str) -> tuple[str, str]:
        """The concept's Turtle and JSON-LD (expanded, one subject a line)."""
        return _whole(self._ttl, node), _whole(self._jsonld, node)


def _whole(layout: Layout, node: str) -> str:
    """One item's file: the layout's head, the item's pieces (own subject, then its links)
    joined as the build's file joins them, and the foot."""
    pieces = [piece for piece in layout.render(node) if piece]
    return layout.head + layout.sections[0][0].join(pieces) + layout.foot


def script_text(json_text: str) -> str:
    """JSON text made safe inside an HTML ``<script>`` element (``<``, ``>``, ``&`` escaped).

    Valid for JSON-LD written by kg: those characters can only stand inside its strings,
    where the escapes mean the same characters.
    """
    return json_text.translate(_SCRIPT_ESCAPES)
