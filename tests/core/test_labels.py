"""kg.labels: the display-language order, fall-back tags, and which anchors are names."""

from __future__ import annotations

import pytest

from kg.labels import (
    anchor_problem,
    display_label,
    is_fallback,
    named_anchors,
    ordered,
    tagged,
    valid_lang,
)
from tests.corpora import article, graph_of


@pytest.mark.parametrize(
    "anchor,lang,problem",
    [
        ("kan", "sv", "a function word"),
        ("till", "sv", "a function word"),
        ("alla de ger tillstånd till", "sv", "reads like a phrase, not a name"),
        ("som vänder sig till kunden", "sv", "reads like a phrase, not a name"),
        ("of the", "en", "function words only"),
        ("hyresavtal", "sv", None),
        ("Bank of America", "en", None),
        ("Federal Home Loan Mortgage Corp.", "en", None),
        ("at a premium", "en", None),
    ],
)
def test_anchor_problem(anchor, lang, problem):
    assert anchor_problem(anchor, lang) == problem


def test_an_anchor_that_spells_the_slug_or_a_title_is_a_name():
    assert anchor_problem("till", "sv", slug="till") is None
    assert anchor_problem("Kan", "sv", titles=["kan"]) is None


def test_an_anchor_for_many_concepts_names_only_the_one_it_mostly_means():
    anchors = {
        "broker": {"sv": {"mäklare": 5}},
        "realtor": {"sv": {"mäklare": 1}},
        "broker-dealer": {"sv": {"mäklare": 1}},
    }
    kept = named_anchors(anchors, {t: {} for t in anchors})
    assert list(kept) == ["broker"]
    even = {t: {"sv": {"mäklare": 1}} for t in ("a", "b", "c")}
    assert named_anchors(even, {t: {} for t in even}) == {}


def test_function_word_anchors_leave_the_labels_and_search_but_not_the_links():
    G = graph_of(
        {
            "sv/a.md": article("A", "Man [kan](/lease) hyra. Ett [hyresavtal](/lease) gäller."),
            "sv/b.md": article("B", "Pengar [alla de ger tillstånd till](/licensing)."),
        }
    )
    assert G.nodes["lease"]["alt_labels"] == {"sv": ["hyresavtal"]}
    assert G.nodes["licensing"]["alt_labels"] == {}
    assert G.nodes["licensing"]["label"] == "licensing"  # not the phrase
    assert sorted(G.edges["a", "lease"]["anchors"]) == ["hyresavtal", "kan"]
    from kg.explore import find

    assert find(G, "kan") == []


def test_display_language_and_fallback_tags():
    data = {"label": "lease", "labels": {"en": "lease", "sv": "hyresavtal"}}
    assert display_label(data, "sv") == ("hyresavtal", "sv")
    assert display_label(data, "fi") == ("lease", "en")
    assert tagged(*display_label(data, "fi"), "fi") == "lease@en"
    assert tagged(*display_label(data, "sv"), "sv") == "hyresavtal"
    assert tagged("hyresavtal", "sv") == "hyresavtal@sv"  # no language asked: English
    assert not is_fallback("zh-Hans", "zh") and is_fallback("en", "zh")
    assert list(ordered({"fi": 1, "en": 2, "sv": 3}, "sv")) == ["sv", "en", "fi"]


def test_valid_lang():
    assert valid_lang("sv") == "sv" and valid_lang("") is None
    with pytest.raises(ValueError):
        valid_lang("sv; rm -rf")
