"""The concept graph → RDF: SKOS concepts as Turtle, N-Triples and JSON-LD.

The triples are made as text (N-Triples terms) by :class:`RdfItems`, one node at a time,
and rendered per format; pyoxigraph only checks IRIs and language tags.

The model (``<base>`` is the base IRI of the build, :data:`DEFAULT_BASE_IRI` unless
``kg build --base-iri`` says otherwise; ``kgv:`` is the project's vocabulary,
:data:`VOCAB`, published as ``kg/vocab.ttl``)::

    <base>scheme  a skos:ConceptScheme ; rdfs:label "Concepts" ; kgv:baseIri "<base>" ;
                  dct:language "en", "sv" .
    <base>keywords a skos:ConceptScheme ; rdfs:label "Keywords" .

    concept:backoffice  a skos:Concept ;
        skos:inScheme <base>scheme ; skos:topConceptOf <base>scheme ;
        dct:identifier "backoffice" ;                 # the node id (the slug)
        rdfs:label "back office" ;                    # the display label (graph's label)
        skos:prefLabel "back office"@en, "back office"@sv ;     # one per language
        skos:definition "The back office is …"@en, "Backoffice är …"@sv ;
        skos:hiddenLabel "Back Office"@en ;           # anchors differing from every prefLabel
        dct:subject keyword:investing ;
        skos:related concept:frontoffice ;            # both ways for every link, never itself
        kgv:linksTo concept:frontoffice ;             # the directed link
        kgv:externalLink <https://example.com/> .
    link:backoffice/frontoffice  a kgv:Link ;          # the link qualified: its weight
        kgv:source concept:backoffice ; kgv:target concept:frontoffice ;
        kgv:weight 2 ; kgv:anchor "front office" ; dct:language "en", "sv" .
    concept:cpa  a skos:Concept ; … ; dct:identifier "cpa" ; kgv:missing true ;
        rdfs:label "CPA:er" ; skos:hiddenLabel "CPA:er"@sv .     # no article: no prefLabel
    keyword:investing  a skos:Concept ; skos:inScheme <base>keywords ;
        skos:topConceptOf <base>keywords ; dct:identifier "keyword:Investing" ;
        rdfs:label "Investing" ; skos:prefLabel "Investing" .

IRIs: ``<base>concept/<slug>``, ``<base>keyword/<slug of keyword>`` (lower case,
runs of anything but letters and digits → ``-``; a clash gets ``-2``, ``-3`` in
sorted order) and ``<base>link/<source>/<target>``. A slug is kept as it is where
it is IRI-safe (letters of any script, digits, ``-._~``) and percent-encoded
elsewhere (``a"b}{c`` → ``a%22b%7D%7Bc``, ``%`` → ``%25``), and a final ``.`` is
encoded too (``%2E``) so that no Turtle reader trips on a name ending in a dot.

Every concept is a top concept of its scheme (there is no hierarchy) and says so
itself with ``skos:topConceptOf``; the inverse ``skos:hasTopConcept`` is left to
inference, so that the scheme is not one Turtle line listing every concept (which
would change with every added article and spoil diffs).

The link weight is modelled by a *qualified link* node (an IRI, not a blank node,
so output is deterministic and links can be looked up), next to the plain
``kgv:linksTo`` triple that property paths use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import BadInput, InvalidArgument
from kg.formats.pieces import Layout, generate, write_layout

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

DEFAULT_BASE_IRI = "http://example.org/kg/"
"""The base IRI of a build when ``--base-iri`` is not given (example.org: yours to replace)."""

VOCAB = "https://w3id.org/kg/vocab#"
"""The namespace of the project's vocabulary (prefix ``kgv``), described in ``kg/vocab.ttl``."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"

PREFIXES: dict[str, str] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dct": DCT,
    "kgv": VOCAB,
}
"""The fixed prefixes of every export and query; :func:`prefixes` adds the base-dependent ones."""

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
"""``rdf_bytes`` format names → pyoxigraph formats."""

