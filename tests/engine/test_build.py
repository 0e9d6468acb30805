"""kg.build's rebuilds: nothing changed → nothing rewritten; any change → a real build."""

from __future__ import annotations

import kg
from tests.corpora import article


def test_unchanged_rebuild_reads_the_build_and_rewrites_nothing(small_wiki, tmp_path):
    out = tmp_path / "out"
    first = kg.build(small_wiki, out, formats=["json", "csv", "report"])
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    again = kg.build(small_wiki, out, formats=["json", "csv", "report"])
    assert "unchanged" in again.timings and "graph" not in again.timings
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == mtimes
    assert sorted(again.graph.edges(data=True)) == sorted(first.graph.edges(data=True))
    assert again.report == first.report
    # the wall time covers the stages; a no-op build's "read" and "unchanged" are one span
    assert first.timings["read"] + first.timings["graph"] <= first.seconds
    assert again.timings["read"] == again.timings["unchanged"] <= again.seconds


def test_an_edit_an_option_or_a_lost_file_means_a_real_build(small_wiki, tmp_path):
    out = tmp_path / "out"
    kg.build(small_wiki, out, formats=["json", "report"])
    (small_wiki / "sv" / "lease.md").write_text(article("hyresavtal", "Se [ny](/ny)."))
    edited = kg.build(small_wiki, out, formats=["json", "report"])
    assert "graph" in edited.timings and "ny" in edited.graph
    other = kg.build(small_wiki, out, formats=["json", "report"], site_url="https://x.org")
    assert "graph" in other.timings
    (out / "report.md").unlink()
    restored = kg.build(small_wiki, out, formats=["json", "report"], site_url="https://x.org")
    assert "graph" in restored.timings and (out / "report.md").is_file()
    cold = kg.build(
        small_wiki, out, formats=["json", "report"], site_url="https://x.org", cache=False
    )
    assert "graph" in cold.timings


def test_cached_mention_scan_follows_new_titles_and_texts(tmp_path):
    from tests.corpora import write_articles

    src = write_articles(
        tmp_path / "src",
        {
            "en/a.md": article("Alpha", "Alpha works with a landlord and a tenant."),
            "en/b.md": article("Beta", "Beta text."),
        },
    )
    out = tmp_path / "out"
    first = kg.build(src, out, formats=["json"])
    assert first.graph.nodes["a"]["unlinked_mentions"] == {}
    (src / "en" / "b.md").write_text(article("Landlord", "Owns things."))  # a new title
    renamed = kg.build(src, out, formats=["json"])
    assert renamed.graph.nodes["a"]["unlinked_mentions"] == {"en": ["b"]}
    (src / "en" / "a.md").write_text(article("Alpha", "Alpha works alone."))  # a new text
    edited = kg.build(src, out, formats=["json"])
    assert edited.graph.nodes["a"]["unlinked_mentions"] == {}
    kg.build(src, tmp_path / "cold", formats=["json"], cache=False)
    assert (out / "graph.json").read_bytes() == (tmp_path / "cold" / "graph.json").read_bytes()


def test_jobs_1_keeps_every_step_in_this_process(small_wiki, tmp_path, monkeypatch):
    # no fork, no helper, no oxigraph command: the build that needs least memory
    import multiprocessing.process
    import subprocess

    from kg.engine import mentions

    def tripwire(*args, **kwargs):
        raise AssertionError("another process was started")

    monkeypatch.setattr(mentions, "PARALLEL_MIN", 1)  # a helper from the first text on
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", tripwire)
    monkeypatch.setattr(subprocess.Popen, "__init__", tripwire)
    one = kg.build(small_wiki, tmp_path / "one", jobs=1)
    assert one.graph.number_of_nodes() > 0
    monkeypatch.undo()
    kg.build(small_wiki, tmp_path / "two", jobs=2, cache=False)
    for name in ("graph.nt", "graph.json", "nodes.csv", "report.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
