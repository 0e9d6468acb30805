"""kg.explore and its commands: answers checked against graphs built from small fixtures."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import KgError
from kg.explore import find, neighbors, path, related, show, stats, why_no_related
from tests.corpora import article, graph_of

# a → b → d, a → c → d, c → x (missing), e → a; f, g, h unlinked.
# Keywords: Common on a, b, c, h (4 holders); Rare on a, g (2 holders).
WIKI = {
    "en/a.md": article("Alpha", "Alpha needs [beta](/b). Alpha uses [gamma](/c).", "Common,Rare"),
    "en/b.md": article("Beta", "## Parts\n\nBeta is part of [delta](/d).", "Common"),
    "en/c.md": article("Gamma", "Gamma cites [delta](/d) and [the missing x](/x).", "Common"),
    "en/d.md": article("Delta", "Delta is a leaf."),
    "en/e.md": article("Epsilon", "Epsilon refers to [alpha](/a)."),
    "en/f.md": article("Phi", "Phi stands alone."),
    "en/g.md": article("Gee", "Nothing here.", "Rare"),
    "en/h.md": article("Eta", "Eta is unrelated.", "Common"),
    "sv/a.md": article("Alfa", "Alfa behöver [betan](/b).", "Common,Rare"),
    "sv/c.md": article("Gamma", "Gamma på svenska."),
    "sv/h.md": article("gamma", "Också gamma."),
}


@pytest.fixture(scope="module")
def G():
    return graph_of(WIKI)


@pytest.fixture
def data(tmp_path: Path, G) -> Path:
    """A build folder holding the fixture's graph.json, as `kg build` writes it."""
    from kg.engine.exports import write_exports

    out = tmp_path / "exports"
    write_exports(G, out, formats=["json"], base_iri="https://example.org/kg/")
    return out


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- find ----------------------------------------------------------------------------------


def test_find_by_slug_title_anchor_and_case(G):
    assert find(G, "a") == ["a"]
    assert find(G, "ALFA") == ["a"]  # Swedish title, any case
    assert find(G, "  alpha ") == ["a"]
    assert find(G, "betan") == ["b"]  # an anchor text only
    assert find(G, "the missing x") == ["x"]  # a missing concept's anchor
    assert find(G, "Gamma") == ["c", "h"]  # one title, two concepts (sv)
    assert find(G, "nothing like it") == []
    assert find(G, "keyword:Rare") == []  # keywords are not concepts


def test_ambiguous_input_lists_candidates(G):
    with pytest.raises(KgError) as err:
        show(G, "gamma")
    assert "2 concepts" in str(err.value)
    assert "c (Gamma)" in str(err.value) and "h (Eta)" in str(err.value)


def test_unknown_input_suggests_close_matches(G):
    with pytest.raises(KgError, match="did you mean: a"):
        show(G, "alphaa")
    with pytest.raises(KgError, match="no concept 'qqqq'"):
        neighbors(G, "qqqq")


# --- show ----------------------------------------------------------------------------------


def test_show_card(G):
    card = show(G, "alfa")
    for key in (
        "id",
        "labels",
        "descriptions",
        "keywords",
        "links_out",
        "links_in",
        "label",
        "exists",
        "paths",
        "alt_labels",
        "anchors_out",
        "anchors_in",
        "external_links",
    ):
        assert key in card
    assert card["id"] == "a"
    assert card["label"] == "Alpha"
    assert card["exists"] is True
    assert card["labels"] == {"en": "Alpha", "sv": "Alfa"}
    assert card["descriptions"]["sv"] == "Alfa behöver betan."
    assert card["keywords"] == ["Common", "Rare"]
    assert card["paths"] == {"en": "en/a.md", "sv": "sv/a.md"}
    assert card["links_out"] == ["b", "c"]
    assert card["links_in"] == ["e"]
    assert card["alt_labels"] == {"en": ["alpha"]}
    out = {r["id"]: r for r in card["anchors_out"]}
    assert out["b"]["anchors"] == ["beta", "betan"]
    assert out["b"]["weight"] == 2 and out["b"]["langs"] == ["en", "sv"]
    assert card["anchors_in"] == [
        {
            "id": "e",
            "label": "Epsilon",
            "label_lang": "en",
            "exists": True,
            "weight": 1,
            "anchors": ["alpha"],
            "langs": ["en"],
            "evidence": [
                {
                    "lang": "en",
                    "anchor": "alpha",
                    "section": "Epsilon",
                    "sentence": "Epsilon refers to alpha.",
                    "path": "en/e.md",
                    "line": 6,
                }
            ],
        }
    ]


