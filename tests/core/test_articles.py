"""One article's text → an Article record (kg.articles.parse_article)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.articles import parse_article, parse_bytes
from kg.frontmatter import plain_mapping
from kg.text import split_keywords


def parse(text: str, **kw):
    kw.setdefault("slug", "page")
    kw.setdefault("lang", "en")
    kw.setdefault("path", "en/page.md")
    return parse_article(text, **kw)


def targets(art) -> list[str]:
    return [link.target for link in art.links]


def anchors(art) -> list[tuple[str, str]]:
    return [(link.target, link.anchor) for link in art.links]


# --- front matter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keywords",
    [
        "keywords: Investing,Brokers, Stock Brokers ,brokers,,Investing",
        "keywords:\n  - Investing\n  - ' Brokers'\n  - Stock Brokers\n  - brokers\n  - Investing",
        "keywords: [Investing, Brokers, Stock Brokers, BROKERS]",
    ],
)
def test_keywords_comma_string_or_yaml_list(keywords):
    art = parse(f"---\n{keywords}\ntitle: back office\n---\nText.\n")
    assert art.keywords == ["Investing", "Brokers", "Stock Brokers"]
    assert art.warnings == []


def test_split_keywords_helper():
    assert split_keywords(" A ,B,a, ,C ") == ["A", "B", "C"]
    assert split_keywords(["x", " y ", "X"]) == ["x", "y"]
    assert split_keywords(None) == []


def test_title_from_front_matter_wins_over_h1():
    art = parse("---\ntitle: Back Office\n---\n# Administrative center\n\nText.\n")
    assert art.title == "Back Office"
    assert art.h1 == "Administrative center"


def test_title_from_first_h1_without_front_matter_title():
    art = parse("---\nkeywords: A\n---\nIntro.\n\n# First Heading\n\n# Second Heading\n")
    assert art.title == "First Heading"
    assert art.h1 == "First Heading"


def test_title_from_file_name_as_last_resort():
    art = parse("Just a paragraph.\n\n## Not an H1\n", slug="down_payment")
    assert art.title == "down_payment"


def test_description_from_front_matter_wins():
    art = parse("---\ndescription: From the front matter.\n---\n# T\n\nFirst paragraph.\n")
    assert art.description == "From the front matter."


def test_description_from_first_paragraph():
    art = parse(
        "---\ntitle: T\n---\n# T\n\n## Section\n\nFirst  paragraph\nwith a [link](/x).\n\n"
        "Second paragraph.\n"
    )
    assert art.description == "First paragraph with a link."


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("M&amp;A", "M&A"),
        ("M&amp;amp;A", "M&A"),
        ("the firm&amp;#39;s deal", "the firm's deal"),
        ("&quot;quoted&quot; text", '"quoted" text'),
        ("&amp;quot;double&amp;quot; text", '"double" text'),
    ],
)
def test_html_entities_decoded_everywhere(raw, decoded):
    # quoted in YAML so that a value starting with & stays valid YAML here
    text = (
        f"---\ntitle: '{raw}'\ndescription: '{raw}'\nkeywords: '{raw},Other'\n---\n"
        f"# T\n\nSee [{raw}](/x).\n"
    )
    art = parse(text)
    assert art.title == decoded
    assert art.description == decoded
    assert art.keywords == [decoded, "Other"]
    assert art.links[0].anchor == decoded


def test_entities_in_h1_and_first_paragraph():
    art = parse("# M&amp;amp;A\n\nMergers &amp; acquisitions.\n")
    assert art.title == "M&A"
    assert art.description == "Mergers & acquisitions."


# --- sections ------------------------------------------------------------------------------


def test_heading_without_space_is_a_section():
    art = parse("# T\n\n##Höjdpunkter\n\n- a [x](/x)\n\n###Obs\n\nb [y](/y)\n")
    assert art.sections == ["T", "Höjdpunkter", "Obs"]
    assert [(link.target, link.section) for link in art.links] == [
        ("x", "Höjdpunkter"),
        ("y", "Obs"),
    ]


def test_hashtag_words_and_empty_headings_are_not_sections():
    art = parse("# T\n\n##\n\ntext #hashtag [x](/x)\n")
    assert art.sections == ["T"]
    assert art.links[0].section == "T"


def test_headings_in_blockquotes_do_not_change_the_section():
    art = parse("# T\n\n## Real\n\n> ### 431 000\n> quoted [x](/x)\n\nafter [y](/y)\n")
    assert "431 000" not in art.sections
    assert [(link.target, link.section) for link in art.links] == [("x", "Real"), ("y", "Real")]


def test_links_before_any_heading_have_empty_section():
    art = parse("Intro [x](/x).\n\n# T\n\n[y](/y)\n")
    assert [(link.target, link.section) for link in art.links] == [("x", ""), ("y", "T")]


# --- links with anchor, section, sentence, line ---------------------------------------------

DOC = """\
---
keywords: Investing,Brokers
title: back office
description: Backoffice är administrationen.
---

