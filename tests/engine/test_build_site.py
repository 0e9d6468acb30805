"""kg build --site: the concept site as part of a build, the same as kg site writes it."""

from __future__ import annotations

import os
import shutil

import pytest

from kg import build, load
from kg.errors import InvalidArgument
from kg.site import write_site
from tests.corpora import article, tree


def test_a_build_with_site_writes_what_kg_site_writes(small_wiki, tmp_path):
    out = tmp_path / "out"
    result = build([small_wiki], out, site=True, display_lang="sv")
    assert "export:site" in result.timings
    assert (out / "site" / "index.html").is_file()
    assert (out / "site" / "concept" / "backoffice.html").is_file()
    alone = tmp_path / "alone"
    write_site(load(out), alone, display_lang="sv")
    assert tree(out / "site") == tree(alone)


def test_a_rebuild_after_an_edit_rewrites_only_changed_pages_and_equals_a_cold_build(
    small_wiki, tmp_path
):
    out = tmp_path / "out"
    build([small_wiki], out, site=True)
    site = out / "site"
    before = {p: p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    summary = (site / "summary.json").read_bytes()
    (small_wiki / "sv" / "lease.md").write_text(article("hyresavtal", "Se [ny sak](/nysak)."))
    result = build([small_wiki], out, site=True)
    assert "nysak" in result.graph
    assert (site / "concept" / "nysak.html").is_file()
    after = {p: p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    kept = [p for p in after if before.get(p) == after[p]]  # hard links of the last site
    assert kept, "no page was kept from the last build"
    assert len(kept) < len(after)
    lease = site / "concept" / "lease.html"
    assert before[lease] != after[lease]  # the edited concept's page was written again
    # the same bytes as a cold site of the same graph after the same previous build
    cold = tmp_path / "cold"
    cold.mkdir()
    (cold / "summary.json").write_bytes(summary)
    write_site(result.graph, cold)
    assert tree(site) == tree(cold)


def test_a_build_without_site_removes_the_site_of_the_last_build(small_wiki, tmp_path):
    out = tmp_path / "out"
    build([small_wiki], out, site=True)
    assert (out / "site").is_dir()
    again = build([small_wiki], out, site=True)
    assert "unchanged" in again.timings  # the site is part of what a no-op build checks
    shutil.rmtree(out / "site")  # removed by hand: the next build writes it again
    assert "unchanged" not in build([small_wiki], out, site=True).timings
    assert (out / "site" / "index.html").is_file()
    build([small_wiki], out)
    assert not (out / "site").exists()
    assert (out / "graph.json").is_file()


def test_a_site_folder_of_the_users_own_is_kept(small_wiki, tmp_path):
    out = tmp_path / "out"
    build([small_wiki], out)
    (out / "site").mkdir()
    (out / "site" / "mine.txt").write_text("kept")
    build([small_wiki], out, formats=["json"])
    assert (out / "site" / "mine.txt").read_text() == "kept"


def test_a_bad_display_language_is_refused_before_anything_is_written(small_wiki, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(InvalidArgument, match="display_lang"):
        build([small_wiki], out, site=True, display_lang="<sv>")
    assert not out.exists()


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_the_site_of_the_last_build_is_not_changed_by_the_next(small_wiki, tmp_path):
    # pages are hard-linked into the new build and replaced, never written in place
    out = tmp_path / "out"
    build([small_wiki], out, site=True)
    keep = tmp_path / "keep"
    shutil.copytree(out / "site", keep, copy_function=os.link)
    saved = tree(keep)
    (small_wiki / "sv" / "lease.md").write_text(article("hyresavtal", "Helt ny text."))
    build([small_wiki], out, site=True)
    assert tree(keep) == saved
    assert tree(out / "site") != saved
