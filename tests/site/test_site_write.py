"""Writing the site: deterministic, only what changed, the same bytes as a cold build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from site_wiki import SITE_WIKI

from kg.errors import KgError
from kg.site import write_site
from tests.corpora import article, graph_of, tree


def edited(files: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    out = dict(files)
    for rel, text in changes.items():
        assert rel.endswith(".md")
        if text is None:
            out.pop(rel)
        else:
            out[rel] = text
    return out


def test_two_cold_builds_are_byte_identical(tmp_path):
    write_site(graph_of(SITE_WIKI), tmp_path / "a")
    write_site(graph_of(SITE_WIKI), tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_writing_again_writes_nothing(tmp_path):
    G = graph_of(SITE_WIKI)
    first = write_site(G, tmp_path)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    again = write_site(G, tmp_path)
    assert (again.written, again.removed) == (0, 0)
    assert again.unchanged == first.written == first.files
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before


def test_one_edit_rewrites_its_pages_and_matches_a_cold_build(tmp_path):
    site = tmp_path / "site"
    write_site(graph_of(SITE_WIKI), site)
    old_summary = (site / "summary.json").read_bytes()
    changed = edited(
        SITE_WIKI,
        {
            "fi/lease.md": article(
                "vuokrasopimus",
                "Sopimus vuokrasta. Katso [takahuone](/backoffice).\nUusi lause ilman linkkiä.\n",
                description="Vuokra.",
            )
        },
    )
    result = write_site(graph_of(changed), site)
    # lease's page, Turtle and JSON-LD; back office's page, which shows where the Finnish
    # sentence linking to it stands (its line moved); no index: no title changed
    assert result.written == 4
    assert result.removed == 0
    # a cold build into a folder holding the same previous summary gives the same bytes
    cold = tmp_path / "cold"
    cold.mkdir()
    (cold / "summary.json").write_bytes(old_summary)
    write_site(graph_of(changed), cold)
    assert tree(site) == tree(cold)


def test_a_removed_article_removes_its_pages(tmp_path):
    site = tmp_path / "site"
    write_site(graph_of(SITE_WIKI), site)
    assert (site / "concept/evil2.html").exists()
    without = edited(
        SITE_WIKI,
        {"en/evil2.md": None, "en/evil.md": SITE_WIKI["en/evil.md"].replace("[x](/evil2)", "x")},
    )
    old_summary = (site / "summary.json").read_bytes()
    result = write_site(graph_of(without), site)
    assert result.removed >= 3  # evil2's page, its Turtle and JSON-LD, and what only it linked
    for ext in ("html", "ttl", "jsonld"):
        assert not (site / f"concept/evil2.{ext}").exists()
    assert not (site / "keyword/b-kw-b.html").exists()  # its keyword, only it had it
    cold = tmp_path / "cold"
    cold.mkdir()
    (cold / "summary.json").write_bytes(old_summary)
    write_site(graph_of(without), cold)
    assert tree(site) == tree(cold)


def test_a_folder_that_holds_no_site_loses_nothing(tmp_path):
    mine = tmp_path / "concept" / "notes.html"
    mine.parent.mkdir()
    mine.write_text("mine")
    result = write_site(graph_of(SITE_WIKI), tmp_path)
    assert mine.read_text() == "mine" and result.removed == 0
    # once it holds a site, files the site did not make in its folders go
    write_site(graph_of(SITE_WIKI), tmp_path)
    assert not mine.exists()


def test_a_damaged_page_is_written_again(tmp_path):
    G = graph_of(SITE_WIKI)
    write_site(G, tmp_path)
    page = tmp_path / "concept" / "lease.html"
    good = page.read_bytes()
    page.write_bytes(good[:200])
    result = write_site(G, tmp_path)
    assert result.written == 1 and page.read_bytes() == good


def test_summary_keeps_the_previous_build_for_the_dashboard(tmp_path):
    write_site(graph_of(SITE_WIKI), tmp_path)
    first = json.loads((tmp_path / "summary.json").read_text())
    assert first["previous"] is None
    assert "since the previous build" not in (tmp_path / "quality.html").read_text()
    more = edited(
        SITE_WIKI, {"sv/rent.md": article("hyra", "Se [hyresavtal](/lease) och [moms](/vat).\n")}
    )
    write_site(graph_of(more), tmp_path)
    second = json.loads((tmp_path / "summary.json").read_text())
    assert second["previous"] == first["figures"]
    assert second["figures"]["concepts"] == first["figures"]["concepts"] + 1
    quality = (tmp_path / "quality.html").read_text()
    assert "since the previous build" in quality and 'class="prev"' in quality
    now = second["figures"]["concepts"]
    assert (
        f"<strong>{now}</strong> concepts with an article "
        '<span class="delta" title="since the previous build">+1</span>'
    ) in quality
    # the same graph again: the change shown stays, the bytes too
    snapshot = tree(tmp_path)
    write_site(graph_of(more), tmp_path)
    assert tree(tmp_path) == snapshot


def test_bad_options_are_clean_errors(tmp_path):
    G = graph_of(SITE_WIKI)
    with pytest.raises(KgError, match="no language tag"):
        write_site(G, tmp_path, display_lang="sv<")
    with pytest.raises(KgError, match="absolute IRI"):
        write_site(G, tmp_path, base_iri="relative/")
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(KgError, match="is a file"):
        write_site(G, target)


def test_a_build_folder_works(tmp_path):
    import kg

    shutil.copytree(Path(__file__).resolve().parents[2] / "articles", tmp_path / "articles")
    kg.build(tmp_path / "articles", tmp_path / "exports", formats=["json"])
    G = kg.load(tmp_path / "exports")
    result = kg.write_site(G, tmp_path / "site", display_lang="sv")
    assert result.files > 10
    page = (tmp_path / "site" / "concept" / "backoffice.html").read_text()
    assert '<h1><span lang="sv">back office</span></h1>' in page


def test_an_empty_graph_and_a_lone_orphan_make_a_site(tmp_path):
    import networkx as nx

    empty = write_site(nx.DiGraph(), tmp_path / "empty")
    assert (tmp_path / "empty" / "quality.html").is_file() and empty.files > 5
    alone = graph_of({"en/only.md": article("only", "No links here.\n")})
    write_site(alone, tmp_path / "alone")
    orphans = (tmp_path / "alone" / "orphans.html").read_text()
    assert '<a href="concept/only.html"><span lang="en">only</span></a>' in orphans


def test_only_a_new_drawing_draws_every_page_again(tmp_path, monkeypatch):
    import kg.site.write as site_write

    G = graph_of(SITE_WIKI)
    write_site(G, tmp_path / "s")
    pages = len(list((tmp_path / "s" / "concept").glob("*.html")))
    # the rest of kg's code is not in a page's digest: what it computes is the page's data
    monkeypatch.setattr("kg.version.code_digest", lambda: "another kg")
    assert write_site(G, tmp_path / "s").written == 0
    monkeypatch.setattr(site_write, "drawing_digest", lambda: "another drawing")
    assert write_site(G, tmp_path / "s").written >= pages
