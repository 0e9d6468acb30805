"""Generate a realistic synthetic wiki corpus for kg benchmarks.

The articles look like investors.wiki's: YAML front matter (``keywords`` as a
comma string drawn from a skewed pool of ~300 keywords, ``title``,
``description``), an H1, several ``## `` sections (some written ``##Heading``
without the space), paragraphs of pseudo-words built from per-language
syllables, about 8 internal links ``[anchor](/slug)`` per article whose targets
follow a Zipf law (a few concepts are wanted by many), about 5 % dangling links
(slugs with no file), split links (``[chartered account](/ca) [ant](/ca)``),
punctuation-only anchors, a list, a blockquote, now and then a fenced code
block holding link-like text, external links and HTML entities in the front
matter (``M&amp;A``).

The corpus has one folder per language code (``en/``, ``sv/`` …) holding the
same slugs; the link structure of a concept is the same in every language, its
words are not. Output is deterministic for a seed and streamed to disk, so
100,000 articles are fine.

Examples
--------
>>> from benchmarks.generate_corpus import generate        # doctest: +SKIP
>>> generate("/tmp/wiki", 2000, langs=("en", "sv"), seed=0)  # doctest: +SKIP
PosixPath('/tmp/wiki')

From the shell::

    python benchmarks/generate_corpus.py /tmp/wiki --articles 15000 --langs en,sv,fi,de,fr
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# --- per-language letters ------------------------------------------------------------------

# onsets | vowels | codas ("_" is no coda): words are 1-4 syllables of onset+vowel+coda
_SYLLABLES = {
    "en": "b c d f g h l m n p r s t v w st tr pr cl gr ch sh th bl | a e i o u ea ou io ai"
    " | _ _ _ n r s t l nd st ng ck",
    "sv": "b d f g h j k l m n p r s t v sk st tr fr kr sj tj | a e i o u y å ä ö"
    " | _ _ n r s t l ng ll kt rd",
    "fi": "h j k l m n p r s t v | a e i o u y ä ö aa ää ie uo yy | _ _ _ n s t l k nen",
    "de": "b d f g h k l m n p r s t w z sch st sp kr br | a e i o u ä ö ü ei ie au"
    " | _ _ n r s t ng ch ß nd lt",
    "fr": "b c d f g j l m n p r s t v qu ch tr pl gr | a e i o u é è ou eau ai oi"
    " | _ _ _ n r s t l nt x",
}

# a per-language word for the closing highlights section and for FAQ
_HIGHLIGHTS = {
    "en": "Highlights",
    "sv": "Höjdpunkter",
    "fi": "Kohokohdat",
    "de": "Höhepunkte",
    "fr": "Points forts",
}
_FAQ = {"en": "FAQ", "sv": "FAQ", "fi": "UKK", "de": "FAQ", "fr": "FAQ"}

_ENTITIES = ["&amp;", "&amp;amp;", "&quot;", "&amp;#39;", "&#39;"]
_PUNCT_ANCHORS = [".", ",", ";", ":", "-"]
_EXTERNAL = [
    "https://www.example.gov/rules/{w}",
    "https://data.example.org/series/{w}",
    "http://www.example.com/{w}.html",
]
_CODE_LANGS = ["", "text", "python", "json"]


def _syllables(lang: str) -> tuple[list[str], list[str], list[str]]:
    """The syllable parts of ``lang``; unknown codes get a seeded variant of English."""
    spec = _SYLLABLES.get(lang, _SYLLABLES["en"])
    onsets, vowels, codas = ([x.replace("_", "") for x in part.split()] for part in spec.split("|"))
    if lang not in _SYLLABLES:
        rng = random.Random(f"syllables:{lang}")
        rng.shuffle(onsets)
        onsets = onsets[: len(onsets) * 2 // 3]
    return onsets, vowels, codas


def _make_words(rng: random.Random, lang: str, n: int, min_syl: int, max_syl: int) -> list[str]:
    """``n`` distinct pseudo-words of ``lang`` (shorter words first)."""
    onsets, vowels, codas = _syllables(lang)
    seen: set[str] = set()
    words: list[str] = []
    boost = misses = 0
    while len(words) < n:
        # short words are frequent: few syllables early in the list, more when they run out
        hi = min_syl + len(words) * (max_syl - min_syl + 1) // max(n, 1) + boost
        k = rng.randint(min_syl, max(hi, min_syl))
        w = "".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(k))
        if w not in seen and len(w) > 1:
            seen.add(w)
            words.append(w)
            misses = 0
        else:
            misses += 1
            if misses > 20:
                boost, misses = boost + 1, 0
    return words


def _zipf_cum(n: int, s: float) -> list[float]:
    """Cumulative Zipf weights ``1/r^s`` for ranks 1..n (for ``random.choices``)."""
    return list(itertools.accumulate(1.0 / (r**s) for r in range(1, n + 1)))


# --- the language-independent plan ------------------------------------------------------


@dataclass
class Concept:
    """One concept: its slug and the English word ids its title is made of."""

    slug: str
    words: tuple[int, ...]
    abbrev: str = ""  # e.g. "CPA": the title in every language


@dataclass
class Written:
    """What the generator wrote for one article (used by the tests)."""

    lang: str
    slug: str
    path: Path
    links: int  # internal link mentions (a split link is one), fenced code excluded
    targets: list[str] = field(default_factory=list)
    dangling: int = 0


class _Language:
    """Vocabulary, sentence pool and concept-word translations of one language."""

    def __init__(self, lang: str, seed: int, concept_words: int):
        rng = random.Random(f"vocab:{seed}:{lang}")
        self.lang = lang
        # concept words: English is the source (ASCII, used in slugs), others translate
        self.terms = _make_words(rng, lang, concept_words, 1, 3)
        function_words = _make_words(rng, lang, 60, 1, 1)
        content = _make_words(rng, lang, 5000, 1, 4)
        vocab = function_words + content
        cum = _zipf_cum(len(vocab), 0.9)
        self.sentences = [self._sentence(rng, vocab, cum) for _ in range(6000)]
        # paragraphs of 2-6 sentences and short list items, drawn whole by articles (fast)
        self.paragraphs = [
            " ".join(rng.choices(self.sentences, k=rng.randint(2, 6))) for _ in range(4000)
        ]
        self.mean_paragraph = sum(map(len, self.paragraphs)) / len(self.paragraphs)
        self.items = [s[: rng.randint(25, 70)].rstrip(" ,.?!") for s in self.sentences[:1500]]
        self.heading_words = content[:400]
        self.highlights = _HIGHLIGHTS.get(lang, "Highlights")
        self.faq = _FAQ.get(lang, "FAQ")

    @staticmethod
    def _sentence(rng: random.Random, vocab: list[str], cum: list[float]) -> str:
        n = rng.randint(7, 24)
        words = rng.choices(vocab, cum_weights=cum, k=n)
        if rng.random() < 0.15:  # figures, as in finance articles
            words.insert(rng.randrange(n), rng.choice(["$1,000", "10%", "2019", "3.5%", "$500"]))
        if n > 10 and rng.random() < 0.5:
            words[n // 2] += ","
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice(".........?!")

    def title(self, concept: Concept) -> str:
        if concept.abbrev:
            return concept.abbrev
        text = " ".join(self.terms[w] for w in concept.words)
        return text.title() if self.lang == "en" else text[:1].upper() + text[1:]


class CorpusPlan:
    """The language-independent structure of a generated corpus (slugs, link targets).

    Parameters
    ----------
    n_articles : int
        Concepts with an article (per language).
    seed : int
        Everything follows from it.
    dangling : float
        Share of links whose target has no article.
    zipf : float
        Exponent of the target popularity law.
    """

    def __init__(self, n_articles: int, seed: int = 0, dangling: float = 0.05, zipf: float = 1.0):
        self.n = n_articles
        self.seed = seed
        self.dangling = dangling
        rng = random.Random(f"plan:{seed}")
        n_terms = max(300, min(6000, n_articles // 3))
        self.term_cum = _zipf_cum(n_terms, 0.8)
        self.n_terms = n_terms
        self.english = _Language("en", seed, n_terms)
        used: set[str] = set()
        self.concepts = [self._concept(rng, used) for _ in range(n_articles)]
        n_missing = max(10, n_articles // 25)
        self.missing = [self._concept(rng, used) for _ in range(n_missing)]
        # popularity: a random permutation of ranks, so popular concepts are spread out
        order = list(range(n_articles))
        rng.shuffle(order)
        self.popular = [self.concepts[i] for i in order]
        self.popular_cum = _zipf_cum(n_articles, zipf)
        self.missing_cum = _zipf_cum(n_missing, 1.1)
        terms = self.english.terms
        kw: list[str] = []
        seen: set[str] = set()
        while len(kw) < 300:
            k = rng.choice((1, 1, 2, 2, 2, 3))
            name = " ".join(terms[rng.randrange(n_terms)] for _ in range(k)).title()
            if rng.random() < 0.02:
                name = f"{name[0]}&amp;{name.split()[-1][0]}"  # M&amp;A
            elif rng.random() < 0.02:
                name = f"{name} &amp; {terms[rng.randrange(n_terms)].title()}"
            if name not in seen:
                seen.add(name)
                kw.append(name)
        self.keywords = kw
        self.keyword_cum = _zipf_cum(len(kw), 1.1)

    def _concept(self, rng: random.Random, used: set[str]) -> Concept:
        terms = self.english.terms
        while True:
            if rng.random() < 0.04:
                abbrev = "".join(rng.choice("ABCDEFGHIKLMNPRSTV") for _ in range(rng.randint(2, 4)))
                slug, words = abbrev.lower(), ()
            else:
                abbrev = ""
                k = rng.choice((1, 2, 2, 2, 3, 3))
                words = tuple(rng.choices(range(self.n_terms), cum_weights=self.term_cum, k=k))
                sep = rng.choices(("", "-", "_"), weights=(40, 50, 10))[0]
                slug = sep.join(terms[w] for w in words)
            if slug not in used and len(slug) > 1:
                used.add(slug)
                return Concept(slug, words, abbrev)


# --- one article --------------------------------------------------------------------------


def _article(plan: CorpusPlan, language: _Language, index: int) -> tuple[str, int, list[str], int]:
    """Render article ``index`` in ``language``; return (text, link mentions, targets, dangling)."""
    lang = language.lang
    concept = plan.concepts[index]
    # structure: the same in every language
    srng = random.Random(f"{plan.seed}:{index}")
    rand = srng.random
    n_links = max(1, min(30, round(srng.gammavariate(4.0, 2.0))))
    targets: list[Concept] = []
    n_dangling = 0
    for _ in range(n_links):
        if rand() < plan.dangling:
            targets.append(srng.choices(plan.missing, cum_weights=plan.missing_cum)[0])
            n_dangling += 1
        else:
            t = srng.choices(plan.popular, cum_weights=plan.popular_cum)[0]
            if t is concept:
                t = plan.concepts[(index + 1) % plan.n]
            targets.append(t)
    n_kw = 1 + int(rand() * 7)
    keywords = list(
        dict.fromkeys(srng.choices(plan.keywords, cum_weights=plan.keyword_cum, k=n_kw))
    )
    n_sections = 3 + int(rand() * 6)
    has_list = rand() < 0.7
    has_quote = rand() < 0.6
    has_code = rand() < 0.06
    has_external = rand() < 0.3
    split_at = int(rand() * n_links) if rand() < 0.25 else -1
    punct_at = int(rand() * n_links) if rand() < 0.1 else -1
    nospace = rand() < 0.3
    h1_differs = rand() < 0.1
    entity = rand() < 0.04
    yaml_break = rand() < 0.005
    size = srng.lognormvariate(8.38, 0.45)  # prose bytes: median ~4.7 KB; files average ~6 KB

    # words: per language
    rng = random.Random(f"{plan.seed}:{index}:{lang}")
    rnd = rng.random
    words = language.heading_words
    title = language.title(concept)
    h1 = title if not h1_differs else f"{title} {words[int(rnd() * len(words))]}"

    # blocks: [kind, text]; links go into paragraphs, list items and quotes
    n_paras = max(n_sections, round(size / language.mean_paragraph))
    paras = rng.choices(language.paragraphs, k=n_paras)
    blocks: list[list[str]] = []
    list_section = int(rnd() * n_sections) if has_list else -1
    quote_section = int(rnd() * n_sections) if has_quote else -1
    p = 0
    for s in range(n_sections):
        if s == 0:
            heading = f"{words[int(rnd() * 400)].capitalize()} {title}"
        else:
            heading = " ".join(rng.choices(words, k=1 + int(rnd() * 3))).capitalize()
        blocks.append(["h2", heading])
        upto = (s + 1) * n_paras // n_sections
        while p < upto:
            blocks.append(["p", paras[p]])
            p += 1
        if s == list_section:
            blocks.extend(["li", x] for x in rng.choices(language.items, k=3 + int(rnd() * 3)))
            blocks.append(["end", ""])
        if s == quote_section:
            blocks.append(["quote", paras[int(rnd() * n_paras)]])
        if s == 1 and has_code:
            other = plan.concepts[int(rnd() * plan.n)].slug
            blocks.append(["code", f"[{other}](/{other})\ntotal = price * quantity"])
    blocks.append(["h2x", language.highlights])
    blocks.extend(["li", x] for x in rng.choices(language.sentences, k=3))
    blocks.append(["end", ""])
    if rnd() < 0.2:
        blocks.append(["h2", language.faq])
        blocks.append(["p", language.paragraphs[int(rnd() * len(language.paragraphs))]])

    def link(i: int, target: Concept) -> str:
        if i == punct_at:
            return f"[{_PUNCT_ANCHORS[int(rnd() * len(_PUNCT_ANCHORS))]}](/{target.slug})"
        if target.abbrev:
            anchor = target.abbrev
        else:
            anchor = language.title(target)
            if lang != "de":
                anchor = anchor.lower()
            if rnd() < 0.3:
                anchor += ("s", "en", "er", "ssa", "n")[int(rnd() * 5)]
        dest = f"/{target.slug}"
        if rnd() < 0.02:
            dest += f"#{words[int(rnd() * 400)]}"
        if i == split_at and len(anchor) > 3:
            cut = 1 + int(rnd() * (len(anchor) - 2))
            return f"[{anchor[:cut]}]({dest}) [{anchor[cut:]}]({dest})"
        piece = f"[{anchor}]({dest})"
        return piece + ",." if rnd() < 0.05 else piece

    # each link goes after a distinct space of its block, so two links never touch
    slots = [b for b, (kind, _) in enumerate(blocks) if kind in ("p", "li", "quote")]
    by_block: dict[int, list[tuple[int, str]]] = {}
    used: set[tuple[int, int]] = set()
    out_targets: list[str] = []
    for i, target in enumerate(targets):
        for _ in range(20):
            b = slots[int(rnd() * len(slots))]
            text = blocks[b][1]
            cut = text.find(" ", int(rnd() * len(text)))
            if cut < 0:
                cut = len(text)
            if (b, cut) not in used:
                break
        else:
            continue
        used.add((b, cut))
        by_block.setdefault(b, []).append((cut, link(i, target)))
        out_targets.append(target.slug)
    if has_external:
        b = slots[int(rnd() * len(slots))]
        url = _EXTERNAL[int(rnd() * len(_EXTERNAL))].format(w=words[int(rnd() * 400)])
        by_block.setdefault(b, []).append((len(blocks[b][1]), f"[{words[0]}]({url})"))
    for b, pieces in by_block.items():
        text = blocks[b][1]
        for cut, piece in sorted(pieces, reverse=True):
            text = f"{text[:cut]} {piece}{text[cut:]}"
        blocks[b][1] = text

    # front matter
    desc = f"{title} {language.sentences[int(rnd() * 6000)].lower()}"
    if entity:
        desc = desc.replace(" ", f" {_ENTITIES[int(rnd() * len(_ENTITIES))]} ", 1)
    if yaml_break:
        desc = desc.replace(" ", ": ", 1) if rnd() < 0.7 else "&amp;quot;" + desc
    parts = [
        "---",
        f"keywords: {','.join(keywords)}",
        f"title: {title}",
        f"description: {desc}",
        "---",
        "",
        f"# {h1}",
    ]
    add = parts.append
    for kind, text in blocks:
        if kind == "p":
            add(text)
            add("")
        elif kind == "li":
            add(f"- {text}")
        elif kind == "h2":
            add(f"## {text}")
            add("")
        elif kind == "h2x":
            add(f"##{text}" if nospace else f"## {text}")
        elif kind == "end":
            add("")
        elif kind == "quote":
            add(f"> {text}")
            add(">")
            add("")
        elif kind == "code":
            add("```" + _CODE_LANGS[int(rnd() * len(_CODE_LANGS))])
            add(text)
            add("```")
            add("")
    add("")
    return "\n".join(parts), len(out_targets), out_targets, n_dangling


# --- the corpus -----------------------------------------------------------------------------


def iter_articles(
    out_dir: str | Path,
    n_articles: int,
    langs: Sequence[str] = ("en",),
    seed: int = 0,
    dangling: float = 0.05,
    missing: float = 0.0,
) -> Iterator[tuple[Written, str]]:
    """Yield ``(Written, text)`` for every article :func:`generate` would write.

    ``missing`` is the share of slugs left out of every language after the first
    (for translation coverage); the first language has them all.
    """
    out = Path(out_dir)
    plan = CorpusPlan(n_articles, seed=seed, dangling=dangling)
    languages = {
        lang: (plan.english if lang == "en" else _Language(lang, seed, plan.n_terms))
        for lang in langs
    }
    for li, lang in enumerate(langs):
        language = languages[lang]
        skip = random.Random(f"missing:{seed}:{lang}")
        for i, concept in enumerate(plan.concepts):
            if li > 0 and missing and skip.random() < missing:
                continue
            text, n, targets, nd = _article(plan, language, i)
            path = out / lang / f"{concept.slug}.md"
            yield Written(lang, concept.slug, path, n, targets, nd), text


def generate(
    out_dir: str | Path,
    n_articles: int,
    langs: Sequence[str] = ("en",),
    seed: int = 0,
    dangling: float = 0.05,
    *,
    missing: float = 0.0,
    overwrite: bool = False,
) -> Path:
    """Write a synthetic corpus of ``n_articles`` per language under ``out_dir/<lang>/``.

    Parameters
    ----------
    out_dir : str or Path
        The corpus root; it gets one folder per language code.
    n_articles : int
        Articles per language (the first language; others lose ``missing`` of them).
    langs : sequence of str
        Language codes; ``en``, ``sv``, ``fi``, ``de`` and ``fr`` have their own letters.
    seed : int
        Same seed, same bytes.
    dangling : float
        Share of internal links whose target has no article.
    missing : float
        Share of slugs absent from each language after the first.
    overwrite : bool
        Replace existing language folders (otherwise a non-empty one is an error).

    Returns
    -------
    Path
        ``out_dir``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = generate(tempfile.mkdtemp(), 20, langs=("en", "sv"), seed=1)
    >>> len(list((root / "sv").glob("*.md")))
    20
    """
    out = Path(out_dir)
    for lang in langs:
        folder = out / lang
        if folder.exists() and any(folder.iterdir()):
            if not overwrite:
                raise FileExistsError(f"{folder} is not empty (use overwrite=True / --overwrite)")
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
    for written, text in iter_articles(out, n_articles, langs, seed, dangling, missing):
        with open(written.path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a synthetic investors.wiki-like corpus for kg benchmarks.",
        epilog="example:\n  python benchmarks/generate_corpus.py /tmp/wiki --articles 15000 "
        "--langs en,sv,fi,de,fr --seed 0",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out", help="corpus root (gets one folder per language)")
    parser.add_argument("--articles", type=int, default=2000, help="articles per language")
    parser.add_argument("--langs", default="en", help="comma-separated language codes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dangling", type=float, default=0.05, help="share of dangling links")
    parser.add_argument(
        "--missing",
        type=float,
        default=0.0,
        help="share of slugs missing from each language after the first",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace language folders")
    args = parser.parse_args(argv)
    langs = tuple(x.strip() for x in args.langs.split(",") if x.strip())
    t0 = time.perf_counter()
    try:
        out = generate(
            args.out,
            args.articles,
            langs,
            args.seed,
            args.dangling,
            missing=args.missing,
            overwrite=args.overwrite,
        )
    except FileExistsError as exc:
        print(f"generate_corpus: error: {exc}", file=sys.stderr)
        return 1
    files = sum(1 for _ in out.glob("*/*.md"))
    mb = sum(p.stat().st_size for p in out.glob("*/*.md")) / 1e6
    print(f"{files} articles ({mb:.1f} MB) in {out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
