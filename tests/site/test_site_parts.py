"""The site's parts on their own: related in bulk, A–Z order, marks, file names, charts."""

from __future__ import annotations

import random
from urllib.parse import unquote

import pytest
from site_wiki import site_graph

from kg.explore import related
from kg.graph import concepts
from kg.site.charts import Bar, hbars, log_ticks, vbars
from kg.site.collation import letter, sort_key
from kg.site.evidence import mark
from kg.site.related import BLOCK_ROWS, related_all
from kg.site.urls import concept_path, relative
from tests.corpora import article, graph_of


def random_wiki(n: int, seed: int) -> dict[str, str]:
    """Articles linking at random, hubs included, keywords from a small pool."""
    rng = random.Random(seed)
    slugs = [f"c{i}" for i in range(n)]
    files = {}
    for slug in slugs:
        targets = rng.sample(slugs, rng.randint(0, 6)) + rng.choices(slugs[:3], k=rng.randint(0, 2))
        targets += [f"gone{rng.randint(0, 9)}"] * rng.randint(0, 1)
        body = " ".join(f"[{t}](/{t})" for t in targets) or "Nothing."
        keywords = ",".join(
            rng.sample(["Tax", "Bonds", "Stocks", "Funds", "Rare"], rng.randint(0, 3))
        )
        files[f"en/{slug}.md"] = article(slug, body + "\n", keywords=keywords)
    return files


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_related_in_bulk_is_kg_related(seed):
    G = graph_of(random_wiki(BLOCK_ROWS + 40, seed))  # more than one block of rows
    answers = related_all(G)
    for node in concepts(G):
        assert answers[node] == _plain(related(G, node)), node


def test_related_in_bulk_on_the_site_wiki_and_other_tops():
    G = site_graph()
    for top in (1, 3, 10):
        answers = related_all(G, top=top)
        for node in concepts(G):
            assert answers[node] == _plain(related(G, node, top=top)), (node, top)


def test_a_to_z_order_and_letters():
    words = ["Öre", "zon", "ål", "Äpple", "apa", "Émission", '"Citat"', "401(k)"]
    assert sorted(words, key=lambda w: sort_key(w, "sv")) == [
        "401(k)", "apa", "\"Citat\"", "Émission", "zon", "ål", "Äpple", "Öre",
    ]  # fmt: skip
    assert sorted(words, key=lambda w: sort_key(w, "en"))[:5] == [
        "401(k)", "ål", "apa", "Äpple", '"Citat"',
    ]  # fmt: skip
    assert [letter(w, "sv") for w in ["Äpple", "Émission", "401(k)", "—"]] == ["Ä", "E", "0–9", "#"]
    assert letter("Äpple", "de") == "A"
    assert letter("한국", "ko") == "ᄒ" and letter("中文", "zh") == "漢"


def test_marks_find_anchors_whole_words_only():
    assert mark("Leasing a lease", ["lease"]) == [("Leasing a ", False), ("lease", True)]
    assert mark("CPA:er arbetar", ["CPA:er"]) == [("CPA:er", True), (" arbetar", False)]
    assert mark("İstanbul lease", ["lease"]) == [("İstanbul lease", False)]  # lower() grows


@pytest.mark.parametrize("slug", ["lease", "down_payment", "ränta", 'a"b}', "50%", "a#b?c", "inc."])
def test_file_names_and_links_round_trip(slug):
    path = concept_path(slug)
    assert path.startswith("concept/") and path.endswith(".html")
    assert "/" not in path[len("concept/") :]
    href = relative("a-z/sv/a.html", path)
    assert unquote(href) == "../../" + path  # a browser maps the link to the file


def test_charts_are_shapes_with_tables():
    chart = hbars("c", "T <x>", [Bar("a", 3, previous=1), Bar("b", 0)], head=["k", "n"],
                  has_previous=True)  # fmt: skip
    kinds = [s["kind"] for s in chart["shapes"]]
    assert kinds.count("rect") == 2 and "prev" in {s["cls"] for s in chart["shapes"]}
    assert [c["text"] for c in chart["table"]["rows"][0]] == ["a", "3", "+2"]
    assert chart["table"]["head"][-1] == "change"
    bars = vbars("v", "V", ["0", "1", "2–3"], [("out", [5, 0, 1000], None)], head=["x", "n"])
    rects = [s for s in bars["shapes"] if s["kind"] == "rect" and s["cls"] == "bar" and s["tip"]]
    assert len(rects) == 2  # no bar for 0
    assert rects[1]["h"] > rects[0]["h"] > 0  # 1000 over 5, on a log scale
    assert log_ticks(1000) == [1, 10, 100, 1000]


def test_a_small_graph_is_placed_alike_alone_or_in_any_batch():
    from kg.site.context import SiteContext
    from kg.site.ego import WIDTH, ego_view, place, place_all

    G = graph_of(random_wiki(60, 3))
    site = SiteContext(G)
    views = [ego_view(site, n, f"concept/{n}.html") for n in concepts(G)]
    alone = [place(v) for v in views]
    assert place_all(views) == alone
    assert place_all(views[::-1], chunk=7) == alone[::-1]
    for view in alone:
        xs = [n["x"] for n in view["nodes"]]
        assert all(0 <= x <= WIDTH for x in xs)
        if len(xs) > 2:
            assert len(set(xs)) > 1  # spread out, not piled up


def _plain(rows: list[dict]) -> list[dict]:
    """kg.related's rows without the language of their label (the site shows its own)."""
    return [{k: v for k, v in row.items() if k != "label_lang"} for row in rows]
