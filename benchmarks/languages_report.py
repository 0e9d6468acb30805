"""Count, per language, what kg gets right and wrong in scripts other than Latin.

Given a folder of language folders (``zh/``, ``ja/``, ``ar/``, ``ru/``, ``tr/``, ``de/`` …
of real articles), parse it with kg and print one row per language:

* ``mentions``: unlinked mentions found, as (article, target) pairs;
* ``expected`` and ``both`` (with ``--expected FILE``, the JSON of an independent
  extractor: ``{lang: {"expected": [{"article", "target"}, …]}}``): its pairs, and how
  many of them kg found;
* ``split``: split links (two adjacent links to one target) in the source;
  ``+space`` how many kg joined with a space the source does not have (always wrong),
  ``-space`` how many it joined without the space the source has (right only when the
  pieces are one word: the ``glued`` column of the listing says which ones);
* ``edge``: anchor labels (``alt_labels``) with white space or unbalanced punctuation
  at an end (``Back Office -``, ``租赁。``);
* ``＃``: full-width heading lines (``＃＃ 强调``) and ``＃ lost``, those that are not
  sections of the parsed article;
* ``case``: titles that :func:`kg.find` does not find again when typed in capitals
  (Turkish capitals: ``i`` → ``İ``, ``ı`` → ``I``; and plain ones);
* ``part``: CJK titles of 3 characters or more not found by a part of them (the title
  without its first character);
* ``marks``: Arabic titles not found when typed with a vowel mark and a tatweel.

Then, for the whole folder, the labels of concepts without an article that read like a
phrase or a sentence. ``--list`` prints every case behind the counts.

Examples
--------
::

    python benchmarks/languages_report.py ~/samples
    python benchmarks/languages_report.py ~/samples --expected expected.json --list
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg.engine.parse import read_corpus  # noqa: E402
from kg.explore import find  # noqa: E402
from kg.graph import build_graph  # noqa: E402

PAIR = re.compile(r"\[([^\[\]]*)\]\((/[^)\s#]+)\)([ \t]*)\[([^\[\]]*)\]\(\2\)")
FULLWIDTH_HEADING = re.compile(r"^[ \t]*(?:>[ \t]*)*(＃+)[ \t\u3000]*(.*?)[ \t\u3000＃]*$", re.M)
OPENERS = {")": "(", "]": "[", "）": "（", "」": "「", "』": "『", "》": "《", "»": "«", "”": "“"}
CJK_NAMES = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")
ARABIC_MARK, TATWEEL = "\u064e", "\u0640"


def edge_punctuation(label: str) -> bool:
    """White space, or punctuation that is not a balanced bracket, at an end of ``label``."""
    if not label:
        return False
    if label != label.strip():
        return True
    first, last = label[0], label[-1]
    if unicodedata.category(last)[0] == "P" and OPENERS.get(last, "\0") not in label:
        return True
    return unicodedata.category(first)[0] == "P" and first not in "(（「『[《«“¿¡"


def is_cjk(char: str) -> bool:
    """A character of a script written without spaces between words (or Hangul)."""
    return unicodedata.name(char, "").startswith(CJK_NAMES)


def phrase_like(label: str) -> bool:
    """A label that reads as a phrase or a sentence rather than a term."""
    cjk = sum(map(is_cjk, label))
    if cjk:
        return cjk >= 8 or any(mark in label for mark in "。，、：；！？")
    words = label.split()
    inner = re.search(r"[.,;:!?،؛] ", label) is not None
    return len(words) >= 7 or inner or (len(words) >= 3 and label[-1] in ".,;:!?،؛")


def fold(text: str) -> str:
    """White space collapsed, case folded, punctuation at the ends left out."""
    text = " ".join(text.split()).casefold()
    while text and unicodedata.category(text[-1])[0] in "PZ":
        text = text[:-1]
    while text and unicodedata.category(text[0])[0] in "PZ":
        text = text[1:]
    return text


def capitals(title: str, lang: str) -> list[str]:
    """``title`` in capitals, as a user types it (Turkish capitals for Turkish)."""
    forms = [title.upper()]
    if lang == "tr":
        forms.insert(0, title.replace("i", "İ").replace("ı", "I").upper())
    return list(dict.fromkeys(f for f in forms if f != title))


def split_links(root: Path, lang: str, G: Any) -> list[dict[str, Any]]:
    """Every split link of the language's files and how kg joined it."""
    found = []
    for path in sorted((root / lang).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for match in PAIR.finditer(text):
            first, target, sep, second = match.groups()
            target = target[1:]
            pieces = (first.strip(), second.strip())
            if not all(any(c.isalnum() for c in piece) for piece in pieces):
                continue  # a piece of punctuation only names nothing
            edge = G.edges.get((path.stem, target)) or {}
            anchors = {fold(a) for a in edge.get("anchors", [])}
            spaced, glued = fold(" ".join(pieces)), fold("".join(pieces))
            if spaced == glued:
                continue
            kept = glued if not sep else spaced
            changed = spaced if not sep else glued
            trimmed = {a for a in anchors if a.startswith(changed[:2])}
            state = "kept" if kept in anchors else "changed" if changed in anchors else "other"
            line = text.count("\n", 0, match.start()) + 1
            found.append(
                {
                    "where": f"{lang}/{path.name}:{line}",
                    "source": f"[{first}]{sep}[{second}]",
                    "state": state,
                    "space_in_source": bool(sep),
                    "kg": sorted(trimmed),
                }
            )
    return found


def report(root: Path, expected_file: Path | None) -> dict[str, Any]:
    """The counts and the cases behind them, per language."""
    corpus = read_corpus([root], jobs=1)
    corpus.articles = [a for a in corpus.articles if "/" in a.path]  # language folders only
    articles = {(a.lang, a.slug): a for a in corpus.articles}
    G = build_graph(corpus)
    expected = json.loads(expected_file.read_text(encoding="utf-8")) if expected_file else {}
    langs = sorted({a.lang for a in corpus.articles})
    rows: dict[str, dict[str, Any]] = {}
    cases: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    labels_per_lang: Counter[str] = Counter()
    for node, data in G.nodes(data=True):
        for lang, labels in (data.get("alt_labels") or {}).items():
            labels_per_lang[lang] += len(labels)
            for label in labels:
                if edge_punctuation(label):
                    cases[lang]["edge"].append(f"{node}: {label!r}")
    for lang in langs:
        found = {
            (node, target)
            for node, data in G.nodes(data=True)
            for target in (data.get("unlinked_mentions") or {}).get(lang, [])
        }
        row: dict[str, Any] = {"articles": sum(1 for key in articles if key[0] == lang)}
        row["mentions"] = len(found)
        if lang in expected:
            pairs = {(e["article"], e["target"]) for e in expected[lang].get("expected", [])}
            row["expected"], row["both"] = len(pairs), len(pairs & found)
            cases[lang]["missed"] = sorted(f"{a} → {t}" for a, t in pairs - found)
            cases[lang]["extra"] = sorted(f"{a} → {t}" for a, t in found - pairs)
        splits = split_links(root, lang, G)
        row["split"] = len(splits)
        row["+space"] = sum(not s["space_in_source"] and s["state"] != "kept" for s in splits)
        row["-space"] = sum(s["space_in_source"] and s["state"] != "kept" for s in splits)
        cases[lang]["split"] = [
            f"{s['where']} {s['source']} → {s['kg']} ({s['state']})" for s in splits
        ]
        row["edge"] = f"{len(cases[lang]['edge'])}/{labels_per_lang[lang]}"
        headings = lost = 0
        for (code, _), article in sorted(articles.items()):
            if code != lang:
                continue
            text = (root / article.path).read_text(encoding="utf-8")
            for match in FULLWIDTH_HEADING.finditer(text):
                headings += 1
                if match.group(2) and match.group(2) not in article.sections:
                    lost += 1
                    cases[lang]["＃"].append(f"{article.path}: {match.group(0).strip()}")
        row["＃"], row["＃ lost"] = headings, lost
        case = part = marks = 0
        for (code, slug), article in sorted(articles.items()):
            if code != lang:
                continue
            for form in capitals(article.title, lang):
                if slug not in find(G, form):
                    case += 1
                    cases[lang]["case"].append(f"{form} ({slug})")
            if sum(map(is_cjk, article.title)) >= 3:
                piece = article.title[1:]
                if slug not in find(G, piece):
                    part += 1
                    cases[lang]["part"].append(f"{piece} ({slug})")
            if lang == "ar" and len(article.title) > 2:
                marked = article.title[0] + ARABIC_MARK + TATWEEL + article.title[1:]
                if slug not in find(G, marked):
                    marks += 1
                    cases[lang]["marks"].append(f"{marked} ({slug})")
        row["case"], row["part"], row["marks"] = case, part, marks
        rows[lang] = row
    phrases = []
    for node, data in sorted(G.nodes(data=True)):
        if data.get("kind") == "concept" and not data.get("exists"):
            label = str(data.get("label", ""))
            if phrase_like(label) or edge_punctuation(label):
                phrases.append(f"{node}: {label!r}")
    return {"rows": rows, "cases": cases, "phrase_labels": phrases}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of language folders")
    parser.add_argument("--expected", type=Path, help="an independent extractor's JSON")
    parser.add_argument("--list", action="store_true", help="print the cases behind the counts")
    parser.add_argument("--json", type=Path, help="write the whole result as JSON")
    args = parser.parse_args(argv)
    result = report(args.folder, args.expected)
    rows = result["rows"]
    columns = ["articles", "mentions", "expected", "both", "split", "+space", "-space", "edge"]
    columns += ["＃", "＃ lost", "case", "part", "marks"]
    columns = [c for c in columns if any(c in row for row in rows.values())]
    print("| lang | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for lang, row in rows.items():
        print(f"| {lang} | " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    print(
        f"\nlabels of concepts without an article that read as phrases: "
        f"{len(result['phrase_labels'])}"
    )
    if args.list:
        for label in result["phrase_labels"]:
            print(f"  {label}")
        for lang, kinds in sorted(result["cases"].items()):
            for kind, items in sorted(kinds.items()):
                if items:
                    print(f"\n## {lang} {kind} ({len(items)})")
                    for item in items:
                        print(f"  {item}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
