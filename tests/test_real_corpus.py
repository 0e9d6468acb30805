"""The real investors.wiki sample in ../shared/corpus (skipped when it is absent).

Expected values are read from the sample files at test time where possible; none of
its text is copied here beyond a few slugs, keywords and anchor words.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from kg.articles import parse_bytes
from kg.engine.build import build
from kg.engine.parse import read_corpus
from kg.text import clean_text
from tests.corpora import REAL_CORPUS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
FORMATS = ["json", "csv", "report", "graphml", "gexf"]


def _require_corpus() -> None:
    if not (REAL_CORPUS / "sv").is_dir():
        pytest.skip("../shared/corpus is not here")


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    _require_corpus()
    out = tmp_path_factory.mktemp("real") / "out"
    return build([REAL_CORPUS], out, formats=FORMATS, cache=False)


def md_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.md"))


def front_matter_value(path: Path, key: str) -> str:
    """The raw ``key: value`` of a file's front matter, read without YAML."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "---"
    for line in lines[1:]:
        if line == "---":
            break
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path}: no {key}")


def test_back_office_links(real_corpus, real_build):
    G = real_build.graph
    sv_targets = {
        v
        for _, v, d in G.out_edges("backoffice", data=True)
        if d["kind"] == "link" and "sv" in d["langs"]
    }
    assert {"frontoffice", "middleoffice", "client-facing", "lease", "cpa"} <= sv_targets


def test_hyresavtal_is_an_anchor_of_lease(real_corpus, real_build):
    G = real_build.graph
    assert "hyresavtal" in G.edges["backoffice", "lease"]["anchors"]
    assert "hyresavtal" in G.nodes["lease"]["alt_labels"]["sv"]


def test_back_office_keywords(real_corpus, real_build):
    G = real_build.graph
    assert G.nodes["backoffice"]["keywords"] == ["Investing", "Brokers", "Stock Brokers"]
    for keyword in ("Investing", "Brokers", "Stock Brokers"):
        assert G.has_edge("backoffice", f"keyword:{keyword}")


def test_no_real_file_crashes_the_parser_and_links_are_in_the_text(real_corpus):
    files = md_files(real_corpus)
    assert len(files) >= 200
    for path in files:
        rel = path.relative_to(real_corpus).as_posix()
        raw = path.read_bytes()
        art = parse_bytes(raw, rel, path.stem, rel.split("/")[0])
        lines = raw.decode("utf-8").splitlines()
        assert art.title, rel
        for link in art.links:
            assert 1 <= link.line <= len(lines), (rel, link)
            line = unquote(lines[link.line - 1])
            assert link.target in line, (rel, link.line, link.target)


def test_every_file_is_in_the_graph_or_in_the_report(real_corpus, real_build):
    G = real_build.graph
    in_graph = {p for _, d in G.nodes(data=True) for p in (d.get("paths") or {}).values()}
    reported = {p["path"] for k in ("warnings", "errors") for p in real_build.report[k]}
    files = {p.relative_to(real_corpus).as_posix() for p in md_files(real_corpus)}
    assert files - in_graph - reported == set()
    assert real_build.report["errors"] == []
    assert real_build.report["articles"] == len(files)
    assert G.graph["languages"] == ["en", "fi", "sv"]


@pytest.mark.parametrize("slug", ["capital", "hnwi"])
def test_broken_yaml_keeps_title_and_keywords(real_corpus, real_build, slug):
    path = real_corpus / "sv" / f"{slug}.md"
    warned = [w for w in real_build.report["warnings"] if w["path"] == f"sv/{slug}.md"]
    assert len(warned) == 1 and "YAML" in warned[0]["message"]
    assert 2 <= warned[0]["line"] <= 4
    node = real_build.graph.nodes[slug]
    assert node["labels"]["sv"] == clean_text(front_matter_value(path, "title"))
    expected = [k for k in front_matter_value(path, "keywords").split(",") if k]
    assert node["keywords"][: len(expected)] == expected
    description = node["descriptions"]["sv"]
    assert description and "&" not in description


def test_headings_without_space_are_sections(real_corpus):
    corpus = read_corpus([real_corpus], lang="sv")
    arts = {a.slug: a for a in corpus.articles}
    assert "Höjdpunkter" in arts["backoffice"].sections
    pattern = re.compile(r"^(#{2,6})([^\s#].*)$", re.MULTILINE)
    checked = 0
    for art in corpus.articles:
        text = (real_corpus / art.path).read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            assert clean_text(match.group(2).strip().rstrip("#").strip()) in art.sections, (
                art.path,
                match.group(0),
            )
            checked += 1
    assert checked > 50


def test_split_link_is_one_mention(real_corpus, real_build):
    G = real_build.graph
    edge = G.edges["cpa", "ca"]
    assert "chartered accountant" in edge["anchors"]
    assert "ant" not in edge["anchors"]
    assert "chartered account" not in edge["anchors"]
    assert "ant" not in G.nodes["ca"]["alt_labels"].get("sv", [])
    # one mention per language file, not two
    sv = read_corpus([real_corpus / "sv" / "cpa.md"], lang="sv").articles[0]
    mentions = [lk for lk in sv.links if lk.target == "ca"]
    raw = (real_corpus / "sv" / "cpa.md").read_text(encoding="utf-8")
    assert len(mentions) == raw.count("](/ca)") - raw.count("](/ca) [")


def test_front_matter_title_wins_over_h1(real_corpus, real_build):
    path = real_corpus / "en" / "backoffice.md"
    art = parse_bytes(path.read_bytes(), "en/backoffice.md", "backoffice", "en")
    title = clean_text(front_matter_value(path, "title"))
    assert art.h1 and art.h1 != title
    assert art.title == title
    assert real_build.graph.nodes["backoffice"]["labels"]["en"] == title
    assert real_build.graph.nodes["backoffice"]["label"] == title


def test_build_with_site_url(real_corpus, real_build, tmp_path):
    result = build(
        [real_corpus],
        tmp_path / "out",
        site_url="https://investors.wiki",
        formats=["json", "report"],
        cache=False,
    )
    assert result.report["errors"] == []
    assert result.graph.graph["site_url"] == "https://investors.wiki"
    base = {(u, v) for u, v, d in real_build.graph.edges(data=True) if d["kind"] == "link"}
    with_site = {(u, v) for u, v, d in result.graph.edges(data=True) if d["kind"] == "link"}
    assert base <= with_site


def test_cli_build_with_site_url(real_corpus, tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            str(real_corpus),
            "--out",
            str(tmp_path / "out"),
            "--site-url",
            "https://investors.wiki",
            "--formats",
            ",".join(FORMATS),
            "--quiet",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "graph.json").is_file()
