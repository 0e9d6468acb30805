"""SPARQL over a build: the store, kg.sparql on both engines, named queries, kg query."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.engine.store import start_store
from kg.errors import KgError
from kg.formats.rdf import DEFAULT_BASE_IRI
from kg.store import database as ks
from kg.store import named as nq
from kg.store import query as kq
from tests.corpora import SMALL_WIKI, article, run_cli, write_articles

QUOTE = 'a"b}{c'
DROP = "x' } ; DROP"
WIKI = {
    **SMALL_WIKI,
    'en/a"b}{c.md': article(
        "quote brace",
        "Links to [lease](/lease) and [the drop](</x' } ; DROP>).",
        keywords="Investing,Quotes",
    ),
    "en/x' } ; DROP.md": article(
        "drop table",
        "See [the quote](/a%22b%7D%7Bc).",
        keywords="Quotes",
        description="Little Bobby Tables.",
    ),
    "en/lease.md": article(
        "lease",
        "A [lease](/lease); see [front office](/frontoffice) and [Hyresavtal](/lease).",
        description="A contract.",
        keywords="Real Estate",
    ),
}

PARAMS = {
    "slug": ["lease", "backoffice", "frontoffice", QUOTE, DROP, "cpa", 'no"such}{slug'],
    "a": ["backoffice", QUOTE],
    "b": ["frontoffice", DROP],
    "keyword": ["Investing", "Quotes", '" } UNION { ?s ?p ?o } #'],
    "lang": ["en", "sv", "fi"],
    "text": ["office", "'", '"', "}"],
}

EXTRA_QUERIES = [
    "SELECT ?slug WHERE { ?c dct:identifier ?slug } ORDER BY ?slug",
    "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(LANG(?l) = 'sv') } ORDER BY ?c",
    """SELECT ?slug ?def WHERE { ?c dct:identifier ?slug .
         OPTIONAL { ?c skos:definition ?def FILTER(LANG(?def) = "en") } } ORDER BY ?slug""",
    "SELECT ?a ?b WHERE { ?a kgv:linksTo+ ?b } ORDER BY ?a ?b",
    "SELECT ?c (COUNT(?r) AS ?n) WHERE { ?c skos:related ?r } GROUP BY ?c ORDER BY DESC(?n) ?c",
    "SELECT (SUM(?w) AS ?total) (MAX(?w) AS ?max) WHERE { ?l kgv:weight ?w }",
    "SELECT ?k WHERE { ?k skos:inScheme base:keywords } ORDER BY ?k",
    "SELECT ?c WHERE { ?c a skos:Concept MINUS { ?c kgv:missing true } } ORDER BY ?c",
    "SELECT (AVG(?w) AS ?mean) WHERE { ?l kgv:weight ?w }",
    "SELECT ?m WHERE { concept:lease ?p ?o BIND(BOUND(?o) AS ?m) } LIMIT 1",
]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kgq")
    src = write_articles(root / "wiki", WIKI)
    kg.build(src, root / "out", formats=["ttl", "nt", "json", "store"], jobs=1)
    return root / "out"


@pytest.fixture
def bare(build: Path, tmp_path: Path) -> Path:
    """A copy of the build without its store (as after a git clone)."""
    out = tmp_path / "bare"
    out.mkdir()
    shutil.copy2(build / "graph.nt", out / "graph.nt")
    return out


def kg_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args)


def rows(result) -> list[tuple]:
    if hasattr(result, "itertuples"):
        return [
            tuple(None if v != v else v for v in r)
            for r in result.astype(object).itertuples(index=False)  # NaN → None
        ]
    return [tuple(r.values()) for r in result]


# --- the store ---------------------------------------------------------------------------


def test_the_build_has_a_store_stamped_with_its_source(build):
    stamp = json.loads((build / "store" / ks.STAMP).read_text())
    assert stamp["size"] == (build / "graph.nt").stat().st_size
    assert stamp["base_iri"] == DEFAULT_BASE_IRI
    store = ks.open_store(build)
    assert len(store) == sum(1 for _ in (build / "graph.nt").open("rb"))


def test_without_a_store_graph_nt_is_loaded_on_demand(build, bare):
    q = "SELECT ?slug WHERE { ?c kgv:missing true ; dct:identifier ?slug } ORDER BY ?slug"
    assert rows(kq.sparql(q, bare)) == rows(kq.sparql(q, build)) == [("cpa",), ("middleoffice",)]


def test_a_stale_store_is_not_used(build, tmp_path):
    out = tmp_path / "stale"
    shutil.copytree(build, out, ignore=shutil.ignore_patterns("LOCK"))
    nt = (out / "graph.nt").read_bytes()
    extra = b'<http://example.org/kg/concept/zz> <http://purl.org/dc/terms/identifier> "zz" .\n'
    (out / "graph.nt").write_bytes(nt + extra)
    assert kq.sparql("ASK { ?c dct:identifier 'zz' }", out) is True
    ks.write_store(out)
    assert kq.sparql("ASK { ?c dct:identifier 'zz' }", out) is True
    assert json.loads((out / "store" / ks.STAMP).read_text())["size"] == len(nt) + len(extra)


def _without_store(build: Path, out: Path) -> Path:
    """A copy of ``build`` without its store; its graph.nt. Skips without ``oxigraph``."""
    if ks.oxigraph_executable() is None:
        pytest.skip("the oxigraph command is not installed")
    shutil.copytree(build, out, ignore=shutil.ignore_patterns("store"))
    return out / "graph.nt"


def test_a_big_graph_nt_is_loaded_in_slices_into_one_store(build, tmp_path, monkeypatch):
    out = tmp_path / "sliced"
    nt = _without_store(build, out)
    monkeypatch.setattr(ks, "SLICE", 2000)
    ranges = ks.slices(nt, ks.SLICE)
    assert len(ranges) > 3 and ranges[0][0] == 0 and ranges[-1][1] == nt.stat().st_size
    assert all(nt.read_bytes()[end - 1 : end] == b"\n" for _, end in ranges)
    start_store(out)()
    assert ks.store_is_fresh(out)
    whole = ks.open_store(build)
    sliced = ks.open_store(out)
    assert set(sliced) == set(whole)
    assert len(sliced) == sum(1 for _ in nt.open("rb"))
    ks.write_store(out)  # in this process (kg build --jobs 1), in slices too
    assert ks.store_is_fresh(out) and set(ks.open_store(out)) == set(whole)


def test_a_failed_load_names_the_file_and_keeps_no_store(build, tmp_path, monkeypatch):
    out = tmp_path / "broken"
    nt = _without_store(build, out)
    nt.write_bytes(nt.read_bytes() + b"<http://example.org/a> not n-triples\n")
    lines = nt.read_bytes().count(b"\n")
    for size in (2000, 10**9):  # in slices, and the whole file at once
        monkeypatch.setattr(ks, "SLICE", size)
        with pytest.raises(KgError, match=rf"graph.nt:{lines}: oxigraph load failed: .*line"):
            start_store(out)()
        with pytest.raises(KgError, match=r"graph.nt.*: .*line"):
            ks.write_store(out)
    assert not (out / "store").exists()
    assert not list(out.glob(".store-*"))


def test_write_store_needs_graph_nt(tmp_path):
    with pytest.raises(KgError, match="graph.nt"):
        ks.write_store(tmp_path)
    with pytest.raises(KgError, match="kg build"):
        kq.sparql("ASK {}", tmp_path / "nothing")


# --- kg.sparql --------------------------------------------------------------------------


def test_sparql_returns_a_dataframe_of_plain_values(build):
    df = kg.sparql(
        """SELECT ?source ?weight ?missing WHERE {
        ?l kgv:source ?s ; kgv:target concept:middleoffice ; kgv:weight ?weight .
        ?s dct:identifier ?source . concept:middleoffice kgv:missing ?missing }""",
        build,
    )
    assert list(df.columns) == ["source", "weight", "missing"]
    assert rows(df) == [("backoffice", 2, True)]
    assert isinstance(df["weight"][0].item(), int)


def test_sparql_without_pandas_returns_dicts(build, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    out = kq.sparql("SELECT ?c WHERE { ?c dct:identifier 'lease' }", build)
    assert out == [{"c": DEFAULT_BASE_IRI + "concept/lease"}]


def test_ask_and_construct(build):
    assert kq.sparql("ASK { concept:lease kgv:linksTo concept:frontoffice }", build) is True
    assert kq.sparql("ASK { concept:frontoffice kgv:linksTo concept:lease }", build) is False
    triples = kq.sparql("CONSTRUCT WHERE { concept:lease skos:prefLabel ?l }", build)
    assert {t.object.value for t in triples} == {"lease", "hyresavtal"}


def test_the_prefixes_are_declared_and_a_query_may_redeclare_them(build):
    q = "PREFIX skos: <http://example.org/not-skos#> ASK { ?c skos:prefLabel ?l }"
    assert kq.sparql(q, build) is False
    assert kq.sparql("ASK { ?c skos:prefLabel ?l }", build) is True
    assert set(kq.query_prefixes(build)) >= {
        "rdf",
        "rdfs",
        "xsd",
        "skos",
        "dct",
        "kgv",
        "base",
        "concept",
        "keyword",
    }


def test_a_syntax_error_names_line_and_column_of_the_users_text(build):
    with pytest.raises(KgError) as err:
        kq.sparql("SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s nope:x ?o }", build)
    message = str(err.value)
    assert "line 3, column" in message and "prefix nope: is not declared" in message
    with pytest.raises(KgError, match=r"line 1, column 27: expected one of .*\"}\""):
        kq.sparql("SELECT ?s WHERE { ?s ?p ?o", build)


def test_a_bound_variable_must_be_projected(build):
    with pytest.raises(KgError, match="SELECT clause"):
        kq.sparql("SELECT ?c WHERE { ?c dct:identifier ?slug }", build, bindings={"slug": "x"})


def test_sparql_on_a_networkx_graph(build):
    G = kg.load(build)
    q = "SELECT ?slug WHERE { ?c kgv:missing true ; dct:identifier ?slug } ORDER BY ?slug"
    assert rows(kq.sparql(q, G)) == rows(kq.sparql(q, build))


def test_to_rdflib_holds_the_whole_build(build):
    g = ks.to_rdflib(build)
    assert len(g) == len(ks.open_store(build))
    assert dict(g.namespaces())["kgv"].toPython() == "https://w3id.org/kg/vocab#"


# --- both engines, the same rows -------------------------------------------------------------


def _named_cases():
    for q in nq.list_queries():
        names = list(q.params)
        if not names:
            yield q.name, {}
            continue
        for i in range(max(len(PARAMS[n]) for n in names)):
            yield q.name, {n: PARAMS[n][i % len(PARAMS[n])] for n in names}


@pytest.mark.parametrize("name, params", list(_named_cases()))
def test_named_queries_give_the_same_rows_on_both_engines(build, name, params):
    fast = nq.run_named(name, params, build)
    slow = nq.run_named(name, params, build, engine="rdflib")
    assert list(fast.columns) == list(slow.columns)
    assert rows(fast) == rows(slow)


@pytest.mark.parametrize("query", EXTRA_QUERIES)
def test_extra_queries_give_the_same_rows_on_both_engines(build, query):
    assert rows(kq.sparql(query, build)) == rows(kq.sparql(query, build, engine="rdflib"))


def test_ask_and_construct_agree_on_both_engines(build):
    ask = "ASK { ?c kgv:linksTo ?c }"
    assert kq.sparql(ask, build) is kq.sparql(ask, build, engine="rdflib") is True
    # (rdflib keeps triples with a literal subject that SPARQL says to drop: IRIs only here)
    construct = "CONSTRUCT { ?b ?p ?a } WHERE { ?a ?p ?b . ?a kgv:missing true FILTER isIRI(?b) }"
    fast = {str(t) for t in kq.sparql(construct, build)}
    slow = {
        f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in kq.sparql(construct, build, engine="rdflib")
    }
    assert fast == slow and len(fast) > 2


# --- named queries and injection-proof binding ------------------------------------------------


def test_the_library_has_the_promised_queries():
    names = {q.name for q in nq.list_queries()}
    assert {
        "who-links-to",
        "labels",
        "shared-keywords",
        "most-wanted",
        "within-two-links",
        "concepts-per-keyword",
    } <= names
    assert len(names) >= 10
    for q in nq.list_queries():
        assert q.description and q.example.startswith("kg query --name " + q.name)
        assert all(f"?{p}" in q.text for p in q.params)


@pytest.mark.parametrize("slug", [QUOTE, DROP])
def test_slugs_with_quotes_and_braces_round_trip_through_named_queries(build, slug):
    other = DROP if slug == QUOTE else QUOTE
    assert rows(nq.run_named("who-links-to", {"slug": slug}, build))[0][:2] == (slug, other)
    labels = rows(nq.run_named("labels", {"slug": slug}, build))
    assert ("pref" in {r[2] for r in labels}) and all(r[0] == slug for r in labels)
    shared = rows(nq.run_named("shared-keywords", {"a": QUOTE, "b": DROP}, build))
    assert shared == [(QUOTE, DROP, "Quotes")]
    reach = {r[1] for r in rows(nq.run_named("within-two-links", {"slug": slug}, build))}
    assert other in reach


def test_injection_attempts_are_just_values(build):
    evil = 'lease" } UNION { ?target ?p ?o } #'
    assert rows(nq.run_named("who-links-to", {"slug": evil}, build)) == []
    assert (
        kq.sparql(
            "ASK { ?c dct:identifier ?slug }", build, bindings={"slug": "lease' } ; DROP ALL ; #"}
        )
        is False
    )


def test_named_query_parameters_are_checked():
    with pytest.raises(KgError, match="needs the parameter slug"):
        nq.named_query("who-links-to").bindings({})
    with pytest.raises(KgError, match="no parameter 'x'"):
        nq.named_query("who-links-to").bindings({"slug": "a", "x": "1"})
    with pytest.raises(KgError, match="no named query 'nope'.*who-links-to"):
        nq.named_query("nope")
    with pytest.raises(KgError, match="no named query"):
        nq.named_query("../query")


# --- kg query on the command line -----------------------------------------------------------


def test_cli_table(build):
    res = kg_cli(
        "query", "--name", "who-links-to", "--param", "slug=frontoffice", "--data", str(build)
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["slug", "source", "label", "weight"]
    assert lines[2].split()[:2] == ["frontoffice", "backoffice"]
    assert lines[-1] == "(2 rows)"


def test_cli_csv_is_the_w3c_format(build):
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "query",
            "--name",
            "labels",
            "--param",
            f"slug={QUOTE}",
            "--data",
            str(build),
            "--format",
            "csv",
        ],
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    text = res.stdout.decode("utf-8")
    assert text.count("\r\n") == 3 and "\n" not in text.replace("\r\n", "")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0] == ["slug", "lang", "kind", "label"]
    assert [QUOTE, "en", "pref", "quote brace"] in table


def test_cli_tsv_is_the_w3c_format(build):
    res = kg_cli(
        "query",
        "SELECT ?c ?slug ?w WHERE { ?l kgv:source ?c ; kgv:weight ?w . "
        "?c dct:identifier ?slug } ORDER BY DESC(?w) ?slug LIMIT 1",
        "--data",
        str(build),
        "--format",
        "tsv",
    )
    assert res.returncode == 0, res.stderr
    head, first = res.stdout.splitlines()[:2]
    assert head.split("\t") == ["?c", "?slug", "?w"]
    c, slug, w = first.split("\t")
    assert c == f"<{DEFAULT_BASE_IRI}concept/backoffice>" and slug == '"backoffice"' and w == "2"


def test_cli_json_is_the_w3c_format(build):
    res = kg_cli("query", "--name", "most-wanted", "--data", str(build), "--format", "json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["head"]["vars"] == ["slug", "label", "linked_from", "mentions"]
    first = doc["results"]["bindings"][0]
    assert first["slug"] == {"type": "literal", "value": "middleoffice"}
    assert first["mentions"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    parsed = ox.parse_query_results(res.stdout.encode(), format=ox.QueryResultsFormat.JSON)
    assert len(list(parsed)) == 2
    ask = kg_cli("query", "ASK { ?c kgv:missing true }", "--data", str(build), "--format", "json")
    assert json.loads(ask.stdout) == {"head": {}, "boolean": True}


def test_cli_construct_prints_turtle_or_ntriples(build):
    q = "CONSTRUCT WHERE { concept:lease skos:prefLabel ?l }"
    ttl = kg_cli("query", q, "--data", str(build))
    assert ttl.returncode == 0 and "@prefix skos:" in ttl.stdout
    nt = kg_cli("query", q, "--data", str(build), "--format", "nt")
    assert len(list(ox.parse(nt.stdout.encode(), format=ox.RdfFormat.N_TRIPLES))) == 2
    wrong = kg_cli("query", q, "--data", str(build), "--format", "csv")
    assert wrong.returncode == 2 and "ttl or nt" in wrong.stderr  # a usage error


def test_cli_syntax_error_shows_position_without_traceback(build, tmp_path):
    f = tmp_path / "bad.rq"
    f.write_text("SELECT ?s WHERE {\n  ?s ?p ?o .\n  OPTINAL { ?s ?p ?o } }", encoding="utf-8")
    res = kg_cli("query", "--file", str(f), "--data", str(build))
    assert res.returncode == 1
    assert "line 3, column 11: expected OPTIONAL" in res.stderr
    assert "Traceback" not in res.stderr
    assert "  OPTINAL { ?s ?p ?o } }\n" + " " * 12 + "^" in res.stderr


def test_cli_list_and_usage_errors(build):
    listing = kg_cli("query", "--list")
    assert listing.returncode == 0 and "who-links-to" in listing.stdout
    as_json = json.loads(kg_cli("query", "--list", "--format", "json").stdout)
    assert any(q["name"] == "labels" and "slug" in q["params"] for q in as_json)
    assert kg_cli("query", "--data", str(build)).returncode == 2
    missing = kg_cli("query", "--name", "labels", "--data", str(build))
    assert missing.returncode == 2 and "slug" in missing.stderr and "--param" in missing.stderr
    nothing = kg_cli("query", "ASK {}", "--data", str(build / "nope"))
    assert nothing.returncode == 1 and "kg build" in nothing.stderr
    help_text = kg_cli("query", "--help").stdout
    assert "kg query --name who-links-to --param slug=lease" in help_text


def test_dataframes_keep_the_language_of_every_literal(build):
    query = "SELECT ?c ?label WHERE { ?c skos:prefLabel ?label } ORDER BY ?c ?label"
    for engine in ("oxigraph", "rdflib"):
        frame = kg.sparql(query, build, engine=engine)
        assert list(frame.columns) == ["c", "label", "label_lang"], engine
        concepts = frame[frame["c"].str.contains("/concept/")]
        assert set(concepts["label_lang"]) == {"sv", "en"}, engine
        keywords = frame[frame["c"].str.contains("/keyword/")]
        assert len(keywords) and keywords["label_lang"].isna().all()  # keywords are untagged
    plain = kg.sparql("SELECT ?slug WHERE { ?c dct:identifier ?slug }", build)
    assert list(plain.columns) == ["slug"]  # no language, no column
