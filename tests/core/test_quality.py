"""kg.quality.check and `kg check`: every check's exact list of concepts, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import KgError
from kg.quality import CHECKS, check, unlinked_mentions
from tests.corpora import article, graph_of

BAD_YAML = "---\ntitle: Warned\ndescription: bad: value\n---\n# Warned\nText about [alpha](/a).\n"

WIKI = {
    "en/a.md": article("Alpha", "Alpha needs [beta](/b). Alpha uses [gamma](/c).", "Common"),
    "en/b.md": article("Beta", "Beta is part of [delta](/d).", "Common"),
    "en/c.md": article("Gamma", "Gamma cites [delta](/d) and [the missing x](/x)."),
    "en/d.md": article("Delta", "Delta is a leaf."),
    "en/e.md": article("Epsilon", "Epsilon refers to [alpha](/a) and to delta in passing."),
    "en/f.md": article("Phi", "Phi stands alone."),
    "en/g.md": article("Gee", "Nothing here."),
    "en/h.md": article("gamma", "Another [x](/x), [x](/x) and [y](/y)."),
    "en/s.md": article("Self", "See [self](/s) and [the y](/y)."),
    "en/z.md": article("Zed", ""),
    "en/w.md": BAD_YAML,
    "sv/a.md": article("Alfa", "Alfa behöver [betan](/b)."),
    "sv/b.md": article("Beta", "Beta är en del. Se [till](/d)."),
}

EXPECTED = {
    "dangling-link": ["x", "y"],
    "orphan": ["f", "g", "z"],
    "missing-description": ["z"],
    "duplicate-label": ["c", "h"],
    "self-link": ["s"],
    "unlinked-mention": ["e"],
    "missing-translation": ["c", "d", "e", "f", "g", "h", "s", "w", "z"],
    "parse-warning": ["w"],
    "odd-anchor": ["d"],
}


@pytest.fixture(scope="module")
def G():
    return graph_of(WIKI)


@pytest.fixture(scope="module")
def report(G):
    return check(G)


def concepts_of(report, name):
    return [i["concept"] for i in report["issues"] if i["check"] == name]


def detail_of(report, name, concept):
    return [i["detail"] for i in report["issues"] if (i["check"], i["concept"]) == (name, concept)]


def test_every_check_names_exact_concepts(report):
    assert tuple(report["summary"]) == CHECKS
    for name in CHECKS:
        assert concepts_of(report, name) == EXPECTED[name], name
        assert report["summary"][name] == len(EXPECTED[name])


def test_issue_shape_and_order(report):
    assert all(set(i) == {"check", "concept", "detail"} for i in report["issues"])
    keys = [(CHECKS.index(i["check"]), i["concept"], i["detail"]) for i in report["issues"]]
    assert keys == sorted(keys)
    assert check(graph_of(WIKI)) == report  # deterministic


def test_dangling_link_says_who_wants_it_and_how_often(report):
    (x,) = detail_of(report, "dangling-link", "x")
    assert "wanted by 2 articles (3 links)" in x
    assert "c ×1" in x and "h ×2" in x
    (y,) = detail_of(report, "dangling-link", "y")
    assert "h ×1" in y and "s ×1" in y


def test_details_name_the_others(report):
    assert detail_of(report, "duplicate-label", "c") == ["en title 'Gamma' is also the title of h"]
    assert "also the title of c" in detail_of(report, "duplicate-label", "h")[0]
    assert detail_of(report, "missing-translation", "d") == ["in en; missing in sv"]
    assert detail_of(report, "missing-description", "z") == ["no description in en"]
    (mention,) = detail_of(report, "unlinked-mention", "e")
    assert mention == "names 1 concept without linking it: en: d"
    (warning,) = detail_of(report, "parse-warning", "w")
    assert warning.startswith("en/w.md:3: front matter is not valid YAML")


def test_unlinked_mentions_read_from_the_build():
    G = graph_of(
        {
            "en/lease.md": article(
                "Lease", "It names a landlord, a tenant, a [deposit](/deposit)."
            ),
            "en/landlord.md": article("Landlord", "Owns things."),
            "en/tenant.md": article("Tenant", "Rents things."),
            "en/deposit.md": article("Deposit", "Money."),
            "sv/lease.md": article("Hyresavtal", "Ett hyresavtal nämner en hyresvärd."),
            "sv/landlord.md": article("Hyresvärd", "Äger."),
        }
    )
    assert unlinked_mentions(G, "lease") == {"en": ["landlord", "tenant"], "sv": ["landlord"]}
    result = check(G, ["unlinked-mention"])
    assert result["issues"] == [
        {
            "check": "unlinked-mention",
            "concept": "lease",
            "detail": "names 2 concepts without linking them: en: landlord, tenant; sv: landlord",
        }
    ]


def test_duplicate_labels_per_language_and_case():
    G = graph_of(
        {
            "sv/p.md": article("Hyra", "x"),
            "sv/q.md": article("hyra", "y"),
            "en/p.md": article("Rent", "x"),
            "en/r.md": article("RENT", "z"),
            "en/t.md": article("Hyra", "t"),  # same text, other language: no duplicate
        }
    )
    result = check(G, ["duplicate-label"])
    assert concepts_of(result, "duplicate-label") == ["p", "q", "r"]
    (p,) = detail_of(result, "duplicate-label", "p")
    assert "en title 'Rent' is also the title of r" in p and "also the title of q" in p


def test_missing_translation_needs_several_languages():
    G = graph_of({"en/a.md": article("A", "[b](/b)"), "en/b.md": article("B", "text")})
    assert check(G, ["missing-translation"])["summary"] == {"missing-translation": 0}


def test_parse_warning_for_a_file_that_is_no_concept(G):
    H = G.copy()
    H.graph["warnings"] = [
        *G.graph["warnings"],
        {"path": "sv/broken.md", "line": 0, "message": "empty file"},
    ]
    result = check(H, ["parse-warning"])
    assert concepts_of(result, "parse-warning") == ["broken", "w"]
    assert detail_of(result, "parse-warning", "broken") == ["sv/broken.md:0: empty file"]


def test_a_self_link_alone_is_no_orphan_but_a_self_link():
    G = graph_of({"en/a.md": article("A", "Me: [a](/a)."), "en/b.md": article("B", "alone")})
    result = check(G, ["orphan", "self-link"])
    assert concepts_of(result, "orphan") == ["b"]
    assert concepts_of(result, "self-link") == ["a"]


def test_clean_wiki_has_zero_counts_for_every_check():
    G = graph_of({"en/a.md": article("Apple", "[b](/b)"), "en/b.md": article("Banana", "[a](/a)")})
    result = check(G)
    assert result == {"summary": dict.fromkeys(CHECKS, 0), "issues": []}


def test_choosing_checks(G):
    assert list(check(G, ["self-link", "orphan"])["summary"]) == ["orphan", "self-link"]
    assert list(check(G, "all")["summary"]) == list(CHECKS)
    with pytest.raises(KgError, match="unknown check spelling"):
        check(G, ["spelling"])


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path, G) -> Path:
    from kg.engine.exports import write_exports

    out = tmp_path / "exports"
    write_exports(G, out, formats=["json"], base_iri="https://example.org/kg/")
    return out


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    from kg.engine.exports import write_exports

    out = tmp_path / "clean"
    G = graph_of({"en/a.md": article("Apple", "[b](/b)"), "en/b.md": article("Banana", "[a](/a)")})
    write_exports(G, out, formats=["json"], base_iri="https://example.org/kg/")
    return out


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_report(capsys, data, report):
    code, out, _ = run(capsys, "check", "--data", str(data), "--format", "json")
    assert code == 0  # a report alone never fails
    parsed = json.loads(out)
    assert parsed == json.loads(json.dumps(report))
    assert set(parsed) >= {"summary", "issues"}


def test_cli_fail_on(capsys, data, clean):
    code, _, err = run(capsys, "check", "--fail-on", "self-link", "--data", str(data))
    assert code == 1 and "self-link (1)" in err
    code, _, _ = run(capsys, "check", "--fail-on", "orphan", "dangling-link", "--data", str(data))
    assert code == 1
    code, _, _ = run(capsys, "check", "--fail-on", "all", "--data", str(data))
    assert code == 1
    code, out, _ = run(capsys, "check", "--fail-on", "all", "--data", str(clean))
    assert code == 0 and "dangling-link" in out


def test_cli_only_limits_checks(capsys, data):
    code, out, _ = run(capsys, "check", "--only", "orphan", "--data", str(data), "--format", "json")
    parsed = json.loads(out)
    assert code == 0
    assert parsed["summary"] == {"orphan": 3}
    assert [i["concept"] for i in parsed["issues"]] == ["f", "g", "z"]


def test_cli_table_and_usage_errors(capsys, data):
    code, out, _ = run(capsys, "check", "--data", str(data))
    assert code == 0
    assert "missing-translation  9" in out
    assert "no article; wanted by 2 articles" in out
    with pytest.raises(SystemExit) as exc:
        main(["check", "--fail-on", "spelling", "--data", str(data)])
    assert exc.value.code == 2


def test_the_command_offers_exactly_the_library_checks():
    from kg.cli import explore as command
    from kg.quality import CHECKS

    assert command.CHECKS == CHECKS


def test_odd_anchor_names_the_anchor_its_language_and_the_article(report, G):
    (detail,) = detail_of(report, "odd-anchor", "d")
    assert detail == "link text that is no name: 'till' (sv, in b): a function word"
    assert G.nodes["d"]["alt_labels"].get("sv") is None  # left out of the labels
    assert "till" in G.edges["b", "d"]["anchors"]  # and kept on the link
