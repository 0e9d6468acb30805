"""The RDF/SKOS export: model, IRIs, determinism, parsers, SHACL shapes, vocabulary."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

import kg
from kg.articles import parse_article
from kg.errors import KgError
from kg.formats.rdf import (
    DEFAULT_BASE_IRI,
    PREFIXES,
    VOCAB,
    encode_slug,
    keyword_slug,
    rdf_bytes,
    to_rdf_triples,
)
from kg.graph import build_graph
from tests.corpora import SMALL_WIKI, article, write_articles

PKG = Path(kg.__file__).parent
SHAPES = PKG / "shapes" / "skos.ttl"
KGV = rdflib.Namespace(VOCAB)
C = rdflib.Namespace(DEFAULT_BASE_IRI + "concept/")
BASE = rdflib.Namespace(DEFAULT_BASE_IRI)

TRICKY = {
    **SMALL_WIKI,
    'en/a"b}{c.md': article(
        "quote brace",
        "Links to [lease](/lease) and to itself: [me](/a%22b%7D%7Bc).",
        keywords="M&A",
    ),
    "en/x' } ; DROP.md": article("drop table", "See [the quote](/a%22b%7D%7Bc).", keywords="M A"),
    "en/lease.md": article(
        "lease",
        "A [lease](/lease) contract; see [front office](/frontoffice), [ränta](/ränta), "
        "[Hyresavtal](/lease), [back office](/backoffice) and [Inc.](/inc.). "
        "More at <https://example.com/x> and [bad](<http://exa mple.com/a b>).",
        description="A contract.",
    ),
}


def graph_of(files: dict[str, str]) -> nx.DiGraph:
    """Parse ``{lang/slug.md: text}`` and build the graph (no files needed)."""
    arts = []
    for rel, text in files.items():
        lang, name = rel.split("/", 1)
        arts.append(parse_article(text, path=rel, slug=name[:-3], lang=lang))
    return build_graph(arts)


@pytest.fixture(scope="module")
def G() -> nx.DiGraph:
    return graph_of(TRICKY)


@pytest.fixture(scope="module")
def g(G: nx.DiGraph) -> rdflib.Graph:
    return rdflib.Graph().parse(data=rdf_bytes(G, "ttl"), format="turtle")


def shacl(graph: rdflib.Graph) -> tuple[bool, str]:
    shapes = rdflib.Graph().parse(SHAPES)
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes)
    return bool(conforms), text


# --- parsers and determinism -----------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_every_format_loads_in_rdflib_and_pyoxigraph_with_the_same_triples(G):
    nt = rdf_bytes(G, "nt")
    expected = {str(t) for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)}
    assert len(expected) == len(to_rdf_triples(G)) > 100
    for fmt, ox_fmt, rl_fmt in [
        ("ttl", ox.RdfFormat.TURTLE, "turtle"),
        ("jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
    ]:
        data = rdf_bytes(G, fmt)
        assert {str(t) for t in ox.parse(data, format=ox_fmt)} == expected
        assert len(rdflib.Graph().parse(data=data, format=rl_fmt)) == len(expected)
    assert len(rdflib.Graph().parse(data=nt, format="nt")) == len(expected)


def test_output_is_byte_identical_and_sorted(G):
    again = graph_of(dict(reversed(list(TRICKY.items()))))
    for fmt in ("ttl", "nt", "jsonld"):
        assert rdf_bytes(G, fmt) == rdf_bytes(again, fmt)
    lines = rdf_bytes(G, "nt").decode().splitlines()
    subjects = [line.split(" ", 1)[0] for line in lines]
    runs = [s for i, s in enumerate(subjects) if i == 0 or subjects[i - 1] != s]
    assert len(runs) == len(set(runs))  # each subject's triples stand together
    type_iri = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    for subject in runs:  # rdf:type first, then the rest in line order
        own = [line for line in lines if line.startswith(subject + " ")]
        typed = [line for line in own if line.split(" ", 2)[1] == type_iri]
        assert own == typed + sorted(set(own) - set(typed))


def test_turtle_declares_the_prefixes_in_a_fixed_order(G):
    head = rdf_bytes(G, "ttl").decode().splitlines()[: len(PREFIXES)]
    assert [line.split()[1] for line in head] == [f"{p}:" for p in PREFIXES]
    assert "concept:backoffice a skos:Concept" in rdf_bytes(G, "ttl").decode()


def test_unknown_format_is_a_clean_error(G):
    with pytest.raises(KgError, match="unknown RDF format"):
        rdf_bytes(G, "rdfxml")


# --- the SKOS model ----------------------------------------------------------------------


def test_a_concept_with_articles(g):
    bo = C.backoffice
    assert (bo, RDF.type, SKOS.Concept) in g
    assert (bo, SKOS.inScheme, BASE.scheme) in g
    assert (bo, SKOS.topConceptOf, BASE.scheme) in g
    assert (BASE.scheme, SKOS.hasTopConcept, bo) not in g  # the inverse: left to inference
    assert (bo, DCTERMS.identifier, rdflib.Literal("backoffice")) in g
    assert set(g.objects(bo, SKOS.prefLabel)) == {
        rdflib.Literal("back office", lang="sv"),
        rdflib.Literal("back office", lang="en"),
    }
    assert rdflib.Literal("Backoffice är administrationen.", lang="sv") in set(
        g.objects(bo, SKOS.definition)
    )
    subjects = {str(o) for o in g.objects(bo, DCTERMS.subject)}
    assert DEFAULT_BASE_IRI + "keyword/stock-brokers" in subjects and len(subjects) == 3
    assert (BASE.scheme, RDF.type, SKOS.ConceptScheme) in g
    assert (BASE.scheme, KGV.baseIri, rdflib.Literal(DEFAULT_BASE_IRI)) in g


def test_links_are_related_both_ways_and_directed_with_a_weighted_link_node(g):
    bo, fo, lease = C.backoffice, C.frontoffice, C.lease
    assert (bo, KGV.linksTo, lease) in g
    assert (lease, KGV.linksTo, bo) in g  # lease.md (en) links back with an odd target
    assert (bo, SKOS.related, lease) in g and (lease, SKOS.related, bo) in g
    assert (C.cpa, SKOS.related, bo) in g and (C.cpa, KGV.linksTo, bo) not in g
    link = BASE["link/backoffice/frontoffice"]
    assert (link, RDF.type, KGV.Link) in g
    assert (link, KGV.source, bo) in g and (link, KGV.target, fo) in g
    assert g.value(link, KGV.weight).toPython() == 2
    assert {str(a) for a in g.objects(link, KGV.anchor)} == {"front office"}
    assert {str(x) for x in g.objects(link, DCTERMS.language)} == {"en", "sv"}


def test_self_links_are_linksTo_but_never_related(G, g):
    assert G.has_edge("lease", "lease")
    assert (C.lease, KGV.linksTo, C.lease) in g
    assert (C.lease, SKOS.related, C.lease) not in g
    assert not [s for s, o in g.subject_objects(SKOS.related) if s == o]


def test_hidden_labels_are_anchors_that_differ_from_every_pref_label(g):
    hidden = set(g.objects(C.lease, SKOS.hiddenLabel))
    assert rdflib.Literal("Hyresavtal", lang="en") in hidden  # differs by case: kept
    # "lease"@en and "hyresavtal"@sv are prefLabels: not hidden in any language
    assert not {str(h) for h in hidden} & {"lease", "hyresavtal"}
    assert rdflib.Literal("CPA:er", lang="sv") in set(g.objects(C.cpa, SKOS.hiddenLabel))


def test_missing_concepts_are_flagged_and_have_no_pref_label(g):
    for slug in ("cpa", "middleoffice", "ränta"):
        iri = C[slug]
        assert (iri, KGV.missing, rdflib.Literal(True)) in g
        assert (iri, DCTERMS.identifier, rdflib.Literal(slug)) in g
        assert g.value(iri, SKOS.prefLabel) is None
        assert g.value(iri, RDFS.label) is not None
    assert g.value(C.backoffice, KGV.missing) is None


def test_keywords_are_concepts_of_their_own_scheme_and_clashing_slugs_are_numbered(g):
    keywords = set(g.subjects(SKOS.inScheme, BASE.keywords))
    assert (BASE.keywords, RDF.type, SKOS.ConceptScheme) in g
    labels = {str(g.value(k, SKOS.prefLabel)): str(k) for k in keywords}
    base = DEFAULT_BASE_IRI + "keyword/"
    assert labels["Investing"] == base + "investing"
    assert {labels["M A"], labels["M&A"]} == {base + "m-a", base + "m-a-2"}
    for k in keywords:
        assert (k, RDF.type, SKOS.Concept) in g
        assert len(list(g.objects(k, SKOS.prefLabel))) == 1


def test_external_links_that_are_iris_are_kept_others_skipped(g):
    links = {str(o) for o in g.objects(C.lease, KGV.externalLink)}
    assert "https://example.com/x" in links
    assert not any(" " in u for u in links)


# --- IRIs ---------------------------------------------------------------------------------


def test_slugs_are_percent_encoded_where_not_iri_safe(g):
    assert encode_slug('a"b}{c') == "a%22b%7D%7Bc"
    assert encode_slug("x' } ; DROP") == "x%27%20%7D%20%3B%20DROP"
    assert encode_slug("100%") == "100%25"
    assert encode_slug("down_payment") == "down_payment"
    assert encode_slug("ränta") == "ränta"
    assert encode_slug("inc.") == "inc%2E"
    assert (rdflib.URIRef(concept_iri("inc.")), KGV.missing, rdflib.Literal(True)) in g
    assert concept_iri('a"b}{c') == DEFAULT_BASE_IRI + "concept/a%22b%7D%7Bc"
    for slug in ('a"b}{c', "x' } ; DROP", "ränta"):
        iri = rdflib.URIRef(concept_iri(slug))
        assert (iri, DCTERMS.identifier, rdflib.Literal(slug)) in g


def test_keyword_slugs():
    assert keyword_slug("Stock Brokers") == "stock-brokers"
    assert keyword_slug("  M&A  ") == "m-a"
    assert keyword_slug("Räntor & Lån") == "räntor-lån"
    assert keyword_slug("***") == "keyword"


def test_base_iri_is_configurable_and_checked(G):
    nt = rdf_bytes(G, "nt", base_iri="https://investors.wiki/kg/").decode()
    assert "<https://investors.wiki/kg/concept/backoffice>" in nt
    assert DEFAULT_BASE_IRI not in nt
    with pytest.raises(KgError, match="must end with"):
        rdf_bytes(G, "nt", base_iri="https://investors.wiki/kg")
    with pytest.raises(KgError, match="not an absolute IRI"):
        rdf_bytes(G, "nt", base_iri="kg/")


def test_the_base_iri_defaults_to_the_graphs_own():
    G = graph_of({"en/a.md": article("a", "See [b](/b).")})
    G.graph["base_iri"] = "urn:kg:"
    assert "<urn:kg:concept/a>" in rdf_bytes(G, "nt").decode()


def test_an_invalid_language_tag_is_a_clean_error():
    G = graph_of({"en/a.md": article("a", "text")})
    G.nodes["a"]["labels"] = {"not a tag": "a"}
    with pytest.raises(KgError, match="BCP 47"):
        to_rdf_triples(G)


# --- SHACL --------------------------------------------------------------------------------


def test_the_export_passes_the_skos_shapes(g):
    conforms, text = shacl(g)
    assert conforms, text


def test_the_export_of_a_built_folder_passes_the_shapes(tmp_path):
    src = write_articles(tmp_path / "wiki", TRICKY)
    kg.build(src, tmp_path / "out", formats=["ttl"], jobs=1)
    conforms, text = shacl(rdflib.Graph().parse(tmp_path / "out" / "graph.ttl"))
    assert conforms, text


BREAKAGES = [
    ((C.lease, SKOS.prefLabel, rdflib.Literal("avtal", lang="sv")), "S14: more than one"),
    (
        (C.frontoffice, SKOS.hiddenLabel, rdflib.Literal("front office", lang="sv")),
        "S13: a label is both skos:prefLabel",
    ),
    ((C.backoffice, SKOS.altLabel, rdflib.Literal("Back Office", lang="en")), None),
    (
        (C.backoffice, SKOS.hiddenLabel, rdflib.Literal("Back Office", lang="en")),
        "S13: a label is both skos:altLabel",
    ),
    ((C.lease, SKOS.broader, C.frontoffice), "S27: skos:related"),
    ((C.cpa, SKOS.related, C.cpa), "related to itself"),
    ((BASE.scheme, RDF.type, SKOS.Concept), "NotConstraintComponent"),
    ((C.lease, DCTERMS.identifier, rdflib.Literal("lease2")), "exactly one dct:identifier"),
    ((BASE["link/backoffice/lease"], KGV.weight, rdflib.Literal(0)), "MinInclusive"),
]


def test_the_shapes_bite_on_a_broken_graph(g):
    """One graph broken in every way at once; each shape must report its own breakage."""
    broken = rdflib.Graph()
    for triple in g:
        broken.add(triple)
    conforms, _ = shacl(broken)
    assert conforms
    for triple, _ in BREAKAGES:
        broken.add(triple)
    conforms, text = shacl(broken)
    assert not conforms
    for triple, message in BREAKAGES:
        if message:
            assert message in text, (triple, text)


def test_two_untagged_pref_labels_break_s14(g):
    broken = rdflib.Graph()
    for triple in g:
        broken.add(triple)
    broken.add((BASE["keyword/investing"], SKOS.prefLabel, rdflib.Literal("Investering")))
    conforms, text = shacl(broken)
    assert not conforms and "without a language tag" in text


# --- the vocabulary -----------------------------------------------------------------------


def test_every_kgv_term_used_is_defined_in_vocab_ttl(g):
    vocab = rdflib.Graph().parse(PKG / "vocab.ttl")
    defined = {s for s in vocab.subjects(RDFS.label, None) if str(s).startswith(VOCAB)} - {
        rdflib.URIRef(VOCAB)
    }
    used = {
        t
        for triple in g
        for t in triple
        if isinstance(t, rdflib.URIRef) and str(t).startswith(VOCAB)
    }
    assert used and used <= defined, used - defined
    for term in defined:
        assert vocab.value(term, RDFS.comment) is not None
        assert vocab.value(term, RDFS.isDefinedBy) == rdflib.URIRef(VOCAB)
    assert vocab.value(KGV.weight, RDFS.range) == rdflib.XSD.integer
    assert vocab.value(KGV.linksTo, RDFS.domain) == SKOS.Concept


def concept_iri(slug: str) -> str:
    return f"{DEFAULT_BASE_IRI}concept/{encode_slug(slug)}"
