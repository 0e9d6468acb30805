"""The graph → every export file (kg.engine.exports): determinism, the cache, rebuilds."""

from __future__ import annotations

import csv
import importlib
import io
import json
import random
import shutil
from pathlib import Path

import networkx as nx
import pytest

import kg.engine.parse
from kg.atomic import write_atomic
from kg.engine.build import build
from kg.engine.exports import write_exports
from kg.errors import KgError
from kg.formats import FORMATS
from kg.formats.flat import EDGE_COLUMNS, NODE_COLUMNS
from kg.formats.nodelink import read_graph
from tests.corpora import SMALL_WIKI, article, write_articles

CORE_FORMATS = ["graphml", "gexf", "json", "csv", "report"]
CORE_FILES = {
    "graph.graphml",
    "graph.gexf",
    "graph.json",
    "nodes.csv",
    "edges.csv",
    "report.json",
    "report.md",
}
ALL_FILES = CORE_FILES | {"graph.ttl", "graph.nt", "graph.jsonld", "graph.html"}
REPO = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a build folder (not the store, the cache, the lock or the record of
    the files' times and inodes) → its bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and rel.parts[0] not in ("store", ".cache", ".kg-lock", ".kg-build.json"):
            out[rel.as_posix()] = path.read_bytes()
    return out


def assert_same_build(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert sorted(a) == sorted(b)
    differing = [name for name in a if a[name] != b[name]]
    assert differing == []


def modules_ready(*names: str) -> bool:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            return False
    return True


# --- a generated corpus big enough for the process pool ------------------------------------

N_SV, N_EN = 300, 220
WORDS = [
    "kapital",
    "ränta",
    "avtal",
    "bolag",
    "marknad",
    "risk",
    "aktie",
    "fond",
    "skuld",
    "kund",
    "handel",
    "värde",
    "pris",
    "bank",
    "lån",
    "kredit",
]
KEYWORDS = ["Investing", "Brokers", "Stock Brokers", "Real Estate", "Loans", "Banking"]


def generated_article(rng: random.Random, slug: str, n: int) -> str:
    links = []
    for _ in range(rng.randint(2, 8)):
        # Zipf-like targets, some of them never written (dangling)
        target = f"c{min(int(rng.paretovariate(1.2)) - 1, n + 40):04d}"
        links.append(f"[{rng.choice(WORDS)} {target}](/{target})")
    sentences = []
    for link in links:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
        sentences.append(f"{words.capitalize()} {link} {rng.choice(WORDS)}.")
    body = (
        f"## Del {slug}\n\n"
        + " ".join(sentences[: len(sentences) // 2])
        + "\n\n##Mer\n\n- "
        + "\n- ".join(sentences[len(sentences) // 2 :])
        + "\n"
    )
    keywords = ",".join(rng.sample(KEYWORDS, rng.randint(1, 3)))
    return article(
        f"begrepp {slug}", body, keywords=keywords, description=f"Beskrivning av {slug} &amp; mer."
    )


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    rng = random.Random(20240611)
    root = tmp_path_factory.mktemp("big") / "wiki"
    files = {}
    for i in range(N_SV):
        files[f"sv/c{i:04d}.md"] = generated_article(rng, f"c{i:04d}", N_SV)
    for i in range(N_EN):
        files[f"English/c{i:04d}.md"] = generated_article(rng, f"c{i:04d}", N_SV)
    write_articles(root, files)
    assert len(files) > kg.engine.parse.PARALLEL_MIN  # so that jobs=2 really uses the pool
    return root


@pytest.fixture(scope="module")
def cold_j1(big_corpus, tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("cold1") / "out"
    result = build([big_corpus], out, jobs=1, cache=False, formats=CORE_FORMATS)
    return out, result


@pytest.mark.slow
def test_generated_corpus_builds(cold_j1):
    _, result = cold_j1
    assert result.report["articles"] == N_SV + N_EN
    assert result.report["errors"] == [] and result.report["warnings"] == []
    assert result.corpus.parsed == N_SV + N_EN
    assert result.report["missing_concepts"] > 0  # some targets were never written


@pytest.mark.slow
def test_jobs_1_and_jobs_2_give_identical_files(big_corpus, cold_j1, tmp_path):
    out1, _ = cold_j1
    result = build([big_corpus], tmp_path / "out", jobs=2, cache=False, formats=CORE_FORMATS)
    assert result.corpus.parsed == N_SV + N_EN
    assert_same_build(snapshot(out1), snapshot(tmp_path / "out"))


@pytest.mark.slow
def test_cache_and_no_cache_give_identical_files(big_corpus, cold_j1, tmp_path):
    out1, _ = cold_j1
    out = tmp_path / "out"
    first = build([big_corpus], out, jobs=2, formats=CORE_FORMATS)
    assert (first.corpus.parsed, first.corpus.cached) == (N_SV + N_EN, 0)
    assert (out / ".cache").is_dir()
    second = build([big_corpus], out, jobs=2, formats=CORE_FORMATS)
    assert (second.corpus.parsed, second.corpus.cached) == (0, N_SV + N_EN)
    assert_same_build(snapshot(out1), snapshot(out))


@pytest.mark.slow
def test_incremental_build_reparses_one_file_and_equals_a_cold_build(big_corpus, tmp_path):
    src = tmp_path / "wiki"
    shutil.copytree(big_corpus, src)
    out = tmp_path / "out"
    build([src], out, jobs=2, formats=CORE_FORMATS)
    edited = src / "sv" / "c0007.md"
    edited.write_text(edited.read_text() + "\nNy länk till [en ny sak](/brand-new-slug).\n")
    again = build([src], out, jobs=2, formats=CORE_FORMATS)
    assert again.corpus.parsed == 1
    assert again.corpus.cached == N_SV + N_EN - 1
    assert again.graph.has_edge("c0007", "brand-new-slug")
    cold = build([src], tmp_path / "cold", jobs=1, cache=False, formats=CORE_FORMATS)
    assert cold.corpus.parsed == N_SV + N_EN
    assert_same_build(snapshot(cold.out), snapshot(out))


def test_incremental_build_sees_a_deleted_file(small_wiki, tmp_path):
    out = tmp_path / "out"
    build([small_wiki], out, formats=["json", "report"])
    (small_wiki / "sv" / "lease.md").unlink()
    again = build([small_wiki], out, formats=["json", "report"])
    assert again.graph.nodes["lease"]["exists"] is False
    assert again.corpus.parsed == 0
    cold = build([small_wiki], tmp_path / "cold", cache=False, formats=["json", "report"])
    assert_same_build(snapshot(cold.out), snapshot(out))


def test_cache_is_keyed_by_site_url_and_survives_corruption(small_wiki, tmp_path):
    out = tmp_path / "out"
    first = build([small_wiki], out, formats=["json"])
    assert first.corpus.parsed == 4
    other_site = build([small_wiki], out, formats=["json"], site_url="https://investors.wiki")
    assert other_site.corpus.parsed == 4  # another --site-url may resolve links otherwise
    for cache_file in (out / ".cache").iterdir():
        cache_file.write_bytes(b"not a pickle")
    again = build([small_wiki], out, formats=["json"])
    assert again.corpus.parsed == 4
    assert again.graph.number_of_nodes() == first.graph.number_of_nodes()


# --- files of a small build ----------------------------------------------------------------


@pytest.fixture
def small_build(small_wiki, tmp_path):
    result = build([small_wiki], tmp_path / "out", formats=CORE_FORMATS)
    return result


def test_every_core_file_is_written_and_no_temp_file_is_left(small_build):
    names = {p.name for p in small_build.out.iterdir() if p.is_file()}
    assert names == CORE_FILES | {".kg-lock", ".kg-build.json"}  # the lock, the record
    assert not list(small_build.out.parent.glob(".out.kg-*"))  # the new folder swapped in
    for name in CORE_FILES:
        assert (small_build.out / name).stat().st_size > 0


def test_two_builds_of_the_same_input_are_byte_identical(small_wiki, tmp_path):
    a = build([small_wiki], tmp_path / "a", formats=CORE_FORMATS)
    b = build([small_wiki], tmp_path / "b", formats=CORE_FORMATS)
    assert_same_build(snapshot(a.out), snapshot(b.out))


def test_same_articles_in_another_folder_give_identical_files(tmp_path):
    one = write_articles(tmp_path / "one", SMALL_WIKI)
    two = write_articles(tmp_path / "elsewhere" / "two", dict(reversed(SMALL_WIKI.items())))
    a = build([one], tmp_path / "a", formats=CORE_FORMATS)
    b = build([two], tmp_path / "b", formats=CORE_FORMATS)
    assert_same_build(snapshot(a.out), snapshot(b.out))


def test_graph_json_reads_back_as_the_same_graph(small_build):
    G = small_build.graph
    H = read_graph(small_build.out)
    assert isinstance(H, nx.DiGraph)
    assert sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))
    assert sorted(H.edges(data=True)) == sorted(G.edges(data=True))
    assert H.graph == G.graph


def test_graph_json_is_node_link_data(small_build):
    data = json.loads((small_build.out / "graph.json").read_text(encoding="utf-8"))
    assert data["directed"] is True
    assert {"nodes", "edges", "graph"} <= set(data)
    H = nx.node_link_graph(data, edges="edges")
    assert H.number_of_nodes() == small_build.graph.number_of_nodes()


def test_read_build_without_a_build_is_a_clean_error(tmp_path):
    with pytest.raises(KgError, match="no kg build here"):
        read_graph(tmp_path)
    (tmp_path / "graph.json").write_text("{not json")
    with pytest.raises(KgError):
        read_graph(tmp_path)


def test_graphml_loads_in_networkx(small_build):
    G = small_build.graph
    H = nx.read_graphml(small_build.out / "graph.graphml")
    assert H.is_directed()
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert set(H.nodes) == set(G.nodes)
    node = H.nodes["backoffice"]
    assert node["exists"] is True
    assert json.loads(node["labels"]) == G.nodes["backoffice"]["labels"]
    assert json.loads(node["keywords"]) == G.nodes["backoffice"]["keywords"]
    edge = H.edges["backoffice", "lease"]
    assert edge["weight"] == G.edges["backoffice", "lease"]["weight"]
    assert json.loads(edge["anchors"]) == G.edges["backoffice", "lease"]["anchors"]
    assert H.nodes["middleoffice"]["exists"] is False


def test_gexf_loads_in_networkx(small_build):
    G = small_build.graph
    H = nx.read_gexf(small_build.out / "graph.gexf")
    assert H.is_directed()
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert set(H.nodes) == set(G.nodes)
    assert H.nodes["backoffice"]["label"] == G.nodes["backoffice"]["label"]
    assert H.edges["backoffice", "lease"]["weight"] == G.edges["backoffice", "lease"]["weight"]


@pytest.fixture
def odd_slugs(tmp_path):
    src = write_articles(
        tmp_path / "src",
        {
            "w.md": "# W\n\n[a](/a%26b) [b](/%3Cx%3E) [c](/q%22s) [d](/%C3%A4%20%C3%B6) "
            "[e](/it's) [f](/tab%09here)\n",
        },
    )
    return build([src], tmp_path / "out", formats=["graphml", "gexf", "json"])


def test_graphml_and_gexf_keep_odd_slugs(odd_slugs):
    G = odd_slugs.graph
    assert {"a&b", "<x>", 'q"s', "ä ö", "it's"} <= set(G)
    # a target with a control character (a tab) is no name: reported, not a node
    assert not any("\t" in node for node in G)
    assert any("control characters" in w["message"] for w in odd_slugs.report["warnings"])
    for name, reader in (("graph.graphml", nx.read_graphml), ("graph.gexf", nx.read_gexf)):
        H = reader(odd_slugs.out / name)
        assert set(H.nodes) == set(G.nodes), name
        assert H.number_of_edges() == G.number_of_edges(), name


def test_graphml_and_gexf_hold_no_control_characters(tmp_path):
    # %01 and %02 decode to characters XML 1.0 cannot hold: such targets are no names, and
    # the exports stay readable
    src = write_articles(tmp_path / "src", {"w.md": "# W\n\n[g](/x%01y) and [h](/x%02y)\n"})
    result = build([src], tmp_path / "out", formats=["graphml", "gexf"])
    G = result.graph
    assert set(G) == {"w"}
    for name, reader in (("graph.graphml", nx.read_graphml), ("graph.gexf", nx.read_gexf)):
        H = reader(result.out / name)
        assert H.number_of_nodes() == G.number_of_nodes(), name
        assert H.number_of_edges() == G.number_of_edges(), name


def test_csv_columns_and_rows(small_build):
    G = small_build.graph
    nodes = list(csv.DictReader(io.StringIO((small_build.out / "nodes.csv").read_text())))
    edges = list(csv.DictReader(io.StringIO((small_build.out / "edges.csv").read_text())))
    assert list(nodes[0]) == [*NODE_COLUMNS, "links_in", "links_out"]
    assert {
        "id",
        "kind",
        "exists",
        "label",
        "labels",
        "descriptions",
        "keywords",
        "paths",
        "alt_labels",
    } <= set(nodes[0])
    assert list(edges[0]) == list(EDGE_COLUMNS)
    assert list(EDGE_COLUMNS) == ["source", "target", "kind", "weight", "anchors", "langs"]
    assert sorted(r["id"] for r in nodes) == sorted(G.nodes)
    assert len(edges) == G.number_of_edges()
    row = next(r for r in nodes if r["id"] == "backoffice")
    assert json.loads(row["labels"]) == G.nodes["backoffice"]["labels"]
    assert int(row["links_out"]) == sum(
        1 for _, _, k in G.out_edges("backoffice", data="kind") if k == "link"
    )
    link = next(r for r in edges if (r["source"], r["target"]) == ("backoffice", "lease"))
    assert int(link["weight"]) == G.edges["backoffice", "lease"]["weight"]
    assert json.loads(link["anchors"]) == G.edges["backoffice", "lease"]["anchors"]
    assert "contexts" not in link  # the sentences are in graph.json, not the flat formats


def test_report_json_keys(tmp_path):
    src = write_articles(
        tmp_path / "src",
        {
            "sv/a.md": article("A", "[b](/b) [c](/c)"),
            "sv/bad.md": "---\ntitle: Bad\ndescription: a: b\n---\n# Bad\n",
        },
    )
    (src / "sv" / "bin.md").write_bytes(b"\x00\x01")
    result = build([src], tmp_path / "out", formats=["report"])
    report = json.loads((result.out / "report.json").read_text(encoding="utf-8"))
    assert {"articles", "concepts", "links", "warnings", "errors"} <= set(report)
    assert report["articles"] == 2
    assert report["concepts"] == 2
    assert report["links"] == 2
    for kind in ("warnings", "errors"):
        assert report[kind], kind
        for problem in report[kind]:
            assert set(problem) == {"path", "line", "message"}
            assert isinstance(problem["line"], int)
    assert [p["path"] for p in report["errors"]] == ["sv/bin.md"]
    assert [(p["path"], p["line"]) for p in report["warnings"]] == [("sv/bad.md", 3)]
    md = (result.out / "report.md").read_text(encoding="utf-8")
    assert "sv/bin.md" in md and "sv/bad.md:3" in md


def test_write_exports_rejects_unknown_formats(small_build, tmp_path):
    with pytest.raises(KgError, match="unknown"):
        write_exports(small_build.graph, tmp_path / "x", formats=["json", "pdf"])


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    write_atomic(target, "one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


@pytest.mark.skipif(
    not modules_ready("kg.formats.rdf", "kg.viz", "kg.store.query"),
    reason="kg.formats.rdf / kg.viz / kg.store.query are not written yet",
)
def test_all_formats_are_written_and_deterministic(small_wiki, tmp_path):
    a = build([small_wiki], tmp_path / "a")
    b = build([small_wiki], tmp_path / "b", jobs=1, cache=False)
    assert set(snapshot(a.out)) == ALL_FILES
    assert (a.out / "store").is_dir()
    assert_same_build(snapshot(a.out), snapshot(b.out))
    assert set(FORMATS) >= {"ttl", "nt", "jsonld", "html", "store"}


# --- the project's exports/ must be the build of articles/ ---------------------------------


def test_exports_folder_is_the_current_build_of_articles(tmp_path):
    """STALE-EXPORTS CHECK: exports/ must equal a fresh build of articles/.

    When this fails after a change to kg or to articles/, regenerate with
    ``kg build --site`` (from the project root) and commit exports/.
    """
    all_ready = modules_ready("kg.formats.rdf", "kg.viz", "kg.store.query")
    formats = None if all_ready else CORE_FORMATS
    result = build(
        [REPO / "articles"], tmp_path / "exports", formats=formats, cache=False, site=all_ready
    )
    built = snapshot(result.out)
    committed = snapshot(REPO / "exports")
    if all_ready:
        assert sorted(committed) == sorted(built)
    missing = sorted(set(built) - set(committed))
    assert missing == [], f"exports/ lacks {missing}: run 'kg build --site'"
    stale = [name for name in built if committed[name] != built[name]]
    assert stale == [], f"exports/ is stale in {stale}: run 'kg build --site', commit exports/"
