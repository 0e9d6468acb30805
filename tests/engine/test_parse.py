"""Folders → languages → files → articles (kg.engine.parse), and bad input through kg.build."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kg.engine.build import build
from kg.engine.cache import STATS, BuildCache, load_dict, save_dict
from kg.engine.discover import discover
from kg.engine.parallel import Workers
from kg.engine.parse import read_corpus
from kg.errors import KgError
from kg.languages import language_code
from tests.corpora import MALFORMED_COLON, article, make_bad_folder, write_articles

CORE_FORMATS = ["graphml", "gexf", "json", "csv", "report"]


# --- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("sv", "sv"),
        ("fi", "fi"),
        ("Swedish", "sv"),
        ("Finnish", "fi"),
        ("English", "en"),
        ("swedish", "sv"),
        ("pt-BR", "pt-BR"),
        ("pt_br", "pt-BR"),
        ("img", None),
        ("notes", None),
        ("xx", None),
        ("Texts", None),
    ],
)
def test_language_code(name, code):
    assert language_code(name) == code


def test_flat_folder_takes_the_language_from_lang(tmp_path):
    src = write_articles(
        tmp_path / "flat",
        {
            "a.md": article("Alpha", "See [b](/b)."),
            "b.md": article("Beta", "Back to [a](/a)."),
        },
    )
    corpus = read_corpus([src], lang="sv")
    assert [(a.slug, a.lang, a.path) for a in corpus.articles] == [
        ("a", "sv", "a.md"),
        ("b", "sv", "b.md"),
    ]
    assert corpus.errors == [] and corpus.warnings == []


def test_flat_folder_defaults_to_english(tmp_path):
    src = write_articles(tmp_path / "flat", {"a.md": article("Alpha", "Text.")})
    assert [a.lang for a in read_corpus([src]).articles] == ["en"]


def test_non_markdown_files_are_not_articles(tmp_path):
    src = write_articles(
        tmp_path / "flat", {"a.md": article("Alpha", "x"), "notes.txt": "x", "a.md.bak": "x"}
    )
    (src / "logo.png").write_bytes(b"\x89PNG\x00\x00")
    assert [a.slug for a in read_corpus([src]).articles] == ["a"]


@pytest.mark.parametrize(("sv_dir", "fi_dir"), [("sv", "fi"), ("Swedish", "Finnish")])
def test_language_folders_by_code_or_english_name(tmp_path, sv_dir, fi_dir):
    src = write_articles(
        tmp_path / "wiki",
        {
            f"{sv_dir}/lease.md": article(
                "hyresavtal", "Se [hyresvärd](/landlord).", description="Ett avtal."
            ),
            f"{fi_dir}/lease.md": article(
                "vuokrasopimus", "Katso [vuokranantaja](/landlord).", description="Sopimus."
            ),
            f"{sv_dir}/landlord.md": article("hyresvärd", "Äger."),
        },
    )
    result = build([src], tmp_path / "out", formats=["json"])
    G = result.graph
    assert G.graph["languages"] == ["fi", "sv"]
    lease = G.nodes["lease"]
    assert lease["labels"] == {"fi": "vuokrasopimus", "sv": "hyresavtal"}
    assert lease["descriptions"] == {"fi": "Sopimus.", "sv": "Ett avtal."}
    assert lease["paths"] == {"fi": f"{fi_dir}/lease.md", "sv": f"{sv_dir}/lease.md"}
    assert lease["exists"] is True
    # one concept, one edge for both languages
    edge = G.edges["lease", "landlord"]
    assert edge["weight"] == 2
    assert edge["langs"] == ["fi", "sv"]
    assert G.nodes["landlord"]["alt_labels"] == {"fi": ["vuokranantaja"], "sv": ["hyresvärd"]}
    assert result.report["errors"] == []


def test_same_slug_in_several_languages_is_one_concept(small_wiki):
    corpus = read_corpus([small_wiki])
    assert sorted((a.lang, a.slug) for a in corpus.articles) == [
        ("en", "backoffice"),
        ("sv", "backoffice"),
        ("sv", "frontoffice"),
        ("sv", "lease"),
    ]
    G = build([small_wiki], small_wiki.parent / "out", formats=["json"]).graph
    node = G.nodes["backoffice"]
    assert node["labels"] == {"en": "back office", "sv": "back office"}
    assert set(node["descriptions"]) == {"en", "sv"}
    assert node["paths"] == {"en": "en/backoffice.md", "sv": "sv/backoffice.md"}


def test_lang_filters_a_multilingual_build(small_wiki, tmp_path):
    result = build([small_wiki], tmp_path / "out", lang="sv", formats=["json", "report"])
    G = result.graph
    assert G.graph["languages"] == ["sv"]
    assert G.nodes["backoffice"]["labels"] == {"sv": "back office"}
    assert all(set(d.get("paths", {})) <= {"sv"} for _, d in G.nodes(data=True))
    assert result.corpus.skipped_languages == {"en": 1}
    assert result.report["articles"] == 3


def test_lang_accepts_several_languages(tmp_path):
    src = write_articles(
        tmp_path / "wiki",
        {
            "sv/a.md": article("a sv", "x"),
            "fi/a.md": article("a fi", "x"),
            "en/a.md": article("a en", "x"),
        },
    )
    corpus = read_corpus([src], lang=["sv,fi"])
    assert sorted(a.lang for a in corpus.articles) == ["fi", "sv"]
    assert corpus.skipped_languages == {"en": 1}


def test_several_sources_and_a_single_file(tmp_path):
    one = write_articles(tmp_path / "one", {"a.md": article("A", "[b](/b)")})
    two = write_articles(tmp_path / "two", {"b.md": article("B", "[a](/a)")})
    corpus = read_corpus([one, two / "b.md"])
    assert [a.slug for a in corpus.articles] == ["a", "b"]


def test_missing_source_is_a_clean_error(tmp_path):
    with pytest.raises(KgError, match="no such folder"):
        read_corpus([tmp_path / "nowhere"])


def test_discover_lists_files_sorted_with_slug_and_language(tmp_path):
    src = write_articles(
        tmp_path / "wiki",
        {
            "sv/b.md": "x",
            "sv/a.md": "x",
            "Finnish/down_payment.md": "x",
        },
    )
    files, problems, skipped = discover([src])
    assert [(f.rel, f.slug, f.lang) for f in files] == [
        ("Finnish/down_payment.md", "down_payment", "fi"),
        ("sv/a.md", "a", "sv"),
        ("sv/b.md", "b", "sv"),
    ]
    assert problems == [] and skipped == {}


# --- bad input -----------------------------------------------------------------------------


@pytest.fixture
def bad_build(tmp_path):
    src = make_bad_folder(tmp_path / "bad")
    result = build([src], tmp_path / "out", formats=CORE_FORMATS)
    return src, result


def _problems(result, kind: str, path: str) -> list[dict]:
    return [p for p in result.report[kind] if p["path"] == path]


def test_bad_input_malformed_yaml_keeps_title_keywords_description(bad_build):
    _, result = bad_build
    G = result.graph
    capital = G.nodes["capital"]
    assert capital["labels"] == {"sv": "Huvudstad"}
    assert capital["keywords"] == ["Economy", "Capital"]
    assert capital["descriptions"] == {"sv": "Fyra typer: skulder och arbete."}
    assert G.has_edge("capital", "lease")
    hnwi = G.nodes["hnwi"]
    assert hnwi["labels"] == {"sv": "HNWI"}
    assert hnwi["keywords"] == ["Personal Finance", "Wealth"]
    assert hnwi["descriptions"] == {"sv": '"Rik" person.'}
    for path in ("sv/capital.md", "sv/hnwi.md"):
        warned = _problems(result, "warnings", path)
        assert [w["line"] for w in warned] == [4], warned
        assert "YAML" in warned[0]["message"]


def test_bad_input_unclosed_front_matter(bad_build):
    _, result = bad_build
    node = result.graph.nodes["open"]
    assert node["labels"] == {"sv": "Öppen rubrik"}
    assert node["keywords"] == ["Investing"]
    assert result.graph.has_edge("open", "lease")
    warned = _problems(result, "warnings", "sv/open.md")
    assert [w["line"] for w in warned] == [1]


def test_bad_input_empty_file_is_reported(bad_build):
    _, result = bad_build
    assert [w["message"] for w in _problems(result, "warnings", "sv/empty.md")] == ["empty file"]


def test_bad_input_binary_file_is_an_error_and_not_in_the_graph(bad_build):
    _, result = bad_build
    assert "binary" not in result.graph
    assert not any(
        "sv/binary.md" in (d.get("paths") or {}).values() for _, d in result.graph.nodes(data=True)
    )
    errors = _problems(result, "errors", "sv/binary.md")
    assert len(errors) == 1 and "binary" in errors[0]["message"]


def test_bad_input_non_utf8_is_read_and_warned_with_its_line(bad_build):
    _, result = bad_build
    assert result.graph.nodes["latin"]["labels"] == {"sv": "Café"}
    assert result.graph.has_edge("latin", "lease")
    warned = _problems(result, "warnings", "sv/latin.md")
    assert [w["line"] for w in warned] == [2]
    assert "UTF-8" in warned[0]["message"]


def test_bad_input_dangling_symlink_is_an_unreadable_file(bad_build):
    _, result = bad_build
    errors = _problems(result, "errors", "sv/broken.md")
    assert len(errors) == 1 and "cannot read" in errors[0]["message"]
    assert "broken" not in result.graph


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode"
)
def test_bad_input_unreadable_file(tmp_path):
    src = write_articles(tmp_path / "src", {"a.md": article("A", "x"), "b.md": article("B", "x")})
    (src / "b.md").chmod(0)
    try:
        result = build([src], tmp_path / "out", formats=["json", "report"])
    finally:
        (src / "b.md").chmod(0o644)
    assert [p["path"] for p in result.report["errors"]] == ["b.md"]
    assert "b" not in result.graph


def test_bad_input_folder_named_like_an_article_is_reported(bad_build):
    _, result = bad_build
    assert len(_problems(result, "warnings", "sv/folder.md")) == 1
    assert "folder" not in result.graph


def test_bad_input_duplicate_slug_in_one_language(bad_build):
    _, result = bad_build
    kept = result.graph.nodes["dup"]["paths"]["sv"]
    assert kept in ("sv/dup.md", "Swedish/dup.md")
    other = "Swedish/dup.md" if kept == "sv/dup.md" else "sv/dup.md"
    errors = _problems(result, "errors", other)
    assert len(errors) == 1 and "duplicate" in errors[0]["message"]
    assert result.graph.nodes["dup"]["labels"]["sv"] == (
        "dup sv" if kept == "sv/dup.md" else "dup Swedish"
    )


def test_bad_input_every_file_is_in_the_graph_or_in_the_report(bad_build):
    src, result = bad_build
    G = result.graph
    in_graph = {p for _, d in G.nodes(data=True) for p in (d.get("paths") or {}).values()}
    reported = {p["path"] for kind in ("warnings", "errors") for p in result.report[kind]}
    inputs = set()
    for dirpath, dirnames, filenames in os.walk(src):
        for name in [*dirnames, *filenames]:
            if name.endswith(".md"):
                inputs.add((Path(dirpath) / name).relative_to(src).as_posix())
    assert len(inputs) == 11
    assert inputs - in_graph - reported == set()
    # and nothing is both in the graph and an error
    errors = {p["path"] for p in result.report["errors"]}
    assert not (errors & in_graph)
    # the graph knows the problems too
    assert G.graph["errors"] == result.report["errors"]
    assert G.graph["warnings"] == result.report["warnings"]


def test_bad_input_build_carries_on(bad_build):
    _, result = bad_build
    assert result.failed  # errors: such a build exits 1
    assert result.report["articles"] == 7  # lease capital hnwi open empty latin, one dup
    assert {"lease", "capital", "hnwi", "open", "empty", "dup", "latin"} <= set(result.graph)


def test_warnings_only_is_not_failed(tmp_path):
    src = write_articles(tmp_path / "src", {"sv/capital.md": MALFORMED_COLON})
    result = build([src], tmp_path / "out", formats=["json", "report"])
    assert not result.failed
    assert result.report["errors"] == []
    assert len(result.report["warnings"]) == 1


def test_files_hashed_in_two_processes_give_the_same_keys_and_problems(tmp_path, monkeypatch):
    # from PARALLEL_HASH files on, a forked child reads and hashes the first half
    import kg.engine.parse as corpus_module

    src = make_bad_folder(tmp_path / "bad")
    alone = corpus_module.scan([src])
    if not Workers().can_fork():
        pytest.skip("no fork here (threads running, or not POSIX)")
    monkeypatch.setattr(corpus_module, "PARALLEL_HASH", 2)
    split = corpus_module.scan([src])
    assert split.keys == alone.keys and len(split.keys) >= 8
    assert [k for k, _ in split.pending] == [k for k, _ in alone.pending]
    assert split.corpus.errors == alone.corpus.errors
    errors = split.corpus.errors
    assert any(p.path == "sv/broken.md" and "cannot read" in p.message for p in errors)


def _backdate(folder: Path, seconds: float = 60.0) -> None:
    """Set every file's mtime ``seconds`` back (the ctime stays: it is when this ran)."""
    past = time.time() - seconds
    for path in folder.rglob("*.md"):
        os.utime(path, (past, past))


