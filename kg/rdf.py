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


def ntriples(G: nx.DiGraph, base_iri: str | None = None) -> str:
    """The SKOS triples of the concept graph ``G`` as sorted N-Triples text.

    This is the one place the RDF is made; the other formats are converted from it by
    pyoxigraph. Lines are written as text (no per-triple objects) and sorted, with each
    subject's ``rdf:type`` first, so the same graph always gives the same bytes.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as :func:`kg.build_graph` makes it.
    base_iri : str, optional
        Prefix of every IRI minted; default ``G.graph["base_iri"]`` if set, else
        :data:`DEFAULT_BASE_IRI`.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# lease\\nSee [CPA](/cpa).", slug="lease", lang="en")])
    >>> print(next(line for line in ntriples(G).splitlines() if "missing" in line))
    ... # doctest: +ELLIPSIS
    <http://example.org/kg/concept/cpa> <https://w3id.org/kg/vocab#missing> "true"^^<...> .
    """
    base = check_base_iri(base_iri or G.graph.get("base_iri") or DEFAULT_BASE_IRI)
    lines: set[str] = set()
    add = lines.add
    scheme, kw_scheme = f"<{base}scheme>", f"<{base}keywords>"
    iris: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") == "concept":
            slugs[node] = encode_slug(node)
            iris[node] = f"<{base}concept/{slugs[node]}>"
    kw_iris = {k: f"<{v}>" for k, v in keyword_iris(G, base).items()}

    add(f"{scheme} {_TYPE_KEY} {_SCHEME} .")
    add(f"{scheme} {_LABEL} {_lit('Concepts')} .")
    add(f"{scheme} {_BASE_IRI} {_lit(base)} .")
    for lang in G.graph.get("languages") or []:
        add(f"{scheme} {_LANGUAGE} {_lit(lang)} .")
    if kw_iris:
        add(f"{kw_scheme} {_TYPE_KEY} {_SCHEME} .")
        add(f"{kw_scheme} {_LABEL} {_lit('Keywords')} .")

    tags: dict[str, str] = {}
    for node, iri in iris.items():
        _concept_lines(add, iri, node, G.nodes[node], scheme, tags)
    for node, iri in kw_iris.items():
        label = _lit(str(G.nodes[node].get("label") or node.partition(":")[2]))
        add(f"{iri} {_TYPE_KEY} {_CONCEPT} .")
        add(f"{iri} {_IN_SCHEME} {kw_scheme} .")
        add(f"{iri} {_TOP_OF} {kw_scheme} .")
        add(f"{iri} {_IDENTIFIER} {_lit(node)} .")
        add(f"{iri} {_LABEL} {label} .")
        add(f"{iri} {_PREF} {label} .")

    for u, v, data in G.edges(data=True):
        kind = data.get("kind")
        if kind == "keyword" and u in iris and v in kw_iris:
            add(f"{iris[u]} {_SUBJECT} {kw_iris[v]} .")
        elif kind == "link" and u in iris and v in iris:
            s, o = iris[u], iris[v]
            add(f"{s} {_LINKS_TO} {o} .")
            if u != v:
                add(f"{s} {_RELATED} {o} .")
                add(f"{o} {_RELATED} {s} .")
            link = f"<{base}link/{slugs[u]}/{slugs[v]}>"
            weight = int(data.get("weight") or 1)
            add(f"{link} {_TYPE_KEY} {_LINK} .")
            add(f"{link} {_SOURCE} {s} .")
            add(f"{link} {_TARGET} {o} .")
            add(f'{link} {_WEIGHT} "{weight}"^^{_INTEGER} .')
            for anchor in data.get("anchors") or []:
                if anchor.strip():
                    add(f"{link} {_ANCHOR} {_lit(anchor)} .")
            for lang in data.get("langs") or []:
                add(f"{link} {_LANGUAGE} {_lit(lang)} .")
    text = "\n".join(sorted(lines))
    return text.replace(_TYPE_KEY, _TYPE) + "\n" if text else ""


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
    return convert(ntriples(G, base).encode(), fmt, base)


def convert(nt: bytes, fmt: str, base_iri: str = DEFAULT_BASE_IRI) -> bytes:
    """N-Triples bytes (as :func:`ntriples` writes them) → ``fmt`` bytes, by pyoxigraph."""
    if fmt == "nt":
        return nt
    triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "ttl":
        pre = prefixes(base_iri)
        body = ox.serialize(triples, format=FORMATS[fmt], prefixes=pre)
        # the prefix lines in our order, whatever order the serializer keeps
        start = 0
        while body.startswith(b"@prefix", start):
            start = body.index(b"\n", start) + 1
        head = "".join(f"@prefix {k}: <{v}> .\n" for k, v in pre.items()).encode()
        return head + body[start:]
    return ox.serialize(triples, format=FORMATS[fmt])


# --- helpers -----------------------------------------------------------------------------


def _concept_lines(
    add: Any, iri: str, node: str, data: dict[str, Any], scheme: str, tags: dict[str, str]
) -> None:
    add(f"{iri} {_TYPE_KEY} {_CONCEPT} .")
    add(f"{iri} {_IN_SCHEME} {scheme} .")
    add(f"{iri} {_TOP_OF} {scheme} .")
    add(f"{iri} {_IDENTIFIER} {_lit(node)} .")
    add(f"{iri} {_LABEL} {_lit(str(data.get('label') or node))} .")
    if not data.get("exists", True):
        add(f"{iri} {_MISSING} {_TRUE} .")
    pref_values = set()
    for lang, title in sorted((data.get("labels") or {}).items()):
        if title:
            add(f"{iri} {_PREF} {_lit(title)}@{_tag(lang, tags)} .")
            pref_values.add(title)
    for lang, text in sorted((data.get("descriptions") or {}).items()):
        if text:
            add(f"{iri} {_DEFINITION} {_lit(text)}@{_tag(lang, tags)} .")
    for lang, anchors in sorted((data.get("alt_labels") or {}).items()):
        for anchor in anchors:
            if anchor.strip() and anchor not in pref_values:
                add(f"{iri} {_HIDDEN} {_lit(anchor)}@{_tag(lang, tags)} .")
    for url in data.get("external_links") or []:
        if isinstance(url, str) and _SCHEME_IRI.match(url):
            with contextlib.suppress(ValueError):  # not an IRI: skipped (the node keeps it)
                add(f"{iri} {_EXTERNAL} {_N(url)} .")


def _lit(text: str) -> str:
    """A plain N-Triples string literal (quoted, with its escapes)."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPES)
    return f'"{text}"'


def _tag(lang: str, checked: dict[str, str]) -> str:
    """The language tag, checked once; an invalid tag is a KgError naming it."""
    if lang not in checked:
        try:
            ox.Literal("", language=lang)
        except ValueError:
            raise KgError(
                f"language {lang!r} is not a BCP 47 tag, which RDF needs: name language "
                "folders by code (sv/, en/) or give --lang"
            ) from None
        checked[lang] = lang.lower()
    return checked[lang]


def _ucschar(c: int) -> bool:
    """RFC 3987 ``ucschar``: the non-ASCII code points an IRI may hold unencoded."""
    if c < 0xA0 or 0xD800 <= c <= 0xF8FF:
        return False
    if c <= 0xD7FF or 0xF900 <= c <= 0xFDCF or 0xFDF0 <= c <= 0xFFEF:
        return True
    return 0x10000 <= c <= 0xEFFFD and (c & 0xFFFF) <= 0xFFFD

