"""Time ``kg check`` on a generated 15,000-article corpus, and the mention scan behind it.

What is timed, in one run, on one corpus:

* ``kg.mentions.find_unlinked_mentions`` — the build-time Aho–Corasick scan of every
  article's prose for other concepts' titles (the ``unlinked-mention`` check reads its
  result from the graph); the graph is built once without it, so this is its own cost;
* ``kg.quality.check(G)`` — all checks, then each check alone;
* ``kg check --data DIR --format json`` as a user runs it (a new process: start-up,
  reading ``graph.json``, the checks, printing), best of three;
* for context: parsing (``read_corpus``), the graph without mentions, and ``kg.stats``.

The corpus comes from ``benchmarks/generate_corpus.py`` (``generate``) when it is
there; otherwise a minimal generator below writes articles with front matter, prose
and Zipf-distributed links. Figures are printed, never asserted.

Examples
--------
::

    python benchmarks/bench_check.py                      # 15,000 articles, en
    python benchmarks/bench_check.py --articles 2000 --langs en,sv
    python benchmarks/bench_check.py --corpus /tmp/wiki   # an existing corpus folder
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from kg.engine.exports import write_exports  # noqa: E402
from kg.engine.parse import read_corpus  # noqa: E402
from kg.explore import stats  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.mentions import find_unlinked_mentions  # noqa: E402
from kg.quality import CHECKS, check  # noqa: E402


def make_corpus(out: Path, n_articles: int, langs: Sequence[str], seed: int = 0) -> str:
    """Write the corpus; return which generator wrote it."""
    try:
        from generate_corpus import generate
    except ImportError:
        _minimal_corpus(out, n_articles, langs, seed)
        return "minimal generator in bench_check.py"
    generate(out, n_articles, langs=tuple(langs), seed=seed)
    return "benchmarks/generate_corpus.py"


def _minimal_corpus(out: Path, n: int, langs: Sequence[str], seed: int) -> None:
    """Articles with front matter, ~300 words of prose naming other titles, ~8 Zipf links."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ra", "su", "ti", "ve", "do", "ba", "pe", "ri"]
    words = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(5000)]
    titles = [" ".join(rng.choices(words, k=rng.randint(1, 3))) for _ in range(n)]
    weights = [1 / (i + 1) for i in range(n)]
    for lang in langs:
        folder = out / lang
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            targets = rng.choices(range(n), weights=weights, k=8)
            paragraphs = []
            for _ in range(4):
                sentence = rng.choices(words, k=70)
                sentence.insert(rng.randrange(70), titles[rng.randrange(n)])
                for t in targets[:2]:
                    sentence.insert(rng.randrange(len(sentence)), f"[{titles[t]}](/c{t})")
                del targets[:2]
                paragraphs.append(" ".join(sentence) + ".")
            text = (
                f"---\nkeywords: K{i % 300},K{i % 17}\ntitle: {titles[i]}\n"
                f"description: {' '.join(rng.choices(words, k=12))}\n---\n\n# {titles[i]}\n\n"
                + "\n\n".join(f"## S{j}\n\n{p}" for j, p in enumerate(paragraphs))
                + "\n"
            )
            (folder / f"c{i}.md").write_text(text, encoding="utf-8")


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--articles", type=int, default=15_000, help="articles per language")
    parser.add_argument("--langs", default="en", help="comma-separated language codes")
    parser.add_argument("--corpus", help="use this corpus folder instead of generating one")
    parser.add_argument("--jobs", type=int, default=None, help="parsing processes")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    langs = [x.strip() for x in args.langs.split(",") if x.strip()]

    with tempfile.TemporaryDirectory(prefix="kg-bench-check-") as tmp:
        work = Path(tmp)
        if args.corpus:
            source, origin = Path(args.corpus), "given"
        else:
            source = work / "corpus"
            seconds, origin = timed(lambda: make_corpus(source, args.articles, langs, args.seed))
            print(
                f"corpus: {args.articles} articles × {len(langs)} language(s) "
                f"written in {seconds:.1f} s ({origin})"
            )

        t_read, corpus = timed(lambda: read_corpus([source], jobs=args.jobs))
        articles = corpus.articles
        t_graph, G = timed(
            lambda: build_graph(
                articles, errors=corpus.errors, warnings=corpus.warnings, mentions=False
            )
        )
        t_scan, found = timed(lambda: find_unlinked_mentions(G, articles))
        for node, mentions in found.items():
            G.nodes[node]["unlinked_mentions"] = mentions
        n_mentions = sum(  # {slug: {lang: [targets]}} (or a list of records per slug)
            sum(map(len, m.values())) if isinstance(m, dict) else len(m) for m in found.values()
        )
        prose_mb = sum(len(a.text) for a in articles) / 1e6

        t_check, report = timed(lambda: check(G), repeat=3)
        per_check = {name: timed(lambda n=name: check(G, [n]), repeat=3)[0] for name in CHECKS}
        t_stats, _ = timed(lambda: stats(G))

        data = work / "exports"
        write_exports(G, data, formats=["json"], base_iri="http://example.org/kg/")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        command = [sys.executable, "-m", "kg", "check", "--data", str(data), "--format", "json"]
        t_cli, proc = timed(
            lambda: subprocess.run(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
            ),
            repeat=3,
        )

    n = len(articles)
    concepts = sum(1 for _, d in G.nodes(data=True) if d.get("kind") == "concept")
    print(
        f"articles parsed: {n} ({concepts} concept nodes, {G.number_of_edges()} edges, "
        f"{prose_mb:.1f} MB of prose)"
    )
    print()
    print(f"{'stage':50} {'seconds':>9} {'per 1k articles':>16}")
    rows = [
        ("read + parse (read_corpus)", t_read),
        ("graph without mentions (build_graph)", t_graph),
        ("unlinked-mention scan (find_unlinked_mentions)", t_scan),
        ("quality.check(G), all checks (best of 3)", t_check),
        ("kg check --format json, new process (best of 3)", t_cli),
        ("explore.stats(G) (PageRank + Louvain)", t_stats),
    ]
    for label, seconds in rows:
        print(f"{label:50} {seconds:9.3f} {seconds / n * 1000:16.4f}")
    print()
    print(f"{'check':24} {'seconds':>9} {'issues':>8}")
    for name in CHECKS:
        print(f"{name:24} {per_check[name]:9.4f} {report['summary'][name]:8d}")
    print()
    print(
        f"unlinked mentions found: {n_mentions} (concept, target, language) in {len(found)} "
        "concepts; "
        f"scan speed {prose_mb / t_scan:.1f} MB/s"
    )
    print(
        f"mention scan / parse: {t_scan / t_read:.2f}; "
        f"check / parse: {t_check / t_read:.3f}; kg check exit code {proc.returncode}"
    )
    if proc.returncode != 0:
        print(proc.stderr.decode(errors="replace"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