def test_show_missing_concept(G):
    card = show(G, "x")
    assert card["exists"] is False
    assert card["label"] == "the missing x"
    assert card["labels"] == {} and card["links_out"] == [] and card["links_in"] == ["c"]


# --- neighbors -----------------------------------------------------------------------------


def _pairs(rows):
    return [(r["id"], r["distance"]) for r in rows]


def test_neighbors_both_directions(G):
    assert _pairs(neighbors(G, "a")) == [("b", 1), ("c", 1), ("e", 1)]
    assert _pairs(neighbors(G, "a", depth=2)) == [("b", 1), ("c", 1), ("e", 1), ("d", 2), ("x", 2)]


def test_neighbors_out_and_in(G):
    assert _pairs(neighbors(G, "a", depth=2, direction="out")) == [
        ("b", 1),
        ("c", 1),
        ("d", 2),
        ("x", 2),
    ]
    assert _pairs(neighbors(G, "d", depth=2, direction="in")) == [("b", 1), ("c", 1), ("a", 2)]
    assert _pairs(neighbors(G, "d", depth=5, direction="in")) == [
        ("b", 1),
        ("c", 1),
        ("a", 2),
        ("e", 3),
    ]
    assert neighbors(G, "a", depth=0) == []
    assert neighbors(G, "f", depth=3) == []


def test_neighbors_rows_and_bad_arguments(G):
    row = neighbors(G, "c", direction="out")[-1]
    assert row == {
        "id": "x",
        "label": "the missing x",
        "label_lang": "en",
        "distance": 1,
        "exists": False,
    }
    with pytest.raises(KgError, match="direction"):
        neighbors(G, "a", direction="sideways")
    with pytest.raises(KgError, match="depth"):
        neighbors(G, "a", depth=-1)


# --- path ----------------------------------------------------------------------------------


def test_path_forward_with_evidence(G):
    result = path(G, "e", "d")
    assert result["path"] == ["e", "a", "b", "d"]  # a → b wins over a → c: first by id
    assert [(h["source"], h["target"], h["direction"]) for h in result["hops"]] == [
        ("e", "a", "forward"),
        ("a", "b", "forward"),
        ("b", "d", "forward"),
    ]
    assert result["hops"][1]["evidence"] == ["Alpha needs beta.", "Alfa behöver betan."]
    assert result["hops"][1]["sections"] == ["Alpha", "Alfa"]
    assert result["hops"][2]["evidence"] == ["Beta is part of delta."]
    assert result["hops"][2]["sections"] == ["Parts"]


def test_path_against_links_uses_reverse_evidence(G):
    result = path(G, "d", "a")
    assert result["path"] == ["d", "b", "a"]
    first, second = result["hops"]
    assert (first["source"], first["target"], first["direction"]) == ("d", "b", "backward")
    assert first["evidence"] == ["Beta is part of delta."]
    assert second["evidence"] == ["Alpha needs beta.", "Alfa behöver betan."]
    assert path(G, "x", "e")["path"] == ["x", "c", "a", "e"]


def test_path_directed_and_none(G):
    assert path(G, "d", "a", directed=True) == {"path": [], "labels": [], "hops": []}
    assert path(G, "e", "x", directed=True)["path"] == ["e", "a", "c", "x"]
    assert path(G, "a", "f") == {"path": [], "labels": [], "hops": []}
    assert path(G, "a", "alpha") == {
        "path": ["a"],
        "labels": [{"id": "a", "label": "Alpha", "label_lang": "en"}],
        "hops": [],
    }
    assert path(G, "Epsilon", "betan")["path"] == ["e", "a", "b"]  # labels work too


# --- related -------------------------------------------------------------------------------


