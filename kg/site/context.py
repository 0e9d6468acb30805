"""What every page of the site needs to know about the graph, worked out once.

:class:`SiteContext` holds the graph and the site's options, and per node what pages show
about it everywhere: its label in the display language (and that language), its page's
path, its link counts. Pages are made from it (:mod:`kg.site.pages`).

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> G = build_graph([parse_article("# hyra\\nSe [avtal](/lease).", slug="rent", lang="sv"),
...                  parse_article("# rent\\nSee [lease](/lease).", slug="rent", lang="en")])
>>> site = SiteContext(G, display_lang="sv")
>>> site.lang, site.label("rent")
('sv', Label(text='hyra', lang='sv', fallback=False))
>>> site.label("lease")  # no article: named by the words of the links to it
Label(text='avtal', lang='sv', fallback=False)
>>> site.href("index.html", "rent")
'concept/rent.html'
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

import networkx as nx

from kg.formats.rdf import DEFAULT_BASE_IRI, check_base_iri, keyword_iris
from kg.labels import check_display_lang, display_label, language_order
from kg.site.collation import sort_key
from kg.site.urls import concept_path, keyword_path, relative


class Label(NamedTuple):
    """A node's label as a page shows it: the text, its language, and whether that language
    is a fall-back (not the display language), which the page then names."""

    text: str
    lang: str
    fallback: bool


class Link(NamedTuple):
    """A link to another node's page, as templates print it."""

    href: str
    label: Label
    exists: bool = True
    slug: str = ""


class SiteContext:
    """The graph and the site's options, with each node's label, page and link counts.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as :func:`kg.build_graph` makes it or :func:`kg.load` reads it.
    display_lang : str, optional
        The language labels are shown in (else English, else any: :mod:`kg.labels`).
    site_url : str, optional
        The wiki's URL, for links to each article (default: the build's ``site_url``).
    base_iri : str, optional
        The base of the RDF IRIs (default: the build's, else kg's default).
    """

    def __init__(
        self,
        G: nx.DiGraph,
        *,
        display_lang: str | None = None,
        site_url: str | None = None,
        base_iri: str | None = None,
    ) -> None:
        self.G = G
        self.asked = check_display_lang(display_lang)
        self.languages: list[str] = sorted(
            G.graph.get("languages")
            or {lang for _, d in G.nodes(data=True) for lang in (d.get("labels") or {})}
        )
        order = language_order(self.languages, self.asked)
        self.lang = self.asked or (order[0] if order else "en")
        self.site_url = (site_url if site_url is not None else G.graph.get("site_url")) or ""
        self.base_iri = check_base_iri(base_iri or G.graph.get("base_iri") or DEFAULT_BASE_IRI)
        nodes = G.nodes
        self.concepts = sorted(n for n, d in nodes.items() if d.get("kind") == "concept")
        self.keywords = sorted(n for n, d in nodes.items() if d.get("kind") == "keyword")
        self.paths = {n: concept_path(n) for n in self.concepts}
        iris = keyword_iris(G, self.base_iri)
        self.paths.update(
            {k: keyword_path(iris[k].rsplit("/keyword/", 1)[1]) for k in self.keywords}
        )
        self._labels: dict[str, Label] = {}
        self._links: dict[tuple[str, str], Link] = {}
        self._order: dict[str, tuple[tuple[str, str], str]] = {}
        self.links_in: Counter[str] = Counter()
        self.links_out: Counter[str] = Counter()
        for u, v, kind in G.edges(data="kind"):
            if kind == "link" and u != v:
                self.links_out[u] += 1
                self.links_in[v] += 1

    def label(self, node: str) -> Label:
        """The node's label in the display language (see :func:`kg.labels.display_label`)."""
        found = self._labels.get(node)
        if found is None:
            data = self.G.nodes[node]
            text, lang = display_label(data, self.asked)
            text = " ".join(str(text).split()) or node
            found = self._labels[node] = Label(text, lang, bool(lang) and lang != self.lang)
        return found

    def exists(self, node: str) -> bool:
        """Whether the node is a concept with an article (keywords count as existing)."""
        data = self.G.nodes[node]
        return data.get("kind") != "concept" or bool(data.get("exists"))

    def href(self, from_path: str, node: str) -> str:
        """The relative URL of the node's page from the page at ``from_path``."""
        return relative(from_path, self.paths[node])

    def link(self, from_path: str, node: str) -> Link:
        """A :class:`Link` to the node's page from the page at ``from_path`` (made once per
        folder: pages of one folder link to a node alike)."""
        key = (from_path.rpartition("/")[0], node)
        found = self._links.get(key)
        if found is None:
            found = Link(self.href(from_path, node), self.label(node), self.exists(node), node)
            self._links[key] = found
        return found

    def order(self, node: str) -> tuple[tuple[str, str], str]:
        """Where the node stands in alphabetical order of its label (display language)."""
        found = self._order.get(node)
        if found is None:
            found = self._order[node] = (sort_key(self.label(node).text, self.lang), node)
        return found

    def wiki_url(self, slug: str, lang: str) -> str:
        """The URL of an article on the wiki: ``site_url`` with ``{lang}`` and ``{slug}``
        filled in when it has them, else ``<site_url>/<lang>/<slug>``; ``""`` without one.

        Examples
        --------
        >>> G = nx.DiGraph()
        >>> SiteContext(G, site_url="https://investors.wiki/").wiki_url("lease", "sv")
        'https://investors.wiki/sv/lease'
        >>> SiteContext(G, site_url="https://w.example/{lang}/wiki/{slug}").wiki_url("a b", "fi")
        'https://w.example/fi/wiki/a%20b'
        """
        from urllib.parse import quote

        if not self.site_url:
            return ""
        if "{slug}" in self.site_url:
            return self.site_url.replace("{lang}", quote(lang)).replace("{slug}", quote(slug))
        return f"{self.site_url.rstrip('/')}/{quote(lang)}/{quote(slug)}"

    def data(self, node: str) -> dict[str, Any]:
        """The node's attributes."""
        return self.G.nodes[node]
