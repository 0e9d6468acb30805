"""kg.viz: the HTML view's data, ego view, top N, escaping, determinism, offline page."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from kg.articles import parse_article
from kg.centrality import pagerank
from kg.cli import main
from kg.errors import KgError
from kg.graph import build_graph, concepts
from kg.positions import fast_layout, layout
from kg.viz import (
    DEFAULT_TOP,
    FULL_VIEW_MAX,
    Viz,
    _resolve_top,
    ego_concepts,
    ego_graph,
    render_html,
    script_json,
    top_concepts,
    visualize,
)
from tests.corpora import HOSTILE_IMG, HOSTILE_SCRIPT, hostile_files

DATA_RE = re.compile(r'<script id="kg-data" type="application/json">(.*?)</script>', re.S)


def graph_of(files: dict[str, str]) -> nx.DiGraph:
    arts = []
    for rel, text in files.items():
        lang, name = rel.split("/")
        arts.append(parse_article(text, path=rel, slug=name[:-3], lang=lang))
    return build_graph(arts)


@pytest.fixture
def G() -> nx.DiGraph:
    return graph_of(hostile_files())


def payload(page: str) -> dict:
    match = DATA_RE.search(page)
    assert match, "no kg-data block"
    return json.loads(match.group(1))


def node_ids(page: str) -> list[str]:
    return [r["id"] for r in payload(page)["nodes"]]


def test_node_ids_are_the_graphs_concepts(G):
    data = payload(render_html(G))
    assert [r["id"] for r in data["nodes"]] == concepts(G)
    missing = {r["id"] for r in data["nodes"] if r.get("missing")}
    assert missing == set(concepts(G, exists=False)) == {"cpa", "middleoffice"}
    assert {(u, v) for u, v, _ in data["edges"]} == {
        (u, v) for u, v, d in G.edges(data=True) if d["kind"] == "link"
    }
    keywords = {r["id"] for r in data["keywords"]}
    assert keywords == {n for n, d in G.nodes(data=True) if d["kind"] == "keyword"}


def test_page_keeps_pyvis_globals(G):
    page = render_html(G)
    assert "var network = null;" in page and "new vis.Network(container, data, options)" in page
    assert "var nodes = null;" in page and "var edges = null;" in page


def test_labels_in_every_language_and_anchor_texts(G):
    rec = {r["id"]: r for r in payload(render_html(G))["nodes"]}
    assert rec["backoffice"]["labels"] == [["en", "back office"], ["sv", "back office"]]
    assert rec["backoffice"]["desc"] == "The back office is administration."
    assert rec["backoffice"]["keywords"] == ["Investing", "Brokers", "Stock Brokers"]
    assert rec["lease"]["labels"] == [["sv", "hyresavtal"]]
    assert "CPA:er" in [rec["cpa"]["label"], *rec["cpa"].get("alt", [])]


def test_ego_view_is_exactly_the_neighbourhood():
    G = nx.DiGraph()
    for n in "abcdefg":
        G.add_node(n, kind="concept", exists=True, label=n.upper(), keywords=["K"])
    G.add_node("keyword:K", kind="keyword", label="K")
    for n in "abcdefg":
        G.add_edge(n, "keyword:K", kind="keyword")  # keywords must not connect concepts
    # a -> b <- c -> d -> e ; f -> a ; g alone
    for u, v in [("a", "b"), ("c", "b"), ("c", "d"), ("d", "e"), ("f", "a")]:
        G.add_edge(u, v, kind="link", weight=1)
    assert ego_concepts(G, "a", 1) == {"a": 0, "b": 1, "f": 1}
    assert set(ego_concepts(G, "a", 2)) == {"a", "b", "f", "c"}
    assert set(ego_concepts(G, "a", 0)) == {"a"}
    assert sorted(ego_graph(G, "b", 1)) == ["a", "b", "c", "keyword:K"]
    assert node_ids(render_html(G, focus="a", depth=2)) == ["a", "b", "c", "f"]
    assert node_ids(render_html(G, focus="e", depth=3)) == ["b", "c", "d", "e"]
    data = payload(render_html(G, focus="a", depth=1))
    assert [r["id"] for r in data["nodes"] if r.get("focus")] == ["a"]
    assert data["focus"] == "a"


def test_ego_view_of_the_small_wiki(G):
    assert node_ids(render_html(G, focus="frontoffice", depth=1)) == [
        "backoffice",
        "frontoffice",
        "lease",
    ]


def test_unknown_focus_suggests_close_matches(G):
    with pytest.raises(KgError, match=r"no concept 'backofice'.*did you mean: backoffice"):
        render_html(G, focus="backofice")
    with pytest.raises(KgError, match="no concept 'keyword:Investing'"):
        ego_graph(G, "keyword:Investing", 1)


def test_top_keeps_the_most_central(G):
    ranks = pagerank(G)
    best = sorted(ranks, key=lambda c: (-ranks[c], c))
    assert top_concepts(G, 3) == best[:3]
    assert sorted(node_ids(render_html(G, top=3))) == sorted(best[:3])
    assert node_ids(render_html(G, top=0)) == concepts(G)
    # the focus stays even when it is not central
    ids = node_ids(render_html(G, focus="evil2", depth=2, top=2))
    assert "evil2" in ids and len(ids) == 2
    assert "the 3 most central" in payload(render_html(G, top=3))["subtitle"]


def test_default_top():
    assert _resolve_top(None, FULL_VIEW_MAX) == FULL_VIEW_MAX
    assert _resolve_top(None, FULL_VIEW_MAX + 1) == DEFAULT_TOP
    assert _resolve_top(0, 5000) == 5000
    assert _resolve_top(50, 10) == 10


def test_hostile_text_cannot_leave_the_json_block(G):
    page = render_html(G)
    assert HOSTILE_SCRIPT not in page and HOSTILE_IMG not in page
    block = DATA_RE.search(page).group(1)
    assert not set(block) & {"<", ">", "&", "\u2028", "\u2029"}
    rec = {r["id"]: r for r in payload(page)["nodes"]}
    assert rec["evil"]["label"] == HOSTILE_IMG
    assert rec["evil2"]["label"] == HOSTILE_SCRIPT
    assert rec["evil"]["desc"].startswith("desc")
    assert "<b>kw</b>" in rec["evil2"]["keywords"]
    # exactly one closing tag per script block: the data, vis-network and kg's script
    assert page.count("</script>") == 3
    page = render_html(G, title=HOSTILE_SCRIPT)
    assert f"<title>{html.escape(HOSTILE_SCRIPT)}</title>" in page


def test_script_json_escapes():
    text = script_json({"a": "</script>\u2028&"})
    assert text == '{"a":"\\u003c/script\\u003e\\u2028\\u0026"}'
    assert json.loads(text) == {"a": "</script>\u2028&"}


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_page_is_offline(G):
    page = render_html(G)
    parser = _Refs()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert "link" not in tags and "img" not in tags and "iframe" not in tags
    for tag, attrs in parser.tags:
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    scripts = [a for t, a in parser.tags if t == "script"]
    assert len(scripts) == 3
    csp = [
        a["content"]
        for t, a in parser.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and "default-src 'none'" in csp[0] and "connect-src 'none'" in csp[0]
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?:", page, re.I)
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis|bootstrap", page, re.I)
    assert "sourceMappingURL" not in page
    assert "@license" in page  # vis-network's licence header is kept


def test_deterministic(G):
    assert render_html(G) == render_html(G)
    reordered = graph_of(dict(reversed(list(hostile_files().items()))))
    assert render_html(reordered, color_by="community") == render_html(G, color_by="community")


def test_colour_size_and_toggles(G):
    data = payload(
        render_html(
            G, color_by="community", size_by="in-links", show_keywords=True, show_missing=False
        )
    )
    assert data["showKeywords"] is True and data["showMissing"] is False
    assert data["colorBy"] == "community" and data["sizeBy"] == "in-links"
    legend = data["legend"]
    assert legend[-1]["missing"] and legend[-1]["count"] == 2
    assert sum(g["count"] for g in legend) == len(data["nodes"])
    rec = {r["id"]: r for r in data["nodes"]}
    assert rec["backoffice"]["in"] == 2  # frontoffice and evil link to it
    assert rec["frontoffice"]["size"] == 27.0  # most in-links: the largest article
    by_kw = payload(render_html(G))
    investing = [i for i, g in enumerate(by_kw["legend"]) if g["name"] == "Investing"]
    assert investing
    assert {r["id"] for r in by_kw["nodes"] if r["group"] == investing[0]} == {
        "backoffice",
        "evil",
        "frontoffice",
    }


def test_bad_options(G):
    with pytest.raises(KgError, match="color_by"):
        render_html(G, color_by="rainbow")
    with pytest.raises(KgError, match="size_by"):
        render_html(G, size_by="degree")
    with pytest.raises(KgError, match="top must be 0 or more"):
        render_html(G, top=-1)


def test_empty_graph():
    data = payload(render_html(nx.DiGraph()))
    assert data["nodes"] == [] and data["edges"] == []


def test_layouts_are_deterministic_and_bounded():
    edges = [(i, (i * 7 + 3) % 600) for i in range(600)]
    a = fast_layout(600, edges)
    assert (a == fast_layout(600, edges)).all()
    assert abs(a).max() <= 1.0 + 1e-9
    names = [f"n{i}" for i in range(600)]
    big = layout(names, [(names[u], names[v]) for u, v in edges])
    small = layout(names[:50], [(names[u], names[v]) for u, v in edges if u < 50 and v < 50])
    assert len(big) == 600 and len(small) == 50
    assert small == layout(
        names[:50], [(names[u], names[v]) for u, v in edges if u < 50 and v < 50]
    )


def test_visualize_writes_or_returns_a_notebook_view(G, tmp_path):
    out = visualize(G, out=tmp_path / "v.html", focus="lease")
    assert out == tmp_path / "v.html"
    assert node_ids(out.read_text(encoding="utf-8")) == ["backoffice", "frontoffice", "lease"]
    assert [p.name for p in tmp_path.iterdir()] == ["v.html"]  # no temporary file left
    view = visualize(G)
    assert isinstance(view, Viz)
    frame = view._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in frame
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', frame).group(1)
    assert html.unescape(srcdoc) == view.html
    assert view.save(tmp_path / "n.html").read_text(encoding="utf-8") == view.html


def write_build(tmp_path: Path) -> Path:
    src = tmp_path / "wiki"
    for rel, text in hostile_files().items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    out = tmp_path / "exports"
    assert main(["build", str(src), "--out", str(out)]) == 0
    return out


def test_cli(tmp_path, capsys, monkeypatch):
    data = write_build(tmp_path)
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["viz", "--data", str(data)]) == 0
    assert capsys.readouterr().out.strip() == "viz.html"
    assert node_ids((tmp_path / "viz.html").read_text(encoding="utf-8")) == concepts(
        graph_of(hostile_files())
    )
    assert (
        main(
            [
                "viz",
                "--data",
                str(data),
                "--focus",
                "lease",
                "--depth",
                "1",
                "--out",
                "ego.html",
                "--color-by",
                "community",
                "--size-by",
                "in-links",
                "--keywords",
                "--no-missing",
            ]
        )
        == 0
    )
    data_ = payload((tmp_path / "ego.html").read_text(encoding="utf-8"))
    assert [r["id"] for r in data_["nodes"]] == ["backoffice", "frontoffice", "lease"]
    assert data_["showKeywords"] and not data_["showMissing"]
    assert main(["viz", "--data", str(data), "--focus", "leese"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kg: error: no concept 'leese'") and "lease" in err
    assert "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        main(["viz", "--data", str(data), "--top", "-3"])
    assert exc.value.code == 2