_N = ox.NamedNode
_TYPE = f"<{RDF}type>"
_TYPE_KEY = "<\x00type>"  # sorts before every IRI: rdf:type first per subject; replaced after
_LABEL = f"<{RDFS}label>"
_CONCEPT = f"<{SKOS}Concept>"
_SCHEME = f"<{SKOS}ConceptScheme>"
_IN_SCHEME = f"<{SKOS}inScheme>"
_TOP_OF = f"<{SKOS}topConceptOf>"
_PREF = f"<{SKOS}prefLabel>"
_HIDDEN = f"<{SKOS}hiddenLabel>"
_DEFINITION = f"<{SKOS}definition>"
_RELATED = f"<{SKOS}related>"
_IDENTIFIER = f"<{DCT}identifier>"
_SUBJECT = f"<{DCT}subject>"
_LANGUAGE = f"<{DCT}language>"
_LINKS_TO = f"<{VOCAB}linksTo>"
_LINK = f"<{VOCAB}Link>"
_SOURCE = f"<{VOCAB}source>"
_TARGET = f"<{VOCAB}target>"
_WEIGHT = f"<{VOCAB}weight>"
_ANCHOR = f"<{VOCAB}anchor>"
_MISSING = f"<{VOCAB}missing>"
_EXTERNAL = f"<{VOCAB}externalLink>"
_BASE_IRI = f"<{VOCAB}baseIri>"
_INTEGER = f"<{XSD}integer>"
_TRUE = f'"true"^^<{XSD}boolean>'
_NEEDS_ESCAPE = re.compile(r'["\\\n\r]')
_UNESCAPE = re.compile(r'\\(["\\nr])')
_UNESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r"}
_JSON_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f]")  # LF, CR: escaped alike
_dumps = json.JSONEncoder(ensure_ascii=False).encode
_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?")
_ESCAPES = str.maketrans({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r"})

_SCHEME_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_ALNUM = re.compile(r"[^\w]|_", re.UNICODE)
_DASHES = re.compile(r"-{2,}")
_IRI_SAFE = re.compile(r"[A-Za-z0-9\-_~]([A-Za-z0-9\-._~]*[A-Za-z0-9\-_~])?")


def prefixes(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """All prefixes of a build: :data:`PREFIXES` plus ``concept``, ``keyword``, ``link``, ``base``.

    Examples
    --------
    >>> prefixes("http://example.org/kg/")["concept"]
    'http://example.org/kg/concept/'
    """
    return {
        **PREFIXES,
        "concept": base_iri + "concept/",
        "keyword": base_iri + "keyword/",
        "link": base_iri + "link/",
        "base": base_iri,
    }


def check_base_iri(base_iri: str) -> str:
    """Return ``base_iri`` if it is an absolute IRI ending in ``/``, ``#`` or ``:``; raise
    :class:`~kg.errors.InvalidArgument` otherwise.

    Examples
    --------
    >>> check_base_iri("https://investors.wiki/kg/")
    'https://investors.wiki/kg/'
    """
    try:
        _N(base_iri)
    except ValueError as exc:
        raise InvalidArgument("base_iri", f"{base_iri!r} is not an absolute IRI: {exc}") from None
    if not base_iri.endswith(("/", "#", ":")):
        raise InvalidArgument("base_iri", f"{base_iri!r} must end with '/', '#' or ':'")
    return base_iri


def encode_slug(slug: str) -> str:
    """Percent-encode the characters of ``slug`` that are not IRI-safe in a path segment.

    Letters and digits of any script and ``-._~`` stay; anything else is UTF-8
    percent-encoded (``%`` too, so the mapping is one-to-one), and so is a final ``.``.

    Examples
    --------
    >>> encode_slug('a"b}{c')
    'a%22b%7D%7Bc'
    >>> encode_slug("down_payment"), encode_slug("ränta"), encode_slug("inc.")
    ('down_payment', 'ränta', 'inc%2E')
    """
    if _IRI_SAFE.fullmatch(slug):
        return slug
    out = []
    for ch in slug:
        keep = (ch.isalnum() or ch in "-._~") if ch.isascii() else _ucschar(ord(ch))
        out.append(ch if keep else "".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    if out and out[-1] == ".":
        out[-1] = "%2E"
    if slug in (".", ".."):
        out = ["%2E"] * len(slug)
    return "".join(out)


def keyword_slug(keyword: str) -> str:
    """The slug of a keyword: lower case, runs of non-alphanumerics → ``-``, trimmed.

    Examples
    --------
    >>> keyword_slug("Stock Brokers"), keyword_slug("M&A"), keyword_slug("Räntor & Lån")
    ('stock-brokers', 'm-a', 'räntor-lån')
    """
    slug = _DASHES.sub("-", _NOT_ALNUM.sub("-", keyword.lower())).strip("-")
    return encode_slug(slug or "keyword")


def keyword_iris(G: nx.DiGraph, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """Keyword node id → IRI, clashing slugs numbered ``-2``, ``-3`` in sorted order.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph(); G.add_node("keyword:Stock Brokers", kind="keyword", label="Stock Brokers")
    >>> keyword_iris(G)
    {'keyword:Stock Brokers': 'http://example.org/kg/keyword/stock-brokers'}
    """
    taken: set[str] = set()
    iris = {}
    for node in sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "keyword"):
        base = keyword_slug(str(G.nodes[node].get("label") or node.partition(":")[2]))
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        iris[node] = f"{base_iri}keyword/{slug}"
    return iris


Subject = tuple[str, list[str]]
"""One subject of the RDF: its term (``<iri>``) and its sorted ``"predicate object"`` pairs,
N-Triples terms both, ``rdf:type`` first."""

Packed = tuple[str, str]
"""A :data:`Subject` with its pairs in one string, a line each (no N-Triples term holds a
line break): what :class:`RdfItems` gives, a tenth of the objects."""


SCHEME_ITEM = "\x00scheme"
KEYWORDS_ITEM = "\x00keywords"
"""The items of :class:`RdfItems` that are no node: the two concept schemes."""


class RdfItems:
    """The SKOS triples of a graph, item by item: what each node says, made once.

    An item is a node id (or one of the two schemes). Its triples fall in two sorted
    runs of the file: the node's own subject (a concept or a keyword), and the qualified
    links a concept starts (``<base>link/<source>/<target>``, which sort after every
    concept and keyword). :meth:`order` gives the items of each run in file order, so
    that a writer can copy the pieces of the nodes that did not change (``kg.formats.pieces``).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> items = RdfItems(G)
    >>> own, links = items.subjects("lease")
    >>> own[0][0], links[0][0]
    ('<http://example.org/kg/concept/lease>', '<http://example.org/kg/link/lease/cpa>')
    """

    def __init__(self, G: nx.DiGraph, base_iri: str | None = None) -> None:
        self.G = G
        self.base = base = check_base_iri(base_iri or G.graph.get("base_iri") or DEFAULT_BASE_IRI)
        self.scheme, self.kw_scheme = f"<{base}scheme>", f"<{base}keywords>"
        nodes = G.nodes
        self.slugs = {n: encode_slug(n) for n, d in nodes.items() if d.get("kind") == "concept"}
        self.iris = {n: f"<{base}concept/{slug}>" for n, slug in self.slugs.items()}
        self.kw_iris = {k: f"<{v}>" for k, v in keyword_iris(G, base).items()}
        self.tags: dict[str, str] = {}
        self._last: tuple[str, tuple[list[Packed], list[Packed]]] | None = None

    @property
    def context(self) -> str:
        """What every item's triples depend on besides its node: the IRIs minted."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(self.base.encode())
        for node, iri in self.kw_iris.items():
            digest.update(f"{node}\0{iri}\n".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def order(self) -> list[list[str]]:
        """The items of each run, in file order: nodes and keywords, then links."""
        base = self.base
        own = {**self.iris, **self.kw_iris}
        if self.kw_iris:
            own[KEYWORDS_ITEM] = self.kw_scheme
        links = {n: f"<{base}link/{slug}/" for n, slug in self.slugs.items()}
        links[SCHEME_ITEM] = self.scheme
        return [sorted(own, key=own.__getitem__), sorted(links, key=links.__getitem__)]

    def subjects(self, item: str) -> tuple[list[Packed], list[Packed]]:
        """The subjects of ``item`` in each run, each with its sorted pairs (packed); the last
        item's are kept, for the other formats written in the same pass."""
        last = self._last
        if last is not None and last[0] == item:
            return last[1]
        own, links = self._make(item)
        made = (_sorted_pairs(own), _sorted_pairs(links))
        self._last = (item, made)
        return made

    def _make(self, item: str) -> tuple[list[Subject], list[Subject]]:
        G, iris, kw_iris = self.G, self.iris, self.kw_iris
        if item == SCHEME_ITEM:
            pairs = [f"{_TYPE_KEY} {_SCHEME}", f"{_LABEL} {_lit('Concepts')}"]
            pairs.append(f"{_BASE_IRI} {_lit(self.base)}")
            pairs += [f"{_LANGUAGE} {_lit(lang)}" for lang in G.graph.get("languages") or []]
            return [], [(self.scheme, pairs)]
        if item == KEYWORDS_ITEM:
            pairs = [f"{_TYPE_KEY} {_SCHEME}", f"{_LABEL} {_lit('Keywords')}"]
            return [(self.kw_scheme, pairs)], []
        if item in kw_iris:
            label = _lit(str(G.nodes[item].get("label") or item.partition(":")[2]))
            pairs = [
                f"{_TYPE_KEY} {_CONCEPT}",
                f"{_IN_SCHEME} {self.kw_scheme}",
                f"{_TOP_OF} {self.kw_scheme}",
                f"{_IDENTIFIER} {_lit(item)}",
                f"{_LABEL} {label}",
                f"{_PREF} {label}",
            ]
            return [(kw_iris[item], pairs)], []
        iri = iris[item]
        pairs = _concept_pairs(item, G.nodes[item], self.scheme, self.tags)
        links = []
        for v, d in G.succ[item].items():
            kind = d.get("kind")
            if kind == "keyword" and v in kw_iris:
                pairs.append(f"{_SUBJECT} {kw_iris[v]}")
            elif kind == "link" and v in iris:
                o = iris[v]
                pairs.append(f"{_LINKS_TO} {o}")
                if v != item:
                    pairs.append(f"{_RELATED} {o}")
                links.append(_link_subject(self.base, self.slugs[item], self.slugs[v], iri, o, d))
        for w, d in G.pred[item].items():
            if w != item and w in iris and d.get("kind") == "link":
                pairs.append(f"{_RELATED} {iris[w]}")
        links.sort(key=_first)
        return [(iri, pairs)], links

    def layout(self, fmt: str) -> Layout:
        """The file of ``fmt`` (``"nt"``, ``"ttl"``, ``"jsonld"``) as pieces per node."""
        pre = prefixes(self.base)
        one = {"nt": _nt_text, "ttl": _turtle_text(pre), "jsonld": _jsonld_text}[fmt]

        def render(item: str) -> tuple[str, str]:
            own, links = self.subjects(item)
            return one(own), one(links)

        order = self.order()
        sep = JSONLD_SEP if fmt == "jsonld" else ""
        return Layout(
            head={"ttl": _turtle_head(pre), "jsonld": JSONLD_HEAD}.get(fmt, ""),
            sections=[(sep, order[0]), (sep, order[1])],
            between=[sep if order[0] else "", ""],
            foot=JSONLD_FOOT if fmt == "jsonld" else "",
            render=render,
            context=self.context,
            fresh=frozenset({SCHEME_ITEM, KEYWORDS_ITEM}),
        )


def layout(G: nx.DiGraph, fmt: str, items: RdfItems | None = None) -> Layout:
    """The file of ``fmt`` (``"ttl"``, ``"nt"``, ``"jsonld"``) as pieces per node
    (:mod:`kg.formats.pieces`); ``items`` shares one :class:`RdfItems` between formats.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> layout(G, "nt").sections[0][1]
    ['cpa', 'lease']
    """
    if fmt not in FORMATS:
        raise InvalidArgument(
            "fmt", f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}", prefix=False
        )
    return (items if items is not None else RdfItems(G)).layout(fmt)


def generate_turtle(G: nx.DiGraph, base_iri: str | None = None) -> Iterator[str]:
    """The Turtle of ``G`` (:func:`write_turtle`), piece by piece."""
    return generate(RdfItems(G, base_iri).layout("ttl"))


def generate_ntriples(G: nx.DiGraph, base_iri: str | None = None) -> Iterator[str]:
    """The N-Triples of ``G`` (:func:`write_ntriples`), piece by piece."""
    return generate(RdfItems(G, base_iri).layout("nt"))


def generate_jsonld(G: nx.DiGraph, base_iri: str | None = None) -> Iterator[str]:
    """The JSON-LD of ``G`` (:func:`write_jsonld`), piece by piece."""
    return generate(RdfItems(G, base_iri).layout("jsonld"))


def write_turtle(G: nx.DiGraph, path: str | os.PathLike, base_iri: str | None = None) -> Path:
    """Write the SKOS of ``G`` as Turtle (``graph.ttl``): kg's prefixes, one block a subject.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as :func:`kg.build_graph` makes it.
    path : path
        The file to write (atomically: a temporary file, then a rename).
    base_iri : str, optional
        Prefix of every IRI minted; default ``G.graph["base_iri"]`` if set, else
        :data:`DEFAULT_BASE_IRI`.

    Examples
    --------
    >>> import kg, tempfile, pathlib
    >>> G = kg.load("articles")
    >>> out = write_turtle(G, pathlib.Path(tempfile.mkdtemp()) / "graph.ttl")
    >>> out.read_text().splitlines()[0]
    '@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .'
    """
    return write_layout(path, RdfItems(G, base_iri).layout("ttl"))


def write_ntriples(G: nx.DiGraph, path: str | os.PathLike, base_iri: str | None = None) -> Path:
    """Write the SKOS of ``G`` as N-Triples (``graph.nt``), each subject's triples together
    with ``rdf:type`` first: the bulk-load format of every triple store.

    Examples
    --------
    >>> import kg, tempfile, pathlib
    >>> G = kg.load("articles")
    >>> out = write_ntriples(G, pathlib.Path(tempfile.mkdtemp()) / "graph.nt")
    >>> out.read_text().count("\\n") == len(to_rdf_triples(G))
    True
    """
    return write_layout(path, RdfItems(G, base_iri).layout("nt"))


def write_jsonld(G: nx.DiGraph, path: str | os.PathLike, base_iri: str | None = None) -> Path:
    """Write the SKOS of ``G`` as expanded JSON-LD (``graph.jsonld``), one subject a line.

    Examples
    --------
    >>> import json, kg, tempfile, pathlib
    >>> G = kg.load("articles")
    >>> out = write_jsonld(G, pathlib.Path(tempfile.mkdtemp()) / "graph.jsonld")
    >>> json.loads(out.read_text())[0]["@id"]
    'http://example.org/kg/concept/backoffice'
    """
    return write_layout(path, RdfItems(G, base_iri).layout("jsonld"))


def ntriples(G: nx.DiGraph, base_iri: str | None = None) -> str:
    """The SKOS triples of the concept graph ``G`` as N-Triples text (:func:`write_ntriples`).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> print(next(line for line in ntriples(G).splitlines() if "missing" in line))
    ... # doctest: +ELLIPSIS
    <http://example.org/kg/concept/cpa> <https://w3id.org/kg/vocab#missing> "true"^^<...> .
    """
    return "".join(generate_ntriples(G, base_iri))


def to_rdf_triples(G: nx.DiGraph, base_iri: str | None = None) -> list[ox.Triple]:
    """The SKOS triples of ``G`` as pyoxigraph triples, in :func:`ntriples` order.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> triples = to_rdf_triples(G)
    >>> [t.subject.value for t in triples if t.predicate.value == VOCAB + "missing"]
    ['http://example.org/kg/concept/cpa']
    """
    return list(ox.parse(ntriples(G, base_iri).encode(), format=ox.RdfFormat.N_TRIPLES))


def rdf_bytes(G: nx.DiGraph, fmt: str, base_iri: str | None = None) -> bytes:
    """The SKOS triples of ``G`` as ``fmt``: ``"ttl"``, ``"nt"`` or ``"jsonld"``, the bytes
    :func:`write_turtle`, :func:`write_ntriples` and :func:`write_jsonld` write.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> print(rdf_bytes(G, "ttl").decode().splitlines()[0])
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    """
    if fmt not in FORMATS:
        raise InvalidArgument(
            "fmt", f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}", prefix=False
        )
    return "".join(generate(RdfItems(G, base_iri).layout(fmt))).encode()


JSONLD_HEAD, JSONLD_FOOT, JSONLD_SEP = "[\n", "\n]\n", ",\n"
"""How JSON-LD's subjects are put together: an array, one subject a line."""


# --- helpers -----------------------------------------------------------------------------


def _concept_pairs(node: str, data: dict[str, Any], scheme: str, tags: dict[str, str]) -> list[str]:
    pairs = [
        f"{_TYPE_KEY} {_CONCEPT}",
        f"{_IN_SCHEME} {scheme}",
        f"{_TOP_OF} {scheme}",
        f"{_IDENTIFIER} {_lit(node)}",
        f"{_LABEL} {_lit(str(data.get('label') or node))}",
    ]
    if not data.get("exists", True):
        pairs.append(f"{_MISSING} {_TRUE}")
    pref_values = set()
    for lang, title in sorted((data.get("labels") or {}).items()):
        if title:
            pairs.append(f"{_PREF} {_lit(title)}@{_tag(lang, tags)}")
            pref_values.add(title)
    for lang, text in sorted((data.get("descriptions") or {}).items()):
        if text:
            pairs.append(f"{_DEFINITION} {_lit(text)}@{_tag(lang, tags)}")
    for lang, anchors in sorted((data.get("alt_labels") or {}).items()):
        for anchor in anchors:
            if anchor.strip() and anchor not in pref_values:
                pairs.append(f"{_HIDDEN} {_lit(anchor)}@{_tag(lang, tags)}")
    for url in data.get("external_links") or []:
        if isinstance(url, str) and _SCHEME_IRI.match(url):
            with contextlib.suppress(ValueError):  # not an IRI: skipped (the node keeps it)
                pairs.append(f"{_EXTERNAL} {_N(url)}")
    return pairs


def _link_subject(
    base: str, source_slug: str, target_slug: str, s: str, o: str, data: dict[str, Any]
) -> Subject:
    """The qualified link ``<base>link/<source>/<target>``: its ends, weight, anchors, langs."""
    pairs = [
        f"{_TYPE_KEY} {_LINK}",
        f"{_SOURCE} {s}",
        f"{_TARGET} {o}",
        f'{_WEIGHT} "{int(data.get("weight") or 1)}"^^{_INTEGER}',
    ]
    pairs += [f"{_ANCHOR} {_lit(a)}" for a in data.get("anchors") or [] if a.strip()]
    pairs += [f"{_LANGUAGE} {_lit(lang)}" for lang in data.get("langs") or []]
    return f"<{base}link/{source_slug}/{target_slug}>", pairs


def _first(subject: Subject) -> str:
    return subject[0]


def _sorted_pairs(subjects: list[Subject]) -> list[Packed]:
    """Each subject's pairs unique, sorted and packed; its one type pair (first) made
    ``rdf:type``."""
    out = []
    for s, pairs in subjects:
        ordered = sorted(set(pairs))
        if ordered and ordered[0].startswith(_TYPE_KEY):
            ordered[0] = _TYPE + ordered[0][len(_TYPE_KEY) :]
        out.append((s, "\n".join(ordered)))
    return out


def _nt_text(subjects: list[Packed]) -> str:
    return "".join(f"{s} {pairs.replace(_NL, f' .{_NL}{s} ')} .\n" for s, pairs in subjects)


_NL = "\n"


def _turtle_head(pre: dict[str, str]) -> str:
    return "".join(f"@prefix {k}: <{v}> .\n" for k, v in pre.items())


def _turtle_text(pre: dict[str, str]) -> Callable[[list[Packed]], str]:
    """The Turtle renderer for the prefixes ``pre``: one block per subject, the objects of
    a predicate joined, names shortened by the prefixes where Turtle allows it.

    Each IRI is shortened once (a dict remembers it); literals take Turtle's short forms
    (``true``, ``42``) and are otherwise N-Triples text, which Turtle reads as it is.
    """
    names = sorted(((iri, name) for name, iri in pre.items()), key=lambda p: -len(p[0]))
    short: dict[str, str] = {}
    verbs: dict[str, str] = {}
    integer_tail, cut = f"^^{_INTEGER}", len(_INTEGER) + 3

    def text(subjects: list[Packed]) -> str:
        out = []
        for s, pairs in subjects:
            subject = short.get(s)
            if subject is None:
                subject = short[s] = _prefixed(s, names)
            block = [subject]
            last = ""
            for pair in pairs.split("\n"):
                p, _, o = pair.partition(" ")
                if o[0] == "<":
                    term = short.get(o)
                    if term is None:
                        term = short[o] = _prefixed(o, names)
                elif o == _TRUE:
                    term = "true"
                elif o.endswith(integer_tail):
                    term = o[1:-cut]
                else:
                    term = o
                if p == last:
                    block.append(" , " + term)
                else:
                    verb = verbs.get(p)
                    if verb is None:
                        verb = verbs[p] = "a" if p == _TYPE else _prefixed(p, names)
                    block.append((" " if not last else " ;\n\t") + verb + " " + term)
                    last = p
            block.append(" .\n")
            out.append("".join(block))
        return "".join(out)

    return text


def _prefixed(iri: str, names: list[tuple[str, str]]) -> str:
    """``<iri>`` as ``prefix:local`` when a prefix covers it and the rest is a safe local name."""
    inner = iri[1:-1]
    for namespace, name in names:
        if inner.startswith(namespace):
            local = inner[len(namespace) :]
            if _PN_LOCAL.fullmatch(local):
                return f"{name}:{local}"
            break
    return iri


def _jsonld_text(subjects: list[Packed]) -> str:
    """Expanded JSON-LD node objects, one subject a line, joined by :data:`JSONLD_SEP`.

    Written as text: N-Triples escapes a literal's ``"``, ``\\``, LF and CR as JSON does,
    so a literal's text goes over as it is unless it holds another control character.
    """
    lines = []
    for s, pairs in subjects:
        parts = [f'{{"@id":"{s[1:-1]}"']
        last = ""
        for pair in pairs.split("\n"):
            p, o = pair.split(" ", 1)
            if p != last:
                if last:
                    parts.append("]")
                parts.append(',"@type":[' if p == _TYPE else f',"{p[1:-1]}":[')
                last = p
            else:
                parts.append(",")
            parts.append(f'"{o[1:-1]}"' if p == _TYPE else _json_object(o))
        lines.append("".join(parts) + "]}")
    return JSONLD_SEP.join(lines)


def _json_object(term: str) -> str:
    """An N-Triples object term as JSON-LD text: a node reference or a value object."""
    if term[0] == "<":
        return f'{{"@id":"{term[1:-1]}"}}'
    end = term.rindex('"')
    value = term[1:end]
    if _JSON_CONTROL.search(value):
        value = _dumps(_UNESCAPE.sub(_unescape, value))[1:-1]
    rest = term[end + 1 :]
    if rest.startswith("@"):
        return f'{{"@value":"{value}","@language":"{rest[1:]}"}}'
    if rest.startswith("^^"):
        return f'{{"@value":"{value}","@type":"{rest[3:-1]}"}}'
    return f'{{"@value":"{value}"}}'


def _unescape(match: re.Match[str]) -> str:
    return _UNESCAPES[match.group(1)]


def _lit(text: str) -> str:
    """A plain N-Triples string literal (quoted, with its escapes)."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPES)
    return f'"{text}"'


def _tag(lang: str, checked: dict[str, str]) -> str:
    """The language tag, checked once; an invalid tag is a :class:`~kg.errors.BadInput`."""
    if lang not in checked:
        try:
            ox.Literal("", language=lang)
        except ValueError:
            raise BadInput(
                f"language {lang!r} is not a BCP 47 tag, which RDF needs: name language "
                "folders by code (sv/, en/) or give the language of a flat folder"
            ) from None
        checked[lang] = lang.lower()
    return checked[lang]


def _ucschar(c: int) -> bool:
    """RFC 3987 ``ucschar``: the non-ASCII code points an IRI may hold unencoded (not the
    tag characters U+E0000–E0FFF, which Oxigraph refuses).

    Examples
    --------
    >>> _ucschar(ord("ä")), _ucschar(0xE0000), _ucschar(0xE1000)
    (True, False, True)
    """
    if c < 0xA0 or 0xD800 <= c <= 0xF8FF or 0xE0000 <= c <= 0xE0FFF:
        return False
    if c <= 0xD7FF or 0xF900 <= c <= 0xFDCF or 0xFDF0 <= c <= 0xFFEF:
        return True
    return 0x10000 <= c <= 0xEFFFD and (c & 0xFFFF) <= 0xFFFD