def test_related_ranking(G):
    rows = related(G, "a")
    assert [r["id"] for r in rows] == ["d", "g", "h"]  # never b, c, e (linked) nor x (missing)
    d, g, h = rows
    assert d["score"] == pytest.approx(1 / math.log(2) + 1 / math.log(3), abs=1e-6)
    assert d["shared_neighbors"] == ["b", "c"] and d["shared_keywords"] == []
    assert g["score"] == pytest.approx(1 / math.log(2), abs=1e-6)  # rare keyword: 2 holders
    assert h["score"] == pytest.approx(1 / math.log(4), abs=1e-6)  # common keyword: 4 holders
    assert g["shared_keywords"] == ["Rare"]
    assert set(rows[0]) >= {"id", "label", "score"}
    assert related(G, "a", top=1) == rows[:1]
    assert related(G, "f") == []


def test_related_ties_sorted_by_id():
    hub = "[hub](/hub)"
    G = graph_of({f"en/{s}.md": article(s.upper(), hub) for s in ("p", "r", "q")})
    assert [(r["id"], r["score"]) for r in related(G, "p")] == [
        ("q", round(1 / math.log(3), 6)),
        ("r", round(1 / math.log(3), 6)),
    ]


# --- stats ---------------------------------------------------------------------------------


def test_stats_counts_and_languages(G):
    s = stats(G)
    assert (s["concepts"], s["missing_concepts"], s["keywords"], s["links"]) == (8, 1, 2, 6)
    assert s["languages"] == ["en", "sv"]
    assert s["articles"] == 11
    assert s["articles_per_language"] == {"en": 8, "sv": 3}
    assert s["coverage"] == {"en": 1.0, "sv": 0.375}
    assert s["mentions"] == 7  # a → b twice (en, sv)


def test_stats_degrees_rankings_communities(G):
    s = stats(G, top=3)
    assert sum(r["in"] for r in s["degree_distribution"]) == 9
    assert {r["degree"]: r["in"] for r in s["degree_distribution"]} == {0: 4, 1: 4, 2: 1}
    assert s["degree"]["out"]["max"] == 2
    assert s["top_in_links"][0] == {"id": "d", "label": "Delta", "label_lang": "en", "in_links": 2}
    assert [r["id"] for r in s["top_in_links"]] == ["d", "a", "b"]
    assert len(s["top_pagerank"]) == 3 and s["top_pagerank"][0]["id"] == "d"
    assert sum(c["size"] for c in stats(G, top=100)["communities"]) == 9
    assert s["community_count"] >= 4  # f, g, h are communities of their own
    assert stats(G, top=3) == s  # fixed seed: the same answer every time


def test_stats_without_communities(G):
    s = stats(G, communities=False)
    assert (s["community_count"], s["communities"]) == (None, [])
    assert s["top_in_links"] == stats(G)["top_in_links"]


def test_stats_of_empty_graph():
    s = stats(graph_of({}))
    assert (s["concepts"], s["links"], s["communities"], s["top_pagerank"]) == (0, 0, [], [])


def test_small_wiki_through_load(small_wiki):
    import kg

    G = kg.load(small_wiki)
    assert show(G, "hyresavtal")["id"] == "lease"
    assert show(G, "backoffice")["links_out"] == ["cpa", "frontoffice", "lease", "middleoffice"]
    assert path(G, "lease", "middleoffice")["path"] == ["lease", "backoffice", "middleoffice"]


def test_real_corpus_back_office(real_corpus):
    import kg

    G = kg.load(real_corpus, jobs=1)
    card = show(G, "hyresavtal")
    assert card["id"] == "lease"
    links_out = set(show(G, "backoffice")["links_out"])
    assert {"frontoffice", "middleoffice", "lease", "cpa"} <= links_out
    assert stats(G)["languages"] == ["en", "fi", "sv"]


# --- commands ------------------------------------------------------------------------------


def test_cli_show_json_matches_library(capsys, data, G):
    code, out, _ = run(capsys, "show", "betan", "--data", str(data), "--format", "json")
    assert code == 0
    card = json.loads(out)
    assert card == json.loads(json.dumps(show(G, "b")))
    assert card["links_in"] == ["a"]


def test_cli_show_table(capsys, data):
    code, out, _ = run(capsys, "show", "Alpha", "--data", str(data))
    assert code == 0
    assert out.startswith("Alpha (a)")
    assert "sv: Alfa" in out and "links out (2)" in out and "betan" in out


