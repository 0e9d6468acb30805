"""Writing systems: which characters are written without spaces between words, which are
punctuation, and how a title is therefore found in prose.

kg reads articles in some thirty languages. Most scripts separate words by spaces (Latin,
Cyrillic, Greek, Arabic, Hebrew, Devanagari …); Chinese and Japanese do not (Han,
Hiragana, Katakana), nor do Thai, Lao, Khmer and Burmese; Korean (Hangul) separates
words by spaces but attaches particles to them (``임대인은``: lessor + topic particle).
:func:`match_rule` says, from a title's own characters, which rule finds it in prose:

=============  ==========================================================  ==========
rule           a title is found                                            min. chars
=============  ==========================================================  ==========
``"words"``    as whole words (punctuation and spaces around it)           4; 3 in
                                                                           Cyrillic
``"hangul"``   at the start of a word, any ending after it (particles)     2
``"unspaced"`` anywhere, unless inside a longer title found at the same    2 Han and
               place; a Katakana title not inside a longer Katakana word;  Kana; 4
               a Thai (…) title not cut in the middle of a letter's marks  Thai (…)
=============  ==========================================================  ==========

The minimum lengths (:func:`min_length`) come from a sample of investors.wiki: Chinese
terms are mostly 2–4 characters (``中台``, ``房东``, ``承租人``) and 1-character titles
(``家``, ``租``) are found inside other words (``国家``, ``租金``); the Russian ``Дом``
(3 letters) is found as a word, while Latin titles stay at 4 letters (``CPA``, ``Hem``
would match acronyms and words of other languages in Latin-script prose).

Examples
--------
>>> match_rule("后台办公室"), match_rule("Kiracı"), match_rule("임대인"), match_rule("ISDA")
('unspaced', 'words', 'hangul', 'words')
>>> min_length("中台"), min_length("Дом"), min_length("Hem")
(2, 3, 4)
"""

from __future__ import annotations

import re
import unicodedata

WORDS, HANGUL, UNSPACED = "words", "hangul", "unspaced"
"""The rules of :func:`match_rule`."""

_HAN = "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_ASTRAL = "\U00020000-\U0003ffff"
_KANA = "\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # not ・ (U+30FB)
_KATAKANA = "\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_SOUTHEAST_ASIAN = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Burmese, Khmer
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff"

UNSPACED_CLASS = f"{_HAN}{_HAN_ASTRAL}{_KANA}{_SOUTHEAST_ASIAN}"
"""A regular expression class (without brackets) of the characters of scripts written
without spaces between words."""

_UNSPACED_RE = re.compile(f"[{UNSPACED_CLASS}]")
_HAN_KANA_RE = re.compile(f"[{_HAN}{_HAN_ASTRAL}{_KANA}]")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")
_KATAKANA_RE = re.compile(f"[{_KATAKANA}]")
_SOUTHEAST_ASIAN_RE = re.compile(f"[{_SOUTHEAST_ASIAN}]")
_HIRAGANA_RE = re.compile("[\u3041-\u309f]")
_CLAUSE_ENDS = ("ます", "です", "ました", "でした", "ません", "ている", "される", "できる", "する")
_PARTICLES = tuple("のをにとでがはやへも")
_CLAUSE_TRAIL = "。．.、，,)）」』 "
_CYRILLIC_RE = re.compile("[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]")


def non_ascii_separators() -> str:
    """A regular expression class (without brackets) of the non-ASCII punctuation (P*),
    separators (Z*) and symbols (S*) of the Basic Multilingual Plane: what separates words
    besides ASCII punctuation and spaces (``，。、：「」（）``, ``«»``, ``،؛``, no-break
    spaces). Computed from :mod:`unicodedata` (some 15 ms: call it once).

    Examples
    --------
    >>> import re
    >>> re.sub(f"[{non_ascii_separators()}]", " ", "前台，中台「后台」 «Дом» ISDA®")
    '前台 中台 后台   Дом  ISDA '
    """
    ranges: list[tuple[int, int]] = []
    for point in range(0x80, 0x10000):
        if unicodedata.category(chr(point))[0] in "PZS":
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
    return "".join(
        re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges
    )


