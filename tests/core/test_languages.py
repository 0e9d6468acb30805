"""Languages whose words are not separated by spaces, or not written left to right: a
small wiki of made-up articles in Chinese, Japanese, Korean, Arabic, Russian, German and
Turkish (issue 18), read by the core: mentions, split links, labels, headings."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pytest

from kg.articles import parse_article
from kg.graph import _best_anchor, build_graph
from kg.mentions import find_unlinked_mentions
from kg.text import trim_label
from tests.corpora import article, graph_of

WIKI = {
    # Chinese: 2-character terms inside running text, full-width punctuation and headings
    "zh/frontoffice.md": article(
        "前台",
        "前台直接服务客户，后台办公室处理结算，中台管理风险。\n\n"
        "＃＃ 强调\n\n- 前台与[客户](/client-facing)打交道。\n\n"
        "＃＃＃常问问题\n\n没有别的。\n",
    ),
    "zh/backoffice.md": article("后台办公室", "后台办公室支持[前台](/frontoffice)。\n"),
    "zh/middleoffice.md": article("中台", "中台位于前台和后台之间。\n"),
    "zh/lease.md": article("租赁", "租赁是一种合同。他的家很远。\n"),
    "zh/finance-lease.md": article("融资租赁", "一种长期合同。\n"),
    "zh/landlord.md": article(
        "房东",
        "房东把房屋出租给[承租人](/lessee)。融资租赁很常见。"
        "[押金](/security-deposit)[管理](/security-deposit)由房东负责。\n",
    ),
    "zh/home.md": article("家", "一个人的家。\n"),
    "zh/cpa.md": article("注册会计师（CPA）", "会计。\n"),
    "zh/audit.md": article(
        "审计",
        "审计由注册会计师（CPA）完成。[财务报表](/financial-statements)[，](/financial-statements)"
        "是[《公平住房法》](/fair-housing-act)之外的[租赁。](/lease)\n",
    ),
    # Japanese: Katakana words, particles attached, a split link written without a space
    "ja/backoffice.md": article("バックオフィス", "バックオフィスは決済を担当します。\n"),
    "ja/frontoffice.md": article(
        "フロントオフィス",
        "会社はフロントオフィス、ミドルオフィス、バックオフィスの3つに分かれています。\n\n"
        "＃＃ よくある質問\n\n[証券](/stockbroker)[会社](/stockbroker)が顧客に対応します。\n",
    ),
    "ja/middleoffice.md": article("ミドルオフィス", "リスク管理。\n"),
    "ja/lease.md": article("リース", "賃貸の契約です。\n"),
    "ja/home.md": article(
        "住宅",
        "メアリースミスはリースバックを検討しています。[資産です。](/assets)\n",
    ),
    "ja/yanushi.md": article("家主", "家主はリースの契約を結びます。\n"),
    # Korean: spaces between words, particles attached to them
    "ko/lessor.md": article("임대인", "건물을 빌려줍니다.\n"),
    "ko/lease.md": article("임대", "계약입니다.\n"),
    "ko/jipjuin.md": article("집주인", "임대인은 건물을 소유합니다. 부임대인은 아닙니다.\n"),
    # Arabic: right to left, Arabic punctuation
    "ar/back-desk.md": article("مكتب خلفي", "الإدارة والتسوية.\n"),
    "ar/front-desk.md": article(
        "مكتب أمامي",
        "يعمل مكتب خلفي، بعيدا عن العملاء. انظر [المكتب الخلفي .](/back-desk)\n",
    ),
    # Russian: a 3-letter title, a split link with a stray word
    "ru/dom.md": article("Дом", "Жильё.\n"),
    "ru/arendodatel.md": article(
        "Арендодатель",
        "Пара может купить второй дом и сдавать его. «Дом» — это жильё. "
        "[биржевых маклеров](/stockbroker) [или](/stockbroker) брокеров. "
        "См. [бэк-офиса .](/back-desk)\n",
    ),
    # German: a split link with a stray word, one with the glued word in the prose
    "de/client-facing.md": article(
        "Kundenkontakt",
        "Ein [Börsenmakler](/stockbroker) [oder](/stockbroker) Berater. "
        "Die [Back Office -](/back-desk) Rollen und [Hedgefonds,](/hedgefund) "
        "sowie [Hedge](/hedgefund) [fonds](/hedgefund): Hedgefonds sind Fonds. "
        "Die [Kautions](/security-deposit) [verwaltung](/security-deposit) ist Pflicht. "
        "[Verspätungsgebühren](/late-fee) fallen an. [Das ist so. Und mehr](/nothing)\n",
    ),
    "de/security-deposit.md": article("Kautionsverwaltung", "Die Kaution.\n"),
    # Turkish: dotted and dotless i
    "tr/lessee.md": article("Kiracı", "Kiralayan kişi.\n"),
    "tr/humanresources.md": article("İnsan Kaynakları (İK)", "Personel.\n"),
    "tr/ev-sahibi.md": article(
        "Ev sahibi",
        "Kiracı ödeme yapar; insan kaynakları (İK) bölümü değil. "
        "[Güvenlik](/security-deposit) [depozito](/security-deposit) alınır. "
        "[varlıktır .](/assets) "
        "[gecikme ücretlerinin yanı sıra kira tahsil etme hakkına da sahiptir](/late-fee)\n",
    ),
    "zh/late.md": article("罚款", "[滞纳金](/late-fee)。\n"),
}


@pytest.fixture(scope="module")
def G() -> nx.DiGraph:
    return graph_of(WIKI)


def mentions(G: nx.DiGraph, node: str, lang: str) -> list[str]:
    return G.nodes[node]["unlinked_mentions"].get(lang, [])


def anchors(G: nx.DiGraph, source: str, target: str) -> list[str]:
    return G.edges[source, target]["anchors"]


# --- 1. unlinked mentions follow the script ------------------------------------------------


def test_chinese_titles_are_found_inside_running_text(G):
    # 后台办公室 runs into 处理, 中台 into 管理: no space, no boundary
    assert mentions(G, "frontoffice", "zh") == ["backoffice", "middleoffice"]
    assert mentions(G, "middleoffice", "zh") == ["frontoffice"]


def test_a_title_inside_a_longer_known_title_is_not_reported(G):
    # 融资租赁 (finance lease) holds 租赁 (lease): only the longer title is named
    assert mentions(G, "landlord", "zh") == ["finance-lease"]


def test_one_character_titles_are_not_looked_for(G):
    # 家 (home) stands in 他的家; a single character matches too much (国家, 专家)
    assert "home" not in mentions(G, "lease", "zh")


def test_a_title_with_full_width_brackets_is_found_as_written(G):
    assert mentions(G, "audit", "zh") == ["cpa"]


def test_japanese_katakana_titles_are_found_before_particles(G):
    # バックオフィス before の, ミドルオフィス between 、 and 、
    assert mentions(G, "frontoffice", "ja") == ["backoffice", "middleoffice"]
    assert mentions(G, "yanushi", "ja") == ["lease"]  # リース before の


def test_a_katakana_title_is_not_found_inside_a_longer_katakana_word(G):
    # リース in メアリースミス (Mary Smith) and in リースバック (leaseback)
    assert "lease" not in mentions(G, "home", "ja")


def test_korean_titles_are_found_at_the_start_of_a_word_whatever_follows(G):
    # 임대인은: lessor + particle; 임대 (lease) inside it is not reported (longest wins);
    # 부임대인 does not start with it
    assert mentions(G, "jipjuin", "ko") == ["lessor"]


def test_arabic_titles_are_found_before_arabic_punctuation(G):
    assert mentions(G, "front-desk", "ar") == []  # it links to back-desk already
    arts = [
        parse_article(article("مكتب خلفي", "الإدارة.\n"), slug="backoffice", lang="ar"),
        parse_article(article("مكتب أمامي", "يعمل مكتب خلفي، بعيدا.\n"), slug="fo", lang="ar"),
    ]
    found = find_unlinked_mentions(build_graph(arts, mentions=False), arts)
    assert found == {"fo": {"ar": ["backoffice"]}}


def test_russian_three_letter_titles_are_found_as_words(G):
    # «Дом» and дом: guillemets and the dash are punctuation
    assert mentions(G, "arendodatel", "ru") == ["dom"]


def test_turkish_dotted_capital_i_meets_the_plain_i(G):
    # "insan kaynakları (İK)" names "İnsan Kaynakları (İK)"; Kiracı is named as written
    assert mentions(G, "ev-sahibi", "tr") == ["humanresources", "lessee"]


def test_latin_titles_are_found_as_whole_words_next_to_cjk():
    arts = [
        parse_article(article("ISDA", "Verband.\n"), slug="isda", lang="ja"),
        parse_article(
            article("契約", "ISDAは契約の基本を定めます。\n"), slug="contract", lang="ja"
        ),
        parse_article(article("ISDAX", "別の名前。\n"), slug="isdax", lang="ja"),
    ]
    found = find_unlinked_mentions(build_graph(arts, mentions=False), arts)
    assert found == {"contract": {"ja": ["isda"]}}


def test_the_build_engine_finds_the_same_mentions(G, tmp_path, monkeypatch):
    import kg
    from kg.engine import mentions as engine_mentions
    from tests.corpora import write_articles

    monkeypatch.setattr(engine_mentions, "PARALLEL_MIN", 1)  # the helper process scans too
    src = write_articles(tmp_path / "wiki", WIKI)
    built = kg.build(src, tmp_path / "out", formats=["json"], jobs=2).graph
    assert nx.get_node_attributes(built, "unlinked_mentions") == nx.get_node_attributes(
        G, "unlinked_mentions"
    )


# --- 2. split links keep the source's spacing ----------------------------------------------


def test_pieces_written_together_are_joined_without_a_space(G):
    assert anchors(G, "frontoffice", "stockbroker") == ["証券会社"]  # ja, no space between
    assert anchors(G, "landlord", "security-deposit") == ["押金管理"]  # zh
    assert anchors(G, "audit", "financial-statements") == ["财务报表"]  # "，" trimmed


def test_pieces_with_a_space_between_keep_it(G):
    assert "Börsenmakler oder" in anchors(G, "client-facing", "stockbroker")
    assert anchors(G, "arendodatel", "stockbroker") == ["биржевых маклеров или"]
    assert anchors(G, "ev-sahibi", "security-deposit") == ["Güvenlik depozito"]


def test_pieces_are_glued_on_evidence_that_they_are_one_word(G):
    # the glued word is written in the article (Hedgefonds), or is the target's title
    # (Kautionsverwaltung); "Hedgefonds," also lost its comma
    assert anchors(G, "client-facing", "hedgefund") == ["Hedgefonds"]
    assert anchors(G, "client-facing", "security-deposit") == ["Kautionsverwaltung"]


def test_the_glued_form_waits_for_the_graph_on_the_link_record():
    art = parse_article(
        "[Kautions](/security-deposit) [verwaltung](/security-deposit)", slug="x", lang="de"
    )
    assert [(lk.anchor, lk.glued) for lk in art.links] == [
        ("Kautions verwaltung", "Kautionsverwaltung")
    ]


# --- 3. labels without edge punctuation ----------------------------------------------------


def test_anchor_labels_lose_punctuation_and_spaces_at_their_ends(G):
    alt = {
        (node, lang): labels
        for node, data in G.nodes(data=True)
        for lang, labels in (data.get("alt_labels") or {}).items()
    }
    assert alt[("back-desk", "de")] == ["Back Office"]
    assert alt[("back-desk", "ar")] == ["المكتب الخلفي"]
    assert alt[("back-desk", "ru")] == ["бэк-офиса"]
    assert alt[("assets", "tr")] == ["varlıktır"]
    # "資産です。" ("it is an asset"): trimmed, then left out as a clause, not a name
    assert ("assets", "ja") not in alt
    assert "資産です" in anchors(G, "home", "assets")  # the link keeps it, trimmed
    assert alt[("lease", "zh")] == ["租赁"]
    assert alt[("fair-housing-act", "zh")] == ["《公平住房法》"]  # balanced: kept


@pytest.mark.parametrize(
    ("label", "trimmed"),
    [
        ("Hedgefonds,", "Hedgefonds"),
        ("-Derivatemarkt tätigen", "Derivatemarkt tätigen"),
        ("Single-Net-", "Single-Net"),
        ("缺席房东。", "缺席房东"),
        ("公平住房法》", "公平住房法"),
        ("المكتب الخلفي .", "المكتب الخلفي"),
        ("هل هو مكتب؟", "هل هو مكتب"),
        ("\u3000租赁、", "租赁"),
        ("M&A", "M&A"),
        ("S&P 500", "S&P 500"),
        ("International Swaps and Derivatives Association (ISDA)", None),
        ("(ISDA)", None),
        ("「家主」", None),
    ],
)
def test_trim_label(label, trimmed):
    assert trim_label(label) == (label if trimmed is None else trimmed)


# --- 4. full-width headings ------------------------------------------------------------------


def test_full_width_headings_are_sections():
    zh = parse_article(WIKI["zh/frontoffice.md"], slug="frontoffice", lang="zh")
    assert zh.sections == ["前台", "强调", "常问问题"]
    assert [(lk.target, lk.section) for lk in zh.links] == [("client-facing", "强调")]
    assert "＃" not in zh.text  # the heading lines are not prose
    ja = parse_article(WIKI["ja/frontoffice.md"], slug="frontoffice", lang="ja")
    assert ja.sections == ["フロントオフィス", "よくある質問"]
    assert ja.links[0].section == "よくある質問"
    assert ja.links[0].line == 10  # the line count is that of the file


def test_a_full_width_sign_inside_a_line_is_no_heading():
    art = parse_article("# T\n\n价格＃1 [租赁](/lease)\n", slug="x", lang="zh")
    assert art.sections == ["T"] and art.links[0].section == "T"


# --- 6. labels of concepts without an article -------------------------------------------------


def test_a_clause_is_not_the_label_when_a_term_names_the_concept(G):
    # one use each in tr (a clause), de and zh (terms): no English, no alphabetical luck
    assert G.nodes["late-fee"]["label"] in ("Verspätungsgebühren", "滞纳金")


def test_a_sentence_is_never_a_label(G):
    assert G.nodes["nothing"]["label"] == "nothing"


def test_an_anchor_languages_agree_on_wins_a_tie():
    per_lang = {
        "de": Counter({"Rahmenvertrag": 2, "ISDA Master Agreement": 1}),
        "tr": Counter({"ISDA Master Agreement": 1}),
    }
    assert _best_anchor("isda-master", per_lang) == "ISDA Master Agreement"


def test_a_phrase_with_a_comma_loses_a_tie_to_a_term():
    per_lang = {
        "tr": Counter({"Emlakçılar , sigorta acenteleri ve etkinlik planlayıcıları": 1}),
        "ru": Counter({"риелторы": 1}),
    }
    assert _best_anchor("realtors", per_lang) == "риелторы"


def test_a_japanese_clause_is_never_a_label():
    # Japanese has no spaces: a clause of particles and verb endings counted as few words
    # ("can be compared with the capitalization rate") was the label of capitalizationrate
    only_clauses = {"ja": Counter({"資本化率と比較することができます": 2, "負担です": 1})}
    assert _best_anchor("capitalizationrate", only_clauses) == "capitalizationrate"
    with_a_term = {"ja": Counter({"資本化率と比較することができます": 3, "資本化率": 1})}
    assert _best_anchor("capitalizationrate", with_a_term) == "資本化率"


def test_a_japanese_clause_is_an_odd_anchor_and_no_alternative_label():
    from kg.labels import anchor_problem

    assert anchor_problem("モラトリアムにもかかわらず", "ja") == "reads like a phrase, not a name"
    assert anchor_problem("立ち退き", "ja") is None  # a term with two hiragana
    assert anchor_problem("米国住宅都市開発局（HUD）", "ja") is None
