"""kg.viz, issue 19: one display language, sizes that put articles first, missing concepts
hidden past a few hundred, label ranks, stable keyword colours, evidence and sources."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.viz import MISSING_SHOWN_MAX, keyword_colours, render_html
from tests.core.test_viz import payload
from tests.corpora import article, graph_of

WIKI = {
    "sv/lease.md": article(
        "hyresavtal",
        "## Avtal\n\nEtt [hyresavtal](/lease) binder en [hyresgäst](/tenant) till huset.",
        keywords="Real Estate",
        description="Ett avtal om att hyra.",
    ),
    "en/lease.md": article(
        "lease",
        "## Terms\n\nA lease binds a [tenant](/tenant) to a landlord.",
        keywords="Real Estate",
        description="A contract to rent.",
    ),
    "sv/tålamod.md": article("Tålamod", "Se [hyresavtal](/lease).", keywords="Investing"),
    "ar/isda.md": article(
        "(ISDA) الرابطة الدولية للمبادلات والمشتقات",
        "انظر [عقد الإيجار](/lease).",
        keywords="Trading",
    ),
}


@pytest.fixture(scope="module")
def G():
    return graph_of(WIKI)


def nodes_of(page: str) -> dict[str, dict]:
    return {r["id"]: r for r in payload(page)["nodes"]}


def test_labels_in_the_display_language_and_fallbacks_marked(G):
    default = nodes_of(render_html(G))
    assert default["lease"]["label"] == "lease" and "fallback" not in default["lease"]
    assert default["tålamod"]["label"] == "Tålamod" and default["tålamod"]["fallback"]
    swedish = nodes_of(render_html(G, lang="sv"))
    assert (swedish["lease"]["label"], swedish["lease"]["lang"]) == ("hyresavtal", "sv")
    assert "fallback" not in swedish["tålamod"]
    assert swedish["tenant"]["label"] == "hyresgäst"  # a missing concept, by its sv anchor
    assert swedish["lease"]["labels"][0] == ["sv", "hyresavtal"]
    assert swedish["lease"]["desc"] == "Ett avtal om att hyra."
    assert "labels in sv" in payload(render_html(G, lang="sv"))["subtitle"]


def test_right_to_left_labels_are_marked(G):
    rec = nodes_of(render_html(G, lang="ar"))
    assert rec["isda"]["rtl"] is True and "rtl" not in rec["lease"]


def test_articles_are_larger_than_missing_concepts_and_the_focus_largest(G):
    rec = nodes_of(render_html(G, focus="lease", depth=1))
    articles = [r["size"] for r in rec.values() if not r.get("missing") and not r.get("focus")]
    missing = [r["size"] for r in rec.values() if r.get("missing")]
    assert min(articles) > max(missing)
    assert rec["lease"]["size"] > max(r["size"] for r in rec.values() if r["id"] != "lease")
    assert rec["lease"]["rank"] == 0  # the focus is labelled first


def test_label_ranks_put_articles_before_missing_concepts(G):
    rec = nodes_of(render_html(G))
    ranks = sorted(rec.values(), key=lambda r: r["rank"])
    kinds = [bool(r.get("missing")) for r in ranks]
    assert kinds == sorted(kinds)  # every article before every missing concept
    assert sorted(r["rank"] for r in rec.values()) == list(range(len(rec)))


def big_graph(articles: int, missing_each: int) -> nx.DiGraph:
    G = nx.DiGraph()
    for i in range(articles):
        G.add_node(f"a{i}", kind="concept", exists=True, label=f"A{i}", keywords=["K"])
        for j in range(missing_each):
            m = f"m{i}-{j}"
            G.add_node(m, kind="concept", exists=False, label=m)
            G.add_edge(f"a{i}", m, kind="link", weight=1)
    return G


def test_missing_concepts_are_hidden_at_first_past_a_few_hundred():
    small = payload(render_html(big_graph(10, 5)))
    assert small["showMissing"] is True
    large = payload(render_html(big_graph(40, 10)))
    assert len(large["nodes"]) > MISSING_SHOWN_MAX and large["showMissing"] is False
    assert payload(render_html(big_graph(40, 10), show_missing=True))["showMissing"] is True


def test_a_keyword_keeps_its_colour_in_every_view():
    files = {}
    for i in range(6):
        files[f"en/inv{i}.md"] = article(f"Inv {i}", "[b0](/bus0)", keywords="Investing")
    for i in range(3):
        files[f"en/bus{i}.md"] = article(f"Bus {i}", "[i0](/inv0)", keywords="Business")
    G = graph_of(files)
    colours = keyword_colours(G)
    assert list(colours) == ["Investing", "Business"]

    def colour(page, name):
        return {g["name"]: g["color"] for g in payload(page)["legend"]}[name]

    views = [render_html(G), render_html(G, focus="bus1", depth=1), render_html(G, top=2)]
    assert {colour(v, "Business") for v in views} == {colours["Business"]}
    assert {colour(v, "Investing") for v in views if "Investing" in v} == {colours["Investing"]}


def test_evidence_of_each_link_display_language_first(G):
    data = payload(render_html(G, lang="sv"))
    i = [j for j, e in enumerate(data["edges"]) if e[:2] == ["lease", "tenant"]][0]
    assert data["evidence"][i][0] == [
        "sv",
        "hyresgäst",
        "Avtal",
        "Ett hyresavtal binder en hyresgäst till huset.",
    ]
    assert data["evidence"][i][1][0] == "en"
    english = payload(render_html(G))
    i = [j for j, e in enumerate(english["edges"]) if e[:2] == ["lease", "tenant"]][0]
    assert english["evidence"][i][0][0] == "en"


def test_source_files_per_language(G, tmp_path):
    from kg.viz import visualize

    rec = nodes_of(render_html(G, lang="sv"))
    assert rec["lease"]["paths"] == [["sv", "sv/lease.md"], ["en", "en/lease.md"]]
    assert payload(render_html(G))["sources"] == ""
    G.graph["site_url"] = "https://investors.wiki/"
    assert payload(render_html(G))["sources"] == "https://investors.wiki"
    del G.graph["site_url"]
    (tmp_path / "articles").mkdir()
    out = visualize(G, out=tmp_path / "views" / "v.html", sources=tmp_path / "articles")
    assert payload(out.read_text(encoding="utf-8"))["sources"] == "../articles"


def test_bad_display_language(G):
    with pytest.raises(Exception, match="lang"):
        render_html(G, lang="not a tag")


def test_views_past_the_full_view_size_leave_the_sentences_out(G, monkeypatch):
    import kg.viz

    monkeypatch.setattr(kg.viz, "FULL_VIEW_MAX", 2)
    data = payload(render_html(G, top=0))
    assert data["evidence"] is None and len(data["edges"]) > 0