# back office
## Vad är Back Office?

Ett företag har tre delar: [front office](/frontoffice) och
[middle office](/middleoffice). Kommersiella [hyresavtal](/lease) är billiga.

##Höjdpunkter

- Erfarna [CPA:er](/cpa) arbetar.
"""


def test_links_with_anchor_section_sentence_and_exact_line():
    art = parse(DOC, slug="backoffice", lang="sv", path="sv/backoffice.md")
    got = [(lk.target, lk.anchor, lk.section, lk.sentence, lk.line) for lk in art.links]
    assert got == [
        (
            "frontoffice",
            "front office",
            "Vad är Back Office?",
            "Ett företag har tre delar: front office och middle office.",
            10,
        ),
        (
            "middleoffice",
            "middle office",
            "Vad är Back Office?",
            "Ett företag har tre delar: front office och middle office.",
            11,
        ),
        ("lease", "hyresavtal", "Vad är Back Office?", "Kommersiella hyresavtal är billiga.", 11),
        ("cpa", "CPA:er", "Höjdpunkter", "Erfarna CPA:er arbetar.", 15),
    ]
    assert art.title == "back office"
    assert art.description == "Backoffice är administrationen."
    assert art.keywords == ["Investing", "Brokers"]
    assert art.sections == ["back office", "Vad är Back Office?", "Höjdpunkter"]


def test_line_numbers_without_front_matter_and_with_crlf():
    assert [lk.line for lk in parse("[a](/a)\n\ntext\n[b](/b)\n").links] == [1, 4]
    crlf = "---\r\ntitle: T\r\n---\r\n# T\r\n\r\nsee [a](/a)\r\n"
    assert [lk.line for lk in parse(crlf).links] == [6]


def test_line_numbers_with_bom_and_blank_lines_after_front_matter():
    text = "\ufeff---\ntitle: T\n---\n\n\n\n[a](/a)\n"
    assert [lk.line for lk in parse(text).links] == [7]


def test_sentences_break_at_each_end_mark_but_not_before_lower_case():
    art = parse(
        '# T\n\nFirst one! Is [a](/a) here? Yes. "Quoted." [b](/b) next… And [c](/c).\n'
        "lower. case [d](/d) goes on.\n"
    )
    assert [(lk.target, lk.sentence, lk.line) for lk in art.links] == [
        ("a", "Is a here?", 3),
        ("b", '"Quoted." b next…', 3),
        ("c", "And c. lower. case d goes on.", 3),
        ("d", "And c. lower. case d goes on.", 4),
    ]


def test_sentences_without_space_after_the_mark_and_in_cjk():
    art = parse("Ends here.[a](/a) now. Word.[b](/b) Next.\n\n前文。链接[c](/c)在这里！后文。\n")
    assert [(lk.target, lk.sentence) for lk in art.links] == [
        ("a", "Ends here.a now."),
        ("b", "Word.b Next."),
        ("c", "链接c在这里！"),
    ]


def test_line_numbers_count_lines_not_bytes_after_non_ascii_text():
    art = parse("# T\n\nÅ [b](/b)\n\nä ö 中 [c](/c)\n\n[d](/d)\n")
    assert [(lk.target, lk.line) for lk in art.links] == [("b", 3), ("c", 5), ("d", 7)]


def test_heading_without_space_after_a_link_fragment():
    art = parse("See [x](/x#part) and #tag.\n\n##Second\n\n[y](/y)\n")
    assert art.sections == ["Second"]
    got = [(lk.target, lk.section, lk.line) for lk in art.links]
    assert got == [("x", "", 1), ("y", "Second", 5)]


PLAIN_KEY = st.sampled_from(["title", "description", "keywords", "x-y", "_k", "on", "null"])
PLAIN_VALUE = st.one_of(
    st.tuples(  # mostly plain text, with at most one character YAML may read otherwise
        st.sampled_from("aBé1.-"),
        st.text("aB é1,.-", max_size=6),
        st.sampled_from(["", *":#'\"?!&*|>%@`{[~-", "\u00a0", "\t", "\u2028", "\x85"]),
        st.text("aB é1 ", max_size=4),
    ).map("".join),
    st.sampled_from(
        [
            "yes",
            "No",
            "~",
            "null",
            "1",
            "0x1F",
            "1e3",
            ".inf",
            "2020-01-01",
            "<<",
            "=",
            "- a",
            "a: b",
            "a:",
            "a #c",
            "a#c",
            "'q'",
            '"q',
            "x y",
            "a, b",
        ]
    ),
)
PLAIN_LINE = st.tuples(
    PLAIN_KEY,
    st.sampled_from([": ", ": ", ": ", ":  ", ":"]),
    PLAIN_VALUE,
    st.sampled_from(["", "", " "]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN_LINE, min_size=1, max_size=3))
def test_plain_front_matter_is_read_as_yaml_reads_it(lines):
    block = "".join(f"{key}{sep}{value}{end}\n" for key, sep, value, end in lines)
    plain = plain_mapping(block)
    if plain is not None:  # else YAML reads it
        assert plain == yaml.load(block, Loader=yaml.CSafeLoader)
        assert all(type(v) is str for v in plain.values())


def test_plain_front_matter_is_read_without_yaml():
    block = "title: Back Office\ndescription: It is M&amp;A. Or not?\n\nkeywords: A,B, C\n"
    assert plain_mapping(block) == yaml.safe_load(block)
    assert plain_mapping("title: yes\n") is None  # a bool: YAML reads it


def test_line_of_a_reference_link_is_where_it_is_used():
    art = parse("# T\n\nsee [ref][r]\n\n[r]: /target\n")
    assert [(lk.target, lk.line) for lk in art.links] == [("target", 3)]


def test_line_after_heading_without_space():
    art = parse("---\ntitle: T\n---\n##Höjdpunkter\n- [a](/a)\n-b\n- [c](/c)\n")
    assert [(lk.target, lk.line) for lk in art.links] == [("a", 5), ("c", 7)]


# --- CommonMark ----------------------------------------------------------------------------


def test_code_spans_fenced_and_indented_code_are_not_links():
    text = (
        "# T\n\nUse `[a](/a)` in text.\n\n```\n[b](/b)\n```\n\n~~~md\n[c](/c)\n~~~\n\n"
        "    [d](/d)\n\nAfter the code, [e](/e) is a link.\n"
    )
    art = parse(text)
    assert targets(art) == ["e"]
    assert art.links[0].line == 15


def test_text_after_a_fenced_code_block_is_still_read():
    art = parse("# T\n\n```\ncode\n```\n\n## After\n\nSee [x](/x).\n")
    assert targets(art) == ["x"]
    assert art.sections == ["T", "After"]
    assert art.links[0].section == "After"


def test_reference_links_angle_destinations_and_titles():
    text = (
        "# T\n\nA [full][r1], a [collapsed][], a [shortcut], an [angle](</angle>), "
        "a [titled](/titled \"The title\"), [single](/single 'x') and [paren](/paren (x)).\n\n"
        '[r1]: /one\n[collapsed]: </two> "T"\n[shortcut]: /three\n'
    )
    art = parse(text)
    assert anchors(art) == [
        ("one", "full"),
        ("two", "collapsed"),
        ("three", "shortcut"),
        ("angle", "angle"),
        ("titled", "titled"),
        ("single", "single"),
        ("paren", "paren"),
    ]


def test_undefined_reference_is_not_a_link():
    assert parse("# T\n\nSee [nothing][nowhere] here.\n").links == []


def test_images_are_not_links_but_a_linked_image_is():
    art = parse("# T\n\n![alt](/pic) ![x][img] [![logo](/logo.png)](/brand)\n\n[img]: /pic2\n")
    assert targets(art) == ["brand"]


@pytest.mark.parametrize(
    "text",
    [
        "> quoted [front office](/frontoffice) text\n",
        "**bold [front office](/frontoffice) text**\n",
        "*em [front office](/frontoffice)*\n",
        "- item [front office](/frontoffice)\n",
        "1. item [front office](/frontoffice)\n",
        "| a | b |\n|---|---|\n| x | [front office](/frontoffice) |\n",
        "> - nested [front office](/frontoffice)\n",
        "**[front office](/frontoffice)**\n",
    ],
)
def test_links_inside_blocks_and_emphasis_are_links(text):
    art = parse("# T\n\n" + text)
    assert anchors(art) == [("frontoffice", "front office")]


def test_emphasis_inside_anchor_is_plain_text():
    art = parse("# T\n\n[**front** *office*](/frontoffice)\n")
    assert anchors(art) == [("frontoffice", "front office")]


def test_split_link_is_one_mention():
    text = (
        "# T\n\nThe [Securities and Exchange C](/sec) [ommission (SEC)](/sec) rules.\n\n"
        "The [chartered account](/ca) [ant](/ca) (CA) title.\n"
    )
    art = parse(text)
    # "C" + "ommission": a lone capital goes on in lower case, one word; "account" + "ant"
    # are two words as far as this article says: the space stays, the glued form waits
    # for the graph (a title or another anchor of the target that spells it)
    assert anchors(art) == [
        ("sec", "Securities and Exchange Commission (SEC)"),
        ("ca", "chartered account ant"),
    ]
    assert [lk.glued for lk in art.links] == ["", "chartered accountant"]


def test_adjacent_links_to_different_targets_stay_two():
    art = parse("# T\n\n[ränteskillnaden](/forwardprice) [mellan](/interest-rate-differential)\n")
    assert anchors(art) == [
        ("forwardprice", "ränteskillnaden"),
        ("interest-rate-differential", "mellan"),
    ]


def test_same_target_separated_by_words_stays_two():
    art = parse("# T\n\n[lease](/lease) and [leases](/lease)\n")
    assert anchors(art) == [("lease", "lease"), ("lease", "leases")]


def test_same_target_in_two_paragraphs_stays_two():
    art = parse("# T\n\n[lease](/lease)\n\n[lease](/lease)\n")
    assert anchors(art) == [("lease", "lease"), ("lease", "lease")]
    assert [lk.line for lk in art.links] == [3, 5]


def test_punctuation_only_anchor_is_a_link_without_label():
    art = parse("# T\n\nBrokers[,](/x) and [.](/stockbroker)\n")
    assert anchors(art) == [("x", ","), ("stockbroker", ".")]
    assert [lk.is_label for lk in art.links] == [False, False]
    assert parse("# T\n\n[CPA](/cpa)").links[0].is_label


def test_anchor_with_trailing_space_is_trimmed():
    art = parse("# T\n\nA [Chartered Financial Analyst ](/cfa)(CFA) and [ lease  ](/lease).\n")
    assert anchors(art) == [("cfa", "Chartered Financial Analyst"), ("lease", "lease")]


def test_destinations_with_spaces_are_not_links():
    text = (
        "# T\n\nA [real estate professional](/real estate professional) helps.\n\n"
        "See (/commercial-property, for example a shop.\n"
    )
    art = parse(text)
    assert art.links == []
    assert art.external == []


def test_placeholder_html_gives_nothing():
    art = parse('# T\n\n<h5><a href="">TTT</a></h5>\n\n<!-- [hidden](/hidden) -->\n\nText.\n')
    assert art.links == []
    assert art.external == []
    assert "TTT" not in art.sections
    assert art.description == "Text."


def test_external_links_kept_in_order_without_duplicates():
    art = parse("# T\n\n[b](https://b.example/) [a](https://a.example/) [b2](https://b.example/)\n")
    assert art.external == ["https://a.example/", "https://b.example/"]
    assert art.links == []


# --- robustness ----------------------------------------------------------------------------


def test_empty_article_is_warned_and_keeps_its_slug_as_title():
    art = parse("", slug="blank", path="en/blank.md")
    assert art.title == "blank"
    assert [(w.path, w.message) for w in art.warnings] == [("en/blank.md", "empty file")]
    assert parse("   \n\n  \n").warnings[0].message == "empty file"


def test_malformed_yaml_colon_in_value_is_still_read():
    text = (
        "---\nkeywords: Economy,Capital\ntitle: Huvudstad\n"
        "description: Fyra typer av kapital: skulder och arbete.\n---\n# Kapital\n\nSe [x](/x).\n"
    )
    art = parse(text, path="sv/capital.md")
    assert art.title == "Huvudstad"
    assert art.keywords == ["Economy", "Capital"]
    assert art.description == "Fyra typer av kapital: skulder och arbete."
    assert targets(art) == ["x"]
    assert len(art.warnings) == 1
    warning = art.warnings[0]
    assert warning.path == "sv/capital.md"
    assert warning.line == 4
    assert "YAML" in warning.message


def test_malformed_yaml_value_starting_with_ampersand_is_still_read():
    text = (
        "---\nkeywords: Personal Finance,Wealth\ntitle: High-Net-Worth Individual (HNWI)\n"
        "description: &amp;quot;Enskild person&amp;quot; (HNWI) är rik.\n---\n\n# HNWI\n"
    )
    art = parse(text, path="sv/hnwi.md")
    assert art.title == "High-Net-Worth Individual (HNWI)"
    assert art.keywords == ["Personal Finance", "Wealth"]
    assert art.description == '"Enskild person" (HNWI) är rik.'
    assert [(w.path, w.line) for w in art.warnings] == [("sv/hnwi.md", 4)]


@pytest.mark.parametrize("separator", ["\u2028", "\x85"])
def test_yaml_warning_line_ignores_unicode_line_separators(separator):
    # U+2028 / NEL inside a value are not line ends for an editor or for link lines,
    # but PyYAML counts them: the warning must still name the line of the bad value (3)
    text = f"---\ntitle: a{separator}b\ndescription: x: y\n---\n# T\n\n[x](/x)\n"
    art = parse(text)
    assert [lk.line for lk in art.links] == [7]
    assert [w.line for w in art.warnings] == [3]


def test_front_matter_never_closed_keeps_body_links_and_h1():
    text = "---\nkeywords: Investing\n\n# Unclosed Title\n\nSee [front office](/frontoffice).\n"
    art = parse(text, path="en/open.md")
    assert art.title == "Unclosed Title"
    assert art.keywords == ["Investing"]
    assert anchors(art) == [("frontoffice", "front office")]
    assert art.links[0].line == 6
    assert [(w.path, w.line) for w in art.warnings] == [("en/open.md", 1)]
    assert "never closed" in art.warnings[0].message


def test_front_matter_that_is_not_a_mapping_is_warned():
    art = parse("---\n- a\n- b\n---\n# T\n\n[x](/x)\n")
    assert art.title == "T"
    assert targets(art) == ["x"]
    assert len(art.warnings) == 1


def test_non_utf8_bytes_are_read_and_warned_with_the_line():
    raw = "---\ntitle: Caf\xe9\n---\n\nline [x](/x) na\xefve\n".encode("latin-1")
    art = parse_bytes(raw, "fr/cafe.md", "cafe", "fr")
    assert art.title == "Café"
    assert targets(art) == ["x"]
    assert [(w.path, w.line) for w in art.warnings] == [("fr/cafe.md", 2)]
    assert "UTF-8" in art.warnings[0].message


def test_nul_bytes_raise_value_error():
    with pytest.raises(ValueError, match="binary"):
        parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", "sv/logo.md", "logo", "sv")


def test_utf8_bom_is_not_a_problem():
    art = parse_bytes("\ufeff---\ntitle: T\n---\n[x](/x)\n".encode(), "a.md", "a", "en")
    assert art.title == "T"
    assert art.warnings == []
    assert [lk.line for lk in art.links] == [4]


def test_deeply_nested_markup_does_not_raise():
    text = "> " * 500 + "[x](/x)\n\n" + "- " * 500 + "y\n\n" + "[" * 2000 + "](/z)"
    parse(text)  # must not raise