def is_unspaced(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces between words.

    Examples
    --------
    >>> is_unspaced("台"), is_unspaced("オ"), is_unspaced("ก"), is_unspaced("a"), is_unspaced("한")
    (True, True, True, False, False)
    """
    return _UNSPACED_RE.match(char) is not None


def is_katakana(char: str) -> bool:
    """Whether ``char`` is Katakana (the prolonged sound mark ``ー`` included).

    Examples
    --------
    >>> is_katakana("ス"), is_katakana("ー"), is_katakana("の")
    (True, True, False)
    """
    return _KATAKANA_RE.match(char) is not None


def is_hangul(char: str) -> bool:
    """Whether ``char`` is a Hangul syllable or letter."""
    return _HANGUL_RE.match(char) is not None


def has_unspaced(text: str) -> bool:
    """Whether ``text`` holds a character of a script written without spaces.

    Examples
    --------
    >>> has_unspaced("ISDA主协议"), has_unspaced("Börsenmakler")
    (True, False)
    """
    return not text.isascii() and _UNSPACED_RE.search(text) is not None


def match_rule(title: str) -> str:
    """How ``title`` is found in prose: ``"unspaced"`` when it holds a character of a
    script without spaces, else ``"hangul"`` when it holds Hangul, else ``"words"``."""
    if title.isascii():
        return WORDS
    if _UNSPACED_RE.search(title):
        return UNSPACED
    if _HANGUL_RE.search(title):
        return HANGUL
    return WORDS


def min_length(title: str) -> int:
    """The fewest characters a title must have to be looked for in prose (see the table)."""
    if title.isascii():
        return 4
    if _HAN_KANA_RE.search(title) or _HANGUL_RE.search(title):
        return 2
    if _UNSPACED_RE.search(title):
        return 4
    return 3 if _CYRILLIC_RE.search(title) else 4


def is_mark(char: str) -> bool:
    """Whether ``char`` is a combining mark (Unicode category M*): the vowel signs and tone
    marks of Thai or Devanagari, the harakat of Arabic.

    Examples
    --------
    >>> is_mark("\\u0e31"), is_mark("ก")
    (True, False)
    """
    return unicodedata.category(char)[0] == "M"


def label_words(text: str) -> int:
    """How many words a label has: its space-separated parts, where a run of characters of
    a script without spaces counts one word per four characters (``滞纳金`` is one word,
    ``済み財務諸表の作成が含まれます`` four).

    Examples
    --------
    >>> label_words("US Department of Housing"), label_words("滞纳金"), label_words("Single-Net")
    (4, 1, 1)
    """
    parts = text.split()
    if text.isascii():
        return len(parts)
    return sum(max(1, -(-len(_UNSPACED_RE.findall(part)) // 4)) for part in parts)


def has_marked_script(text: str) -> bool:
    """Whether ``text`` holds a letter of a script without spaces whose letters take
    combining marks (Thai, Lao, Burmese, Khmer): a match there must not end next to one.

    Examples
    --------
    >>> has_marked_script("สัญญาเช่า"), has_marked_script("租赁")
    (True, False)
    """
    return not text.isascii() and _SOUTHEAST_ASIAN_RE.search(text) is not None


def reads_as_clause(text: str) -> bool:
    """Whether Japanese ``text`` reads as a clause, not a term.

    Japanese names are written in kanji and katakana; a clause carries hiragana: particles
    and verb endings. Four hiragana or more in eight characters or more, a verb ending
    (``ます``, ``です``, ``できる`` …), or a particle at either end (``M&Aや``, ``の不動産
    エージェント``: a name neither starts nor ends with one) make a clause. Text without
    hiragana (Chinese, Korean, any other script) is never one here.

    Examples
    --------
    >>> reads_as_clause("資本化率と比較することができます"), reads_as_clause("負担です")
    (True, True)
    >>> reads_as_clause("地役権などの"), reads_as_clause("の不動産エージェント")
    (True, True)
    >>> reads_as_clause("立ち退き"), reads_as_clause("米国住宅都市開発局（HUD）")
    (False, False)
    """
    if text.isascii():
        return False
    core = text.rstrip(_CLAUSE_TRAIL)
    kana = len(_HIRAGANA_RE.findall(core))
    if kana >= 4 and len(core) >= 8 or kana >= 2 and core.endswith(_CLAUSE_ENDS):
        return True
    if kana == len(core):  # all hiragana: a word of its own (はしけ, barge)
        return False
    return core.startswith(_PARTICLES) or core.endswith(_PARTICLES)