def test_cli_neighbors_json(capsys, data):
    code, out, _ = run(
        capsys,
        "neighbors",
        "a",
        "--depth",
        "2",
        "--direction",
        "out",
        "--data",
        str(data),
        "--format",
        "json",
    )
    assert code == 0
    assert [(r["id"], r["label"], r["distance"]) for r in json.loads(out)] == [
        ("b", "Beta", 1),
        ("c", "Gamma", 1),
        ("d", "Delta", 2),
        ("x", "the missing x", 2),
    ]


def test_cli_path(capsys, data):
    code, out, _ = run(capsys, "path", "d", "a", "--data", str(data), "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["path"] == ["d", "b", "a"]
    assert set(result["hops"][0]) >= {"source", "target", "evidence"}
    code, out, _ = run(capsys, "path", "d", "a", "--directed", "--data", str(data))
    assert code == 0 and "no chain of links" in out
    code, out, _ = run(capsys, "path", "e", "d", "--data", str(data))
    assert "Beta is part of delta." in out and "e → a" in out


def test_cli_related_and_stats(capsys, data):
    code, out, _ = run(
        capsys, "related", "a", "--top", "2", "--data", str(data), "--format", "json"
    )
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["d", "g"]
    code, out, _ = run(capsys, "stats", "--data", str(data), "--format", "json")
    s = json.loads(out)
    assert code == 0
    assert {k: s[k] for k in ("concepts", "missing_concepts", "keywords", "links")} == {
        "concepts": 8,
        "missing_concepts": 1,
        "keywords": 2,
        "links": 6,
    }
    assert s["languages"] == ["en", "sv"]
    code, out, _ = run(capsys, "stats", "--data", str(data))
    assert code == 0 and "37.5%" in out and "communities (Louvain" in out
    code, out, _ = run(capsys, "stats", "--no-communities", "--data", str(data))
    assert code == 0 and "top by PageRank" in out and "communities" not in out


def test_cli_errors(capsys, data, tmp_path):
    code, _, err = run(capsys, "show", "zzzz", "--data", str(data))
    assert code == 1 and err.startswith("kg: error: no concept 'zzzz'")
    assert "Traceback" not in err
    code, _, err = run(capsys, "show", "a", "--data", str(tmp_path / "nowhere"))
    assert code == 1 and "kg: error:" in err
    with pytest.raises(SystemExit) as exc:
        main(["neighbors", "a", "--depth", "-1", "--data", str(data)])
    assert exc.value.code == 2


@pytest.mark.parametrize("command", ["show", "neighbors", "path", "related", "stats", "check"])
def test_cli_help_has_worked_example(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"kg {command}" in out and "--data" in out and "--format" in out


def test_display_language_labels_and_evidence_first(G):
    card = show(G, "a", lang="sv")
    assert (card["label"], card["label_lang"]) == ("Alfa", "sv")
    assert list(card["labels"]) == ["sv", "en"]
    out = {r["id"]: r for r in card["anchors_out"]}
    assert [e["lang"] for e in out["b"]["evidence"]] == ["sv", "en"]
    assert out["b"]["evidence"][0]["anchor"] == "betan"
    assert (out["b"]["label"], out["b"]["label_lang"]) == ("Beta", "en")  # the fall-back
    assert (out["c"]["label"], out["c"]["label_lang"]) == ("Gamma", "sv")
    rows = {r["id"]: r for r in neighbors(G, "a", lang="sv")}
    assert (rows["c"]["label_lang"], rows["e"]["label_lang"]) == ("sv", "en")
    hop = path(G, "d", "a", lang="sv")["hops"][1]
    assert hop["evidence"] == ["Alfa behöver betan.", "Alpha needs beta."]
    assert path(G, "d", "a", lang="sv")["labels"][-1] == {
        "id": "a",
        "label": "Alfa",
        "label_lang": "sv",
    }
    assert stats(G, top=3, lang="sv")["top_in_links"][0]["label_lang"] == "en"


def test_related_says_why_it_has_nothing(G):
    assert related(G, "f") == []
    assert why_no_related(G, "f") == (
        "f has no links and no keywords: no concept shares a link or keyword with it"
    )
    assert why_no_related(G, "a") == ""
