"""The concept graph → RDF: SKOS concepts, written by pyoxigraph.

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
import re
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KgError

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
_TYPE = _N(RDF + "type")
_LABEL = _N(RDFS + "label")
_CONCEPT = _N(SKOS + "Concept")
_SCHEME = _N(SKOS + "ConceptScheme")
_IN_SCHEME = _N(SKOS + "inScheme")
_TOP_OF = _N(SKOS + "topConceptOf")
_PREF = _N(SKOS + "prefLabel")
_HIDDEN = _N(SKOS + "hiddenLabel")
_DEFINITION = _N(SKOS + "definition")
_RELATED = _N(SKOS + "related")
_IDENTIFIER = _N(DCT + "identifier")
_SUBJECT = _N(DCT + "subject")
_LANGUAGE = _N(DCT + "language")
_LINKS_TO = _N(VOCAB + "linksTo")
_LINK = _N(VOCAB + "Link")
_SOURCE = _N(VOCAB + "source")
_TARGET = _N(VOCAB + "target")
_WEIGHT = _N(VOCAB + "weight")
_ANCHOR = _N(VOCAB + "anchor")
_MISSING = _N(VOCAB + "missing")
_EXTERNAL = _N(VOCAB + "externalLink")
_BASE_IRI = _N(VOCAB + "baseIri")
_INTEGER = _N(XSD + "integer")
_TRUE = ox.Literal("true", datatype=_N(XSD + "boolean"))

# rdf:type first, then the rest by IRI: Turtle then reads "x a skos:Concept ; …"
_PREDICATE_RANK = {RDF + "type": "0"}
_SCHEME_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_ALNUM = re.compile(r"[^\w]|_", re.UNICODE)
_DASHES = re.compile(r"-{2,}")


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
    """Return ``base_iri`` if it is an absolute IRI ending in ``/``, ``#`` or ``:``, else KgError.

    Examples
    --------
    >>> check_base_iri("https://investors.wiki/kg/")
    'https://investors.wiki/kg/'
    """
    try:
        _N(base_iri)
    except ValueError as exc:
        raise KgError(f"--base-iri {base_iri!r} is not an absolute IRI: {exc}") from None
    if not base_iri.endswith(("/", "#", ":")):
        raise KgError(f"--base-iri {base_iri!r} must end with '/', '#' or ':'")
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


def concept_iri(slug: str, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of the concept ``slug``.

    Examples
    --------
    >>> concept_iri("lease")
    'http://example.org/kg/concept/lease'
    """
    return f"{base_iri}concept/{encode_slug(slug)}"


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


def to_rdf_triples(G: nx.DiGraph, base_iri: str | None = None) -> list[ox.Triple]:
    """The SKOS triples of the concept graph ``G``, sorted (subject, predicate, object).

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as :func:`kg.build_graph` makes it.
    base_iri : str, optional
        Prefix of every IRI minted; default ``G.graph["base_iri"]`` if set, else
        :data:`DEFAULT_BASE_IRI`.

    Returns
    -------
    list of pyoxigraph.Triple
        The same list for the same graph (sorted; no blank nodes).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> triples = to_rdf_triples(G)
    >>> [t.subject.value for t in triples if t.predicate.value == VOCAB + "missing"]
    ['http://example.org/kg/concept/cpa']
    """
    base = check_base_iri(base_iri or G.graph.get("base_iri") or DEFAULT_BASE_IRI)
    scheme, kw_scheme = _N(base + "scheme"), _N(base + "keywords")
    triples: set[ox.Triple] = set()
    add = triples.add
    T = ox.Triple

    node_iris: dict[str, ox.NamedNode] = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") == "concept":
            node_iris[node] = _N(concept_iri(node, base))
    kw_iris = {k: _N(v) for k, v in keyword_iris(G, base).items()}

    add(T(scheme, _TYPE, _SCHEME))
    add(T(scheme, _LABEL, ox.Literal("Concepts")))
    add(T(scheme, _BASE_IRI, ox.Literal(base)))
    for lang in G.graph.get("languages") or []:
        add(T(scheme, _LANGUAGE, ox.Literal(lang)))
    if kw_iris:
        add(T(kw_scheme, _TYPE, _SCHEME))
        add(T(kw_scheme, _LABEL, ox.Literal("Keywords")))

    languages: dict[str, str] = {}
    for node, iri in node_iris.items():
        data = G.nodes[node]
        _concept_triples(add, iri, node, data, scheme, languages)
    for node, iri in kw_iris.items():
        label = str(G.nodes[node].get("label") or node.partition(":")[2])
        for triple in (
            T(iri, _TYPE, _CONCEPT), T(iri, _IN_SCHEME, kw_scheme), T(iri, _TOP_OF, kw_scheme),
            T(iri, _IDENTIFIER, ox.Literal(node)),
            T(iri, _LABEL, ox.Literal(label)), T(iri, _PREF, ox.Literal(label)),
        ):
            add(triple)

    for u, v, data in G.edges(data=True):
        kind = data.get("kind")
        if kind == "keyword" and u in node_iris and v in kw_iris:
            add(T(node_iris[u], _SUBJECT, kw_iris[v]))
        elif kind == "link" and u in node_iris and v in node_iris:
            s, o = node_iris[u], node_iris[v]
            add(T(s, _LINKS_TO, o))
            if u != v:
                add(T(s, _RELATED, o))
                add(T(o, _RELATED, s))
            link = _N(f"{base}link/{encode_slug(u)}/{encode_slug(v)}")
            add(T(link, _TYPE, _LINK))
            add(T(link, _SOURCE, s))
            add(T(link, _TARGET, o))
            add(T(link, _WEIGHT, ox.Literal(str(int(data.get("weight") or 1)), datatype=_INTEGER)))
            for anchor in data.get("anchors") or []:
                if anchor.strip():
                    add(T(link, _ANCHOR, ox.Literal(anchor)))
            for lang in data.get("langs") or []:
                add(T(link, _LANGUAGE, ox.Literal(lang)))
    return sorted(triples, key=_sort_key)


