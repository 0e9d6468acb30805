"""SPARQL speed: kg.sparql (pyoxigraph) against rdflib on one generated corpus, in one run.

Times, on a build of ``--articles`` generated articles:

* loading: writing the store (bulk load of graph.nt), opening it read-only, loading
  graph.nt into memory on demand (the fall-back), and rdflib parsing graph.nt;
* ``kg query`` end to end (a fresh process) with the store and with the fall-back;
* three queries through ``kg.sparql`` on both engines: a point lookup (a concept's
  labels), a neighbourhood (concepts within two links, a property path) and an
  aggregate (GROUP BY: concepts per keyword), printing each time and the ratio.

Run::

    python benchmarks/bench_sparql.py --articles 15000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import pyoxigraph as ox  # noqa: E402

from kg.store import database as ks  # noqa: E402
from kg.store import named as nq  # noqa: E402
from kg.store import query as kq  # noqa: E402
from kg.store.server import _count_lines  # noqa: E402

POINT = """SELECT ?slug ?lang ?label WHERE {
  ?c dct:identifier ?slug ; skos:prefLabel ?l .
  BIND(LANG(?l) AS ?lang) BIND(STR(?l) AS ?label) } ORDER BY ?lang"""
NEIGHBOURHOOD = nq.named_query("within-two-links").text
AGGREGATE = nq.named_query("concepts-per-keyword").text


def timed(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def corpus(n: int, root: Path) -> Path:
    """The generated corpus of ``n`` articles (made once, kept under benchmarks/corpora)."""
    src = root / f"sparql-{n}"
    if not (src / "en").is_dir() or not any((src / "en").iterdir()):
        from generate_corpus import generate

        print(f"generating {n} articles into {src} …", flush=True)
        generate(src, n, langs=("en",), seed=0, overwrite=True)
    return src


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=15000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (best is kept)")
    parser.add_argument("--rdflib-repeat", type=int, default=1)
    parser.add_argument("--corpora", default=str(HERE / "corpora"))
    args = parser.parse_args(argv)

    import kg

    src = corpus(args.articles, Path(args.corpora))
    out = Path(tempfile.mkdtemp(prefix="kg-bench-sparql-"))
    try:
        start = time.perf_counter()
        kg.build(src, out, formats=["nt", "store"], jobs=os.cpu_count())
        print(f"build (parse + graph + nt + store): {time.perf_counter() - start:.1f} s")
        nt = out / "graph.nt"
        triples = _count_lines(nt)
        print(f"graph.nt: {triples:,} triples, {nt.stat().st_size / 1e6:.1f} MB")

        print("\nloading")
        t_store, _ = timed(lambda: ks.write_store(out), 1)
        t_open, _ = timed(lambda: ox.Store.read_only(str(out / ks.STORE_DIR)), 5)
        t_mem, _ = timed(lambda: ks._load_memory(nt), 1)
        t_rdflib, graph = timed(lambda: ks.to_rdflib(out), 1)
        rows = [
            ("write store (bulk load)", t_store),
            ("open store read-only", t_open),
            ("load graph.nt in memory (fall-back)", t_mem),
            ("rdflib parse graph.nt", t_rdflib),
        ]
        for name, t in rows:
            print(f"  {name:40s} {t * 1000:10.1f} ms")

        print("\nkg query end to end (new process, median of 3)")
        cli = [
            sys.executable,
            "-m",
            "kg",
            "query",
            "--name",
            "stats",
            "--data",
            str(out),
            "--format",
            "csv",
        ]
        e2e = {}
        for label in ("store", "on demand"):
            if label == "on demand":
                shutil.rmtree(out / ks.STORE_DIR)
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                subprocess.run(cli, check=True, capture_output=True)
                runs.append(time.perf_counter() - start)
            e2e[label] = statistics.median(runs)
            print(f"  {label:40s} {e2e[label] * 1000:10.1f} ms")
        print(f"  on demand / store: {e2e['on demand'] / e2e['store']:.1f}x")
        ks.write_store(out)

        ks._CACHE.clear()
        hub = kq.sparql(nq.named_query("hubs").text, out)
        slug = str(hub["slug"][0] if hasattr(hub, "columns") else hub[0]["slug"])
        queries = [
            ("point lookup (labels of one concept)", POINT, {"slug": slug}),
            ("neighbourhood (within two links)", NEIGHBOURHOOD, {"slug": slug}),
            ("aggregate (GROUP BY keyword)", AGGREGATE, None),
        ]
        print(
            f"\nqueries (slug {slug!r}; oxigraph best of {args.repeat}, "
            f"rdflib best of {args.rdflib_repeat})"
        )
        print(f"  {'query':40s} {'oxigraph':>12s} {'rdflib':>12s} {'ratio':>9s}  rows")
        for name, text, bindings in queries:
            t_ox, res_ox = timed(
                lambda t=text, b=bindings: kq.sparql(t, out, bindings=b), args.repeat
            )
            t_rl, res_rl = timed(
                lambda t=text, b=bindings: kq.sparql(t, graph, bindings=b, engine="rdflib"),
                args.rdflib_repeat,
            )
            same = len(res_ox) == len(res_rl)
            print(
                f"  {name:40s} {t_ox * 1000:9.2f} ms {t_rl * 1000:9.1f} ms "
                f"{t_rl / t_ox:8.0f}x  {len(res_ox)}{'' if same else ' (rdflib differs!)'}"
            )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
