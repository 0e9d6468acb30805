"""Property-based tests (hypothesis): the parser never raises, and what it finds is in the text."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.articles import parse_article, parse_bytes
from kg.graph import build_graph
from kg.text import clean_text

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- random markdown, made of the pieces that matter to the parser ---------------------------

MARKUP = [
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "!",
    "#",
    "##",
    "###",
    "*",
    "**",
    "_",
    "`",
    "```",
    "~~~",
    "    ",
    "> ",
    "- ",
    "1. ",
    "|",
    "---",
    "\n",
    "\n\n",
    " ",
    "&amp;",
    "&amp;amp;",
    "&quot;",
    "&#39;",
    "&",
    ";",
    "\\",
    "%20",
    "%C3%A9",
    "/",
    "#x",
    ".md",
    "../sv/",
    "http://",
    "https://",
    "investors.wiki/",
    "[x](/a)",
    "[y](/b/)",
    "[z](c.md)",
    "[ref][r]",
    "[r]: /d",
    "![i](/e)",
    '<a href="">',
    "</a>",
    "<!--",
    "-->",
    "$",
    "$$",
    "\r\n",
    "\t",
    "\u200b",
    "\ufeff",
]
WORD = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
MARKDOWN = st.lists(st.one_of(st.sampled_from(MARKUP), WORD), max_size=60).map("".join)
FM_VALUE = st.one_of(
    st.sampled_from(
        [
            "",
            "a: b",
            "&amp;quot;x",
            "[a, b",
            "'quoted'",
            '"q',
            "*alias",
            "- item",
            "{x: 1}",
            "|",
            ">",
            "!!binary x",
            "M&amp;amp;A",
            "1",
            "true",
            "~",
        ]
    ),
    WORD,
)
FM_KEY = st.sampled_from(["title", "description", "keywords", "tags", "x y", "-", ""])
FRONT_MATTER = st.lists(
    st.tuples(FM_KEY, FM_VALUE).map(lambda kv: f"{kv[0]}: {kv[1]}"), max_size=6
).map(lambda lines: "\n".join(lines))
DOCUMENT = st.one_of(
    MARKDOWN,
    st.tuples(FRONT_MATTER, st.booleans(), MARKDOWN).map(
        lambda t: "---\n" + t[0] + ("\n---\n" if t[1] else "\n") + t[2]
    ),
)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def _variants(text: str) -> list[str]:
    """The source as the parser may see it: escapes removed, entities and %XX decoded."""
    base = [text, _ESCAPED.sub(r"\1", text)]
    out = []
    for item in base:
        decoded = item
        for _ in range(5):
            decoded = html.unescape(decoded)
        out += [item, decoded, unquote(item), unquote(decoded), html.unescape(unquote(item))]
    return out


def _alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def _is_subsequence(needle: str, haystack: str) -> bool:
    chars = iter(haystack)
    return all(c in chars for c in needle)


@SETTINGS
@given(DOCUMENT, st.sampled_from([None, "https://investors.wiki"]))
def test_parse_article_never_raises_and_links_are_in_the_text(text, site_url):
    art = parse_article(text, path="x.md", slug="x", lang="en", site_url=site_url)
    assert isinstance(art.title, str) and art.title
    # the lines an editor shows (links count these): \n, \r\n and a lone \r end a line
    n_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    # YAML also breaks lines at \x85, \u2028, \u2029 and a lone \r (see
    # test_articles.py::test_yaml_warning_line_ignores_unicode_line_separators)
    n_any_lines = max(n_lines, len(text.splitlines()) + 1)
    variants = _variants(text)
    stripped = [_alnum(v) for v in variants]
    stripped += [_alnum(html.unescape(re.sub(r"[\[\]()*_`~<>!\\]", "", v))) for v in variants]
    for link in art.links:
        assert link.target, link
        assert any(link.target in v for v in variants), (link.target, text)
        assert 1 <= link.line <= n_lines, (link.line, n_lines)
        # every letter and digit of the anchor comes from the text, in order
        assert any(_is_subsequence(_alnum(link.anchor), s) for s in stripped), (link, text)
        assert link.anchor == link.anchor.strip()
    for problem in art.warnings:
        assert 0 <= problem.line <= n_any_lines
    for keyword in art.keywords:
        assert keyword and keyword == keyword.strip()
    assert len({k.casefold() for k in art.keywords}) == len(art.keywords)
    build_graph([art])  # the record always makes a graph


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_parses(text):
    parse_article(text, path="x.md", slug="x", lang="en")


@SETTINGS
@given(st.binary(max_size=400))
def test_parse_bytes_raises_only_value_error_for_nul_bytes(raw):
    try:
        art = parse_bytes(raw, "x.md", "x", "en")
    except ValueError:
        assert b"\x00" in raw
    else:
        assert b"\x00" not in raw[:8192]
        assert art.slug == "x"


# --- generated articles whose links are known: the parser finds exactly those ---------------

SLUG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12).filter(
    lambda s: s not in ("-", "_") and not s.startswith("-")
)
FORMS = ["/{}", "/{}/", "/{}#part", "{}.md", "../sv/{}.md", "https://investors.wiki/{}"]
LETTERS = st.text(alphabet=st.characters(categories=("Lu", "Ll")), min_size=1, max_size=10)
ANCHOR_WORD = st.one_of(
    LETTERS, st.sampled_from(["M&amp;A", "M&amp;amp;A", "&quot;q&quot;", "firm&amp;#39;s"])
)
ANCHOR = st.lists(ANCHOR_WORD, min_size=1, max_size=4).map(" ".join)
LINK = st.tuples(ANCHOR, SLUG, st.sampled_from(FORMS))
FILLER = st.lists(LETTERS, min_size=1, max_size=5).map(" ".join)
PARAGRAPH = st.lists(st.tuples(FILLER, LINK), min_size=1, max_size=4)


@SETTINGS
@given(
    st.lists(PARAGRAPH, min_size=1, max_size=4),
    st.integers(min_value=0, max_value=3),
    st.booleans(),
)
def test_generated_links_are_found_exactly(paragraphs, blank_lines, front):
    lines = ["---", "title: T", "keywords: A,B", "---"] if front else []
    lines += [""] * blank_lines + ["# T", ""]
    expected = []
    for paragraph in paragraphs:
        for filler, (anchor, slug, form) in paragraph:
            lines.append(f"{filler} [{anchor}]({form.format(slug)}) {filler}")
            expected.append((slug, clean_text(anchor), len(lines)))
        lines.append("")
    text = "\n".join(lines)
    art = parse_article(text, slug="x", lang="sv", site_url="https://investors.wiki")
    assert [(lk.target, lk.anchor, lk.line) for lk in art.links] == expected
    assert all(lk.section == "T" for lk in art.links)
