"""The data of a concept's page: what the template ``concept.html`` shows.

Labels and definitions in every language (the display language first), alternative
labels, keywords, links out and in with their evidence, unlinked mentions, missing
translations, related concepts, the small graph, sources and linked data.

A hub's page stays readable: the :data:`EVIDENCE_MAX` strongest links in each direction
are shown with up to :data:`SENTENCES_MAX` sentences each; the others are listed by name.

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> from kg.site.context import SiteContext
>>> G = build_graph([parse_article("# rent\\nA [lease](/lease) is a contract.", slug="rent")])
>>> page = concept_page(SiteContext(G), "rent", related=[], ttl_jsonld=("", "[]"))
>>> row = page["links_out"][0]
>>> row["link"].href, row["contexts"][0]["pieces"]
('lease.html', [('A ', False), ('lease', True), (' is a contract.', False)])
"""

from __future__ import annotations

from typing import Any

from kg.labels import language_order
from kg.quality import unlinked_mentions
from kg.site.context import SiteContext
from kg.site.ego import ego_view
from kg.site.evidence import mark
from kg.site.linked_data import script_text
from kg.site.urls import concept_path, relative

EVIDENCE_MAX = 100
"""Links shown with their sentences, per direction; the rest are listed by name."""
SENTENCES_MAX = 3
"""Sentences shown per link."""
SHARED_MAX = 3
"""Shared neighbours and keywords named per suggestion."""
UNLINKED_MAX = 25
"""Concepts named without a link listed per language (``kg check`` lists them all)."""
_WEB = ("http://", "https://")


def concept_page(
    site: SiteContext,
    node: str,
    *,
    related: list[dict[str, Any]],
    ttl_jsonld: tuple[str, str],
) -> dict[str, Any]:
    """The template data of the page of ``node`` (see the module's description).

    ``related`` is the node's :func:`kg.explore.related` answer and ``ttl_jsonld`` its
    RDF (:class:`kg.site.linked_data.ConceptRdf`), both worked out in bulk by the caller.
    """
    G = site.G
    data = site.data(node)
    path = concept_path(node)
    order = language_order(site.languages, site.asked)
    exists = bool(data.get("exists"))
    out_edges = [(v, d) for v, d in G.succ[node].items() if d.get("kind") == "link"]
    in_edges = [(u, d) for u, d in G.pred[node].items() if d.get("kind") == "link"]
    links_out, more_out = _link_rows(site, path, out_edges, node, outgoing=True)
    links_in, more_in = _link_rows(site, path, in_edges, node, outgoing=False)
    paths = data.get("paths") or {}
    return {
        "path": path,
        "slug": node,
        "title": site.label(node),
        "exists": exists,
        "labels": _per_lang(data.get("labels"), order),
        "descriptions": _per_lang(data.get("descriptions"), order),
        "alt_labels": _per_lang(data.get("alt_labels"), order),
        "keywords": [
            site.link(path, kid)
            for kid in (f"keyword:{k}" for k in data.get("keywords") or [])
            if kid in G
        ],
        "links_out": links_out,
        "more_out": more_out,
        "links_in": links_in,
        "more_in": more_in,
        "unlinked": [
            (
                lang,
                [site.link(path, t) for t in named[:UNLINKED_MAX]],
                max(len(named) - UNLINKED_MAX, 0),
            )
            for lang, named in (
                (lang, [t for t in targets if t in G])
                for lang, targets in _in_order(unlinked_mentions(G, node), order)
            )
        ],
        "missing_translations": [lang for lang in order if lang not in paths] if exists else [],
        "related": [_related_row(site, path, row) for row in related],
        "ego": ego_view(site, node, path),
        "sources": [
            {"lang": lang, "path": str(paths[lang]), "url": site.wiki_url(node, lang)}
            for lang in order
            if lang in paths
        ],
        "external": [
            {"url": str(url), "web": str(url).startswith(_WEB)}
            for url in data.get("external_links") or []
        ],
        "iri": f"{site.base_iri}concept/{path[len('concept/') : -len('.html')]}",
        "ttl_href": relative(path, concept_path(node, "ttl")),
        "jsonld_href": relative(path, concept_path(node, "jsonld")),
        "jsonld": script_text(ttl_jsonld[1]),
    }


def _per_lang(values: dict[str, Any] | None, order: list[str]) -> list[tuple[str, Any]]:
    """``{lang: value}`` as ``[(lang, value)]`` in display order, empty values left out."""
    return [(lang, value) for lang, value in _in_order(values or {}, order) if value]


def _in_order(values: dict[str, Any], order: list[str]) -> list[tuple[str, Any]]:
    known = [lang for lang in order if lang in values]
    return [(lang, values[lang]) for lang in [*known, *sorted(set(values) - set(known))]]


def _link_rows(
    site: SiteContext, page: str, edges: list[tuple[str, dict]], node: str, *, outgoing: bool
) -> tuple[list[dict[str, Any]], list[Any]]:
    """The links of one direction: the strongest with their evidence, the rest by name."""

    ordered = sorted(edges, key=lambda item: site.order(item[0]))
    if len(ordered) > EVIDENCE_MAX:
        strongest = sorted(ordered, key=lambda e: -int(e[1].get("weight", 1)))[:EVIDENCE_MAX]
        keep = {other for other, _ in strongest}
        shown = [e for e in ordered if e[0] in keep]
        rest = [site.link(page, other) for other, _ in ordered if other not in keep]
    else:
        shown, rest = ordered, []
    rows = []
    for other, d in shown:
        target = other if outgoing else node
        anchors = _anchor_langs(site, target, d)
        contexts = list(d.get("contexts") or [])
        rows.append(
            {
                "link": site.link(page, other),
                "self": other == node,
                "weight": int(d.get("weight", 1)),
                "anchors": anchors,
                "contexts": [
                    {
                        "lang": str(c.get("lang", "")),
                        "section": str(c.get("section") or ""),
                        "pieces": mark(
                            str(c.get("sentence") or ""),
                            [a for a, lang in anchors if lang == c.get("lang")]
                            or [a for a, _ in anchors],
                        ),
                        "where": f"{c.get('path', '')}:{c.get('line', '')}"
                        if c.get("path")
                        else "",
                    }
                    for c in contexts[:SENTENCES_MAX]
                ],
                "more_contexts": max(len(contexts) - SENTENCES_MAX, 0),
            }
        )
    return rows, rest


def _anchor_langs(site: SiteContext, target: str, edge: dict) -> list[tuple[str, str]]:
    """The link's anchor texts, each with a language it was written in (``""`` unknown).

    A link's anchors are not kept per language; the target's ``alt_labels`` {lang:
    [anchors]} say in which languages an anchor points to it.
    """
    alt = site.data(target).get("alt_labels") or {}
    langs = [lang for lang in edge.get("langs") or [] if lang in alt]
    out = []
    for anchor in edge.get("anchors") or []:
        lang = next((lang for lang in langs if anchor in alt[lang]), "")
        out.append((str(anchor), lang))
    return out


def _related_row(site: SiteContext, page: str, row: dict[str, Any]) -> dict[str, Any]:
    G = site.G
    return {
        "link": site.link(page, row["id"]),
        "score": row["score"],
        "shared": [site.link(page, n) for n in row["shared_neighbors"][:SHARED_MAX]],
        "more_shared": max(len(row["shared_neighbors"]) - SHARED_MAX, 0),
        "keywords": [
            site.link(page, f"keyword:{k}") for k in row["shared_keywords"] if f"keyword:{k}" in G
        ][:SHARED_MAX],
    }