def rdf_bytes(G: nx.DiGraph, fmt: str, base_iri: str | None = None) -> bytes:
    """Serialize the SKOS triples of ``G`` as ``fmt``: ``"ttl"``, ``"nt"`` or ``"jsonld"``.

    Turtle carries the :func:`prefixes` of the build; N-Triples is canonical; JSON-LD
    is expanded (no context). The same graph gives byte-identical output.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> print(rdf_bytes(G, "ttl").decode().splitlines()[0])
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    """
    if fmt not in FORMATS:
        raise KgError(f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}")
    base = base_iri or G.graph.get("base_iri") or DEFAULT_BASE_IRI
    triples = to_rdf_triples(G, base)
    if fmt == "ttl":
        pre = prefixes(base)
        body = ox.serialize(triples, format=FORMATS[fmt], prefixes=pre)
        # the prefix lines in our order, whatever order the serializer keeps
        lines = body.split(b"\n")
        start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix")), 0)
        head = "".join(f"@prefix {k}: <{v}> .\n" for k, v in pre.items()).encode()
        return head + b"\n".join(lines[start:])
    return ox.serialize(triples, format=FORMATS[fmt])


# --- helpers -----------------------------------------------------------------------------


def _concept_triples(
    add: Any, iri: ox.NamedNode, node: str, data: dict[str, Any], scheme: ox.NamedNode,
    languages: dict[str, str],
) -> None:
    T = ox.Triple
    add(T(iri, _TYPE, _CONCEPT))
    add(T(iri, _IN_SCHEME, scheme))
    add(T(iri, _TOP_OF, scheme))
    add(T(iri, _IDENTIFIER, ox.Literal(node)))
    add(T(iri, _LABEL, ox.Literal(str(data.get("label") or node))))
    if not data.get("exists", True):
        add(T(iri, _MISSING, _TRUE))
    labels = data.get("labels") or {}
    pref_values = set()
    for lang, title in sorted(labels.items()):
        if title:
            add(T(iri, _PREF, _lang_literal(title, lang, languages)))
            pref_values.add(title)
    for lang, text in sorted((data.get("descriptions") or {}).items()):
        if text:
            add(T(iri, _DEFINITION, _lang_literal(text, lang, languages)))
    for lang, anchors in sorted((data.get("alt_labels") or {}).items()):
        for anchor in anchors:
            if anchor.strip() and anchor not in pref_values:
                add(T(iri, _HIDDEN, _lang_literal(anchor, lang, languages)))
    for url in data.get("external_links") or []:
        if isinstance(url, str) and _SCHEME_IRI.match(url):
            with contextlib.suppress(ValueError):  # not an IRI: skipped (the node keeps it)
                add(T(iri, _EXTERNAL, _N(url)))


def _lang_literal(text: str, lang: str, checked: dict[str, str]) -> ox.Literal:
    """A language-tagged literal; an invalid tag is a KgError naming it."""
    if lang not in checked:
        try:
            ox.Literal("", language=lang)
        except ValueError:
            raise KgError(
                f"language {lang!r} is not a BCP 47 tag, which RDF needs: name language "
                "folders by code (sv/, en/) or give --lang"
            ) from None
        checked[lang] = lang
    return ox.Literal(text, language=lang)


def _sort_key(t: ox.Triple) -> tuple[str, str, int, str, str, str]:
    o = t.object
    p = t.predicate.value
    if isinstance(o, ox.Literal):
        okey = (1, o.value, o.language or "", o.datatype.value)
    else:
        okey = (0, o.value, "", "")
    return (t.subject.value, _PREDICATE_RANK.get(p, "1") + p, *okey)


def _ucschar(c: int) -> bool:
    """RFC 3987 ``ucschar``: the non-ASCII code points an IRI may hold unencoded."""
    if c < 0xA0 or 0xD800 <= c <= 0xF8FF:
        return False
    if c <= 0xD7FF or 0xF900 <= c <= 0xFDCF or 0xFDF0 <= c <= 0xFFEF:
        return True
    return 0x10000 <= c <= 0xEFFFD and (c & 0xFFFF) <= 0xFFFD

