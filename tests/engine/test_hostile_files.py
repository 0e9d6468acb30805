"""A single hostile file never stops, crashes or swamps a build: each row of the issue.

The files are written by the tests (:mod:`tests.hostile`). Builds that could crash the
interpreter, hang or take the machine's memory on a kg without these limits run as a
real ``python -m kg build`` with a time limit and a memory cap (:func:`run_kg`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyromark
import pytest

import kg
import kg.markdown
from kg.formats import FILES
from tests import hostile
from tests.corpora import article, write_articles
from tests.hostile import run_kg

MAX_LABEL = 500  # kg.limits.MAX_LABEL, written out: the tests also run on a kg without it
EXPORTS = [
    name
    for fmt in ("ttl", "nt", "jsonld", "graphml", "gexf", "json", "csv", "html", "report")
    for name in FILES[fmt]
]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """A flat folder of three plain articles (English)."""
    return write_articles(
        tmp_path / "src",
        {
            "backoffice.md": article(
                "back office", "See [front office](/frontoffice).\n", "Investing"
            ),
            "frontoffice.md": article("front office", "Unlike [back office](/backoffice).\n"),
            "lease.md": article("lease", "A [landlord](/landlord) signs.\n", "Real Estate"),
        },
    )


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text("utf-8"))


def _graph(out: Path) -> dict:
    data = json.loads((out / "graph.json").read_text("utf-8"))
    return {node["id"]: node for node in data["nodes"]}


def _problems(out: Path, kind: str, name: str) -> list[dict]:
    return [p for p in _report(out)[kind] if name in p["path"]]


def _the_others_are_built(out: Path) -> None:
    nodes = _graph(out)
    assert {"backoffice", "frontoffice", "lease"} <= {
        n for n, d in nodes.items() if d.get("exists")
    }
    assert nodes["backoffice"]["labels"] == {"en": "back office"}


# --- YAML -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["title", "description", "keywords"])
def test_a_yaml_alias_bomb_is_refused_and_its_article_still_read(src, tmp_path, key):
    hostile.write_alias_bomb(src, key)
    out = tmp_path / "out"
    ran = run_kg("build", src, "--out", out, "-q", timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    warned = _problems(out, "warnings", "bomb.md")
    assert any("YAML alias" in p["message"] and p["line"] == 3 for p in warned), warned
    bomb = _graph(out)["bomb"]
    assert bomb["labels"] == {"en": "Bomb heading"}  # the body's H1: the alias is not used
    assert bomb["descriptions"] == {"en": "The body still links back office."}
    assert bomb["keywords"] == []
    assert any(e["source"] == "bomb" and e["target"] == "backoffice" for e in _edges(out))
    assert sum((out / name).stat().st_size for name in EXPORTS) < 5 * 2**20
    _the_others_are_built(out)


def _edges(out: Path) -> list[dict]:
    return json.loads((out / "graph.json").read_text("utf-8"))["edges"]


def test_a_date_yaml_cannot_build_is_read_line_by_line(src, tmp_path):
    hostile.write_bad_date(src)
    result = kg.build(src, tmp_path / "out", formats=["json", "report"])
    node = result.graph.nodes["dated"]
    assert node["labels"] == {"en": "Dated"} and node["keywords"] == ["[2020-02-30]"]
    assert not result.report["errors"]
    assert any("cannot read" in p["message"] for p in _problems(result.out, "warnings", "dated"))


def test_an_unterminated_quote_is_dropped_from_the_recovered_title(src, tmp_path):
    hostile.write_unterminated(src)
    result = kg.build(src, tmp_path / "out", formats=["json", "report"])
    assert result.graph.nodes["unterminated"]["label"] == "unterminated"
    assert result.graph.nodes["unterminated"]["keywords"] == ["Investing"]


# --- sizes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["title", "h1"])
def test_a_title_of_600000_characters_is_cut_with_a_warning(src, tmp_path, where):
    hostile.write_long_title(src, 600_000, where)
    out = tmp_path / "out"
    ran = run_kg("build", src, "--out", out, "-q", timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]  # not SIGSEGV in the mention scan
    node = _graph(out)[f"long-{where}"]
    assert len(node["label"]) == MAX_LABEL and node["label"].endswith("…")
    warned = _problems(out, "warnings", f"long-{where}.md")
    line = 2 if where == "title" else 1
    assert any("longer than 500" in p["message"] and p["line"] == line for p in warned), warned
    _the_others_are_built(out)


def test_anchors_and_keywords_are_cut_too(tmp_path):
    long = "k" * 2000
    src = write_articles(
        tmp_path / "src",
        {"a.md": article("a", f"See [{long}](/b).\n", keywords=f"{long},short")},
    )
    result = kg.build(src, tmp_path / "out", formats=["json", "report"])
    node = result.graph.nodes["a"]
    assert [len(k) for k in node["keywords"]] == [MAX_LABEL, 5]
    assert [len(a) for a in result.graph.edges["a", "b"]["anchors"]] == [MAX_LABEL]
    messages = {p["message"] for p in result.report["warnings"]}
    assert {m.split(" longer")[0] for m in messages} >= {"keyword", "anchor text"}


def test_a_paragraph_of_50000_links_is_read_in_linear_work(src, tmp_path, monkeypatch):
    path = hostile.write_many_links(src, 50_000)
    size = path.stat().st_size
    cleaned = [0]
    clean = kg.markdown.clean_text

    def counting(value):  # every character the body's sentences and anchors clean
        cleaned[0] += len(value) if isinstance(value, str) else 0
        assert cleaned[0] < 20 * size, "cleaning grows with the paragraph for every link"
        return clean(value)

    monkeypatch.setattr(kg.markdown, "clean_text", counting)
    result = kg.build(src, tmp_path / "out", formats=["json", "report"], jobs=1)
    assert result.graph.out_degree("links") == 997
    assert sum(d["weight"] for _, _, d in result.graph.out_edges("links", data=True)) == 50_000
    _the_others_are_built(result.out)


@pytest.mark.slow
def test_a_10_mb_article_is_built(src, tmp_path):
    hostile.write_big_article(src, 10)
    out = tmp_path / "out"
    ran = run_kg("build", src, "--out", out, "-q", timeout=600)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert _graph(out)["big"]["exists"]


def test_files_over_the_size_limit_are_left_out_with_an_error(src, tmp_path):
    (src / "huge.md").write_text(article("huge", "x" * 5000))
    out = tmp_path / "out"
    ran = run_kg("build", src, "--out", out, "-q", "--max-file-size", "4K", timeout=120)
    assert ran.returncode == 1
    errors = _problems(out, "errors", "huge.md")
    assert errors and "over the 0.003906 MB limit" in errors[0]["message"]
    assert "huge" not in _graph(out)
    _the_others_are_built(out)


# --- what is not a plain file ------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(src, tmp_path):
    hostile.write_bad_name(src)
    out = tmp_path / "out"
    ran = run_kg("build", src, "--out", out, "-q", timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    node = _graph(out)["bad\\xff\\xfe"]
    assert node["paths"] == {"en": "bad\\xff\\xfe.md"}
    assert _problems(out, "warnings", "bad\\xff\\xfe.md")
    assert "`bad\\xff\\xfe.md:0`" in (out / "report.md").read_text("utf-8")


def test_links_out_of_the_source_folder_are_not_followed_unless_asked(src, tmp_path):
    hostile.write_outside_links(src, tmp_path / "outside")
    out = tmp_path / "out"
    result = kg.build(src, out)
    for name in EXPORTS:
        assert "SECRET" not in (out / name).read_text("utf-8"), name
    assert "x" not in result.graph and "outside" not in result.graph
    assert {
        p["path"] for p in result.report["warnings"] if "out of the source" in p["message"]
    } == {
        "x.md",
        "ext",
    }
    followed = kg.build(src, tmp_path / "followed", follow_links=True, formats=["json"])
    assert "outside" in followed.graph and "x" in followed.graph


def test_a_fifo_is_reported_not_read(src, tmp_path):
    hostile.write_fifo(src)
    out = tmp_path / "out"
    ran = run_kg("build", src, "--out", out, "-q", timeout=120)
    assert ran.returncode == 1, ran.stderr[-2000:]  # not a hang: a file left out
    assert "a FIFO" in _problems(out, "errors", "fifo.md")[0]["message"]
    _the_others_are_built(out)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_link_to_a_device_is_reported_not_read(src, tmp_path, device):
    hostile.write_device_link(src, device, "device.md")
    out = tmp_path / "out"
    ran = run_kg("build", src, "--out", out, "-q", "--follow-links", timeout=120)
    assert ran.returncode == 1, ran.stderr[-2000:]
    assert "character device" in _problems(out, "errors", "device.md")[0]["message"]
    plain = run_kg("build", src, "--out", tmp_path / "plain", "-q", timeout=120)
    assert plain.returncode == 0  # by default the link is not even followed: a warning
    assert _problems(tmp_path / "plain", "warnings", "device.md")


# --- values that make markup, terminal codes or ids ----------------------------------------


def test_control_characters_leave_labels_and_the_terminal(src, tmp_path):
    hostile.write_control_title(src)
    out = tmp_path / "out"
    result = kg.build(src, out)
    node = result.graph.nodes["control"]
    values = [
        node["label"],
        *node["labels"].values(),
        *result.graph.edges["control", "backoffice"]["anchors"],
    ]
    assert not any(c in v for v in values for c in "\x1b\x07"), values
    for name in EXPORTS:
        text = (out / name).read_text("utf-8")
        assert "\x1b" not in text and "\x07" not in text, name
    for command in (
        ["show", "control"],
        ["query", "SELECT ?l WHERE { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"],
    ):
        ran = run_kg(*command, "--data", out, timeout=120)
        assert ran.returncode == 0, ran.stderr
        assert "\x1b" not in ran.stdout and "\x07" not in ran.stdout


def test_the_command_line_escapes_control_characters_it_is_given(capsys):
    from kg.cli.output import format_table, print_json

    print(format_table([["a\x1b[2Jb\x9b"]], ["value"]))
    print_json({"value": "c\x1b[31md\x85"})
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x9b" not in shown and "\x85" not in shown
    assert "a\\u001b[2Jb\\u009b" in shown
    assert json.loads(shown.split("\n", 3)[3])["value"] == "c\x1b[31md\x85"


def test_report_md_escapes_markup_taken_from_articles(src, tmp_path):
    hostile.write_html_anchor(src)
    result = kg.build(src, tmp_path / "out", formats=["json", "report"])
    assert result.graph.nodes["missing-concept"]["label"] == hostile.IMG  # kept as text
    page = pyromark.html(
        (result.out / "report.md").read_text("utf-8"),
        options=pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH,
    )
    assert "<img" not in page and "<em>" not in page and "<a " not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # shown, not run


def test_a_link_to_keyword_investing_is_a_concept_apart_from_the_keyword(src, tmp_path):
    hostile.write_keyword_link(src)
    result = kg.build(src, tmp_path / "out", formats=["json", "nt", "report"])
    G = result.graph
    assert G.nodes["keyword:Investing"]["kind"] == "keyword"
    assert G.nodes["keyword%3AInvesting"]["kind"] == "concept"
    assert G.edges["kwlink", "keyword%3AInvesting"]["kind"] == "link"
    assert G.edges["kwlink", "keyword:Investing"]["kind"] == "keyword"
    assert sorted(u for u in G.pred["keyword:Investing"]) == ["backoffice", "kwlink"]
    assert result.report["keywords"] == 2 and result.report["missing_concepts"] == 2
    nt = (result.out / "graph.nt").read_text("utf-8")
    assert "/concept/keyword%253AInvesting>" in nt and "/keyword/investing>" in nt
    assert any("begins as keyword ids do" in p["message"] for p in result.report["warnings"])


def test_a_file_named_like_a_keyword_id_is_a_concept_too(src, tmp_path):
    (src / "keyword:Investing.md").write_text(article("odd name", "Text.\n"))
    result = kg.build(src, tmp_path / "out", formats=["json", "report"])
    assert result.graph.nodes["keyword%3AInvesting"]["labels"] == {"en": "odd name"}
    assert result.graph.nodes["keyword:Investing"]["kind"] == "keyword"