@pytest.fixture
def trusting(monkeypatch):
    """Trust the stat of a file changed however recently (the files here are all new)."""
    import kg.engine.parse as corpus_module

    monkeypatch.setattr(corpus_module, "RACY_NS", -(10**12))


def test_a_rescan_takes_the_hash_of_a_file_whose_stat_did_not_change(tmp_path, trusting):
    import kg.engine.parse as corpus_module

    src = write_articles(tmp_path / "src", {"en/a.md": "See [b](/b).", "en/b.md": "B."})
    cache = BuildCache(tmp_path / "out")
    first = corpus_module.scan([src], cache=cache)
    stats = load_dict(cache.path(STATS))
    assert sorted(Path(p).name for p in stats) == ["a.md", "b.md"]
    # the recorded hash is what a rescan uses while the stat is the same: change it by hand
    a = str(src / "en" / "a.md")
    stats[a] = (stats[a][0], b"\0" * 16)
    save_dict(cache.path(STATS), stats)
    again = corpus_module.scan([src], cache=cache)
    keys = dict((s.slug, k) for k, s in again.pending)
    assert keys["b"] == dict((s.slug, k) for k, s in first.pending)["b"]
    assert keys["a"] not in first.keys
    # without the cache folder every file is read
    assert corpus_module.scan([src]).keys == first.keys


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path, trusting):
    import kg.engine.parse as corpus_module

    src = write_articles(tmp_path / "src", {"en/a.md": "See [b](/b).", "en/b.md": "B."})
    _backdate(src)
    cache = BuildCache(tmp_path / "out")
    first = corpus_module.scan([src], cache=cache)
    path = src / "en" / "a.md"
    st = path.stat()
    time.sleep(0.05)  # past the file system's clock tick: the ctime moves
    path.write_text("See [c](/c).", encoding="utf-8")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    again = corpus_module.scan([src], cache=cache)
    assert again.keys != first.keys
    result = build([src], tmp_path / "out", formats=["json"])
    assert result.graph.has_edge("a", "c") and not result.graph.has_edge("a", "b")


def test_a_file_changed_just_before_a_scan_is_not_trusted_by_its_stat(tmp_path):
    import kg.engine.parse as corpus_module

    src = write_articles(tmp_path / "src", {"en/a.md": "A.", "en/b.md": "B."})
    _backdate(src / "en")  # an old mtime, as cp -p or rsync -t leave: the ctime is now
    cache = BuildCache(tmp_path / "out")
    corpus_module.scan([src], cache=cache)
    assert load_dict(cache.path(STATS)) == {}  # within RACY_NS of the scan
    assert corpus_module.RACY_NS >= 10**9


def test_a_broken_stats_file_is_ignored(tmp_path, trusting):
    import kg.engine.parse as corpus_module

    src = write_articles(tmp_path / "src", {"en/a.md": "A.", "en/b.md": "B."})
    cache = BuildCache(tmp_path / "out")
    first = corpus_module.scan([src], cache=cache)
    save_dict(cache.path(STATS), {str(src / "en" / "a.md"): "junk"})
    assert corpus_module.scan([src], cache=cache).keys == first.keys
    (cache.path(STATS)).write_bytes(b"not a pickle")
    assert corpus_module.scan([src], cache=cache).keys == first.keys
