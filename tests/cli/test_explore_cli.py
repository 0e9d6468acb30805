"""`kg show`, `neighbors`, `path`, `related`, `stats`, `check` and `kg query` on the command
line: the display language, tables that fit the terminal, and the papercuts of issue 19."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.corpora import article, run_cli, write_articles

WIKI = {
    "sv/lease.md": article(
        "hyresavtal",
        "Ett [hyresavtal](/lease) gäller. Man [kan](/boutique) hyra av en "
        "[hyresvärd](/landlord) som äger huset.",
        keywords="Real Estate",
        description="Ett avtal om att hyra.",
    ),
    "en/lease.md": article(
        "lease",
        "A lease binds a tenant to a [landlord](/landlord).",
        keywords="Real Estate",
        description="A contract to rent.",
    ),
    "sv/tålamod.md": article("Tålamod", "Om [hyresavtal](/lease)."),
    "en/longtitle.md": article(
        "A concept whose title is long enough to break any table " * 3,
        "See [lease](/lease) and [the landlord who owns the building](/landlord).",
    ),
}


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    src = write_articles(root / "src", WIKI)
    done = run_cli("build", str(src), "--out", str(root / "out"), "--jobs", "1")
    assert done.returncode == 0, done.stderr
    return root / "out"


@pytest.fixture(autouse=True)
def columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("KG_DISPLAY_LANG", raising=False)
    return monkeypatch


def kg(build: Path, *args: str):
    return run_cli(*args, "--data", str(build))


def test_labels_in_the_display_language_with_fallbacks_tagged(build):
    default = kg(build, "neighbors", "lease")
    assert "tålamod" in default.stdout and "Tålamod@sv" in default.stdout  # no English title
    swedish = kg(build, "neighbors", "lease", "--display-lang", "sv")
    assert swedish.returncode == 0
    assert "Tålamod@sv" not in swedish.stdout and "Tålamod" in swedish.stdout
    assert "hyresvärd" in swedish.stdout  # a missing concept named by its Swedish anchor
    card = kg(build, "show", "lease", "--display-lang", "sv").stdout
    assert card.startswith("hyresavtal (lease)")
    assert card.index("[sv] Ett avtal") < card.index("[en] A contract")


def test_display_language_from_the_environment(build, columns):
    columns.setenv("KG_DISPLAY_LANG", "sv")
    shown = json.loads(kg(build, "show", "lease", "--format", "json").stdout)
    assert (shown["label"], shown["label_lang"]) == ("hyresavtal", "sv")
    assert list(shown["labels"]) == ["sv", "en"]
    rows = json.loads(kg(build, "neighbors", "lease", "--format", "json").stdout)
    assert {r["id"]: r["label_lang"] for r in rows}["longtitle"] == "en"


def test_a_display_language_the_build_lacks_is_noted(build):
    done = kg(build, "neighbors", "lease", "--display-lang", "de")
    assert done.returncode == 0
    assert "no text in de" in done.stderr
    assert "lease@en" not in done.stdout  # the subject itself is not listed
    assert "Tålamod@sv" in done.stdout


def test_a_bad_display_language_is_a_usage_error(build, columns):
    assert kg(build, "show", "lease", "--display-lang", "x y").returncode == 2
    columns.setenv("KG_DISPLAY_LANG", "not a tag")
    done = kg(build, "show", "lease")
    assert done.returncode == 2 and "KG_DISPLAY_LANG" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("show", "lease"),
        ("neighbors", "lease", "--depth", "2"),
        ("related", "lease"),
        ("stats",),
        ("check",),
        ("path", "longtitle", "tålamod"),
    ],
)
def test_tables_fit_80_columns(build, args):
    done = kg(build, *args)
    assert done.returncode in (0, 1), done.stderr
    wide = [line for line in done.stdout.splitlines() if len(line) > 80]
    assert not wide, wide


def test_json_keeps_long_values_whole(build):
    rows = json.loads(kg(build, "neighbors", "lease", "--format", "json").stdout)
    title = {r["id"]: r["label"] for r in rows}["longtitle"]
    assert len(title) > 150 and "…" not in title


def test_related_with_nothing_says_why(build):
    done = kg(build, "related", "lease")
    assert done.returncode == 0
    assert done.stdout.startswith("nothing to suggest: ")
    assert "link or keyword" in done.stdout


def test_path_shows_evidence_in_the_display_language_first(build):
    out = kg(build, "path", "lease", "tålamod", "--display-lang", "sv").stdout
    assert "hyresavtal" in out.splitlines()[0]


def test_check_flags_function_word_anchors(build):
    done = kg(build, "check", "--only", "odd-anchor", "--format", "json")
    report = json.loads(done.stdout)
    assert [(i["check"], i["concept"]) for i in report["issues"]] == [("odd-anchor", "boutique")]
    assert "'kan' (sv, in lease): a function word" in report["issues"][0]["detail"]
    assert kg(build, "show", "kan").returncode == 1  # no longer a name that finds a concept


def test_query_tables_keep_the_language_of_literals(build):
    done = kg(build, "query", "SELECT ?l WHERE { concept:lease skos:prefLabel ?l } ORDER BY ?l")
    assert done.stdout.splitlines()[2:4] == ["hyresavtal@sv", "lease@en"]
    tsv = kg(
        build,
        "query",
        "SELECT ?l WHERE { concept:lease skos:prefLabel ?l } ORDER BY ?l",
        "--format",
        "tsv",
    )
    assert '"hyresavtal"@sv' in tsv.stdout


# --- usage errors and hints (exit codes as the README says) ----------------------------------


def test_usage_errors_exit_2(build, tmp_path):
    missing = kg(build, "query", "--name", "who-links-to")
    assert missing.returncode == 2 and "needs the parameter slug" in missing.stderr
    wrong = kg(build, "query", "--name", "who-links-to", "--param", "concept=lease")
    assert wrong.returncode == 2 and "its parameters: slug" in wrong.stderr
    src = write_articles(tmp_path / "src", {"en/a.md": article("A", "x")})
    iri = run_cli("build", str(src), "--out", str(tmp_path / "o"), "--base-iri", "not an iri")
    assert iri.returncode == 2 and "--base-iri" in iri.stderr


def test_stats_on_a_source_folder_says_how_to_build_it(tmp_path):
    src = write_articles(tmp_path / "notes", {"en/a.md": article("A", "x")})
    done = run_cli("stats", "--data", str(src))
    assert done.returncode == 1
    assert f"kg build {src} --out DIR" in done.stderr
    assert f"--out {src}" not in done.stderr


def test_a_build_without_graph_nt_is_not_taken_for_a_folder_of_articles(tmp_path):
    # its report.md made the hint say "holds articles: build them"
    src = write_articles(tmp_path / "notes", {"en/a.md": article("A", "x")})
    out = tmp_path / "out"
    assert run_cli("build", str(src), "--out", str(out), "--formats", "json,report").returncode == 0
    done = run_cli("query", "SELECT * WHERE { ?s ?p ?o }", "--data", str(out))
    assert done.returncode == 1
    assert "written without graph.nt (--formats)" in done.stderr
    assert "holds articles" not in done.stderr


def test_read_corpus_takes_a_folder_name_and_build_graph_its_corpus(tmp_path):
    import kg

    src = write_articles(tmp_path / "arts", {"en/a.md": article("A", "See [b](/b).")})
    corpus = kg.read_corpus(str(src))
    assert [a.slug for a in corpus.articles] == ["a"]
    G = kg.build_graph(corpus)
    assert sorted(G) == ["a", "b"]


def test_viz_takes_the_display_language_and_the_sources(build, tmp_path, columns):
    from tests.core.test_viz import payload

    out = tmp_path / "views" / "sv.html"
    done = run_cli(
        "viz",
        "--data",
        str(build),
        "--display-lang",
        "sv",
        "--sources",
        str(build.parent / "src"),
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    data = payload(out.read_text(encoding="utf-8"))
    labels = {r["id"]: r["label"] for r in data["nodes"]}
    assert labels["lease"] == "hyresavtal" and data["lang"] == "sv"
    assert data["sources"] == os.path.relpath(build.parent / "src", out.parent)
    columns.setenv("KG_DISPLAY_LANG", "en")
    run_cli("viz", "--data", str(build), "--out", str(out))
    assert {r["id"]: r["label"] for r in payload(out.read_text())["nodes"]}["lease"] == "lease"
    assert run_cli("viz", "--data", str(build), "--display-lang", "!!").returncode == 2
