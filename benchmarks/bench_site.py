"""Time the concept site (``kg.write_site``) on a generated wiki: cold, size, a rebuild.

A corpus of ``--articles`` generated articles (``generate_corpus.generate``) is built into
a graph (``kg.build(..., formats=["json"])``, then ``kg.load``), and the site is written:

- cold: into a fresh folder (seconds, files, size on disk, the biggest page);
- again with nothing changed (every file compared, none written);
- after one article is edited (a sentence with a new link appended): the build is
  rebuilt (incrementally), loaded, and the site written again: seconds and files written;
  then the same graph is written cold into a folder holding the previous ``summary.json``,
  and the two folders compared byte for byte.

Nothing is asserted; the figures are printed and saved as JSON in ``benchmarks/out/``.

Examples
--------
::

    python benchmarks/bench_site.py                     # 15,000 articles
    python benchmarks/bench_site.py --articles 2000 --keep
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kg  # noqa: E402
from benchmarks.generate_corpus import generate  # noqa: E402
from kg.site import write_site  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
EDIT = "\n\nA new sentence links to [{anchor}](/{slug}) for the benchmark.\n"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sizes(folder: Path) -> dict[str, object]:
    """Files, bytes (their sizes), bytes on disk (blocks), the biggest and median pages."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    pages = sorted((p.stat().st_size, p.relative_to(folder).as_posix()) for p in files
                   if p.suffix == ".html")  # fmt: skip
    return {
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "disk_bytes": sum(p.stat().st_blocks * 512 for p in files),
        "pages": len(pages),
        "biggest_page": pages[-1][1],
        "biggest_page_bytes": pages[-1][0],
        "median_page_bytes": int(statistics.median(s for s, _ in pages)),
        "concept_html_bytes": sum(s for s, name in pages if name.startswith("concept/")),
    }


CPU: dict[str, float] = {}
"""The CPU seconds of this process in each timed call, by the function's name (the machine
may be shared: wall time then says more about the others than about kg)."""


def timed(fn, *args, **kw):
    start, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kw)
    CPU[fn.__name__] = time.process_time() - cpu
    return value, time.perf_counter() - start


def bench(n: int, root: Path, seed: int, log=print) -> dict[str, object]:
    src, build, site = root / f"site-{n}-src", root / f"site-{n}-build", root / f"site-{n}"
    for folder in (src, build, site, root / f"site-{n}-cold"):
        shutil.rmtree(folder, ignore_errors=True)
    log(f"generating {n:,} articles in {src}")
    generate(src, n, langs=("en",), seed=seed)
    kg.build(src, build, formats=["json"])
    G, load_s = timed(kg.load, build)
    concepts = sum(1 for _, d in G.nodes(data=True) if d.get("kind") == "concept")
    log(f"graph: {concepts:,} concepts, {G.number_of_edges():,} edges (load {load_s:.1f} s)")

    cold, cold_s = timed(write_site, G, site)
    cold_cpu = CPU["write_site"]
    size = sizes(site)
    big, median = size["biggest_page_bytes"] / 1e3, size["median_page_bytes"] / 1e3
    log(f"cold: {cold_s:.1f} s ({cold_cpu:.1f} s CPU), {size['files']:,} files, "
        f"{size['bytes'] / 1e6:,.0f} MB "
        f"({size['disk_bytes'] / 1e6:,.0f} MB on disk); biggest page {size['biggest_page']} "
        f"{big:,.0f} KB, median {median:.1f} KB")  # fmt: skip

    same, same_s = timed(write_site, G, site)
    same_cpu = CPU["write_site"]
    log(f"again, nothing changed: {same_s:.1f} s ({same_cpu:.1f} s CPU), {same.written} written")

    previous_summary = (site / "summary.json").read_bytes()
    files = sorted((src / "en").glob("*.md"))
    edited, target = files[len(files) // 2], files[len(files) // 3].stem
    with open(edited, "a", encoding="utf-8") as handle:
        handle.write(EDIT.format(anchor=target.replace("-", " "), slug=target))
    _, rebuild_s = timed(kg.build, src, build, formats=["json"])
    G2, load2_s = timed(kg.load, build)
    one, one_s = timed(write_site, G2, site)
    one_cpu = CPU["write_site"]
    log(f"one article edited ({edited.name} → {target}): graph rebuilt {rebuild_s:.1f} s, "
        f"loaded {load2_s:.1f} s, site {one_s:.1f} s ({one_cpu:.1f} s CPU): "
        f"{one.written} files written, "
        f"{one.unchanged:,} unchanged, {one.removed} removed")  # fmt: skip

    cold_again = root / f"site-{n}-cold"
    cold_again.mkdir()
    (cold_again / "summary.json").write_bytes(previous_summary)
    write_site(G2, cold_again)
    identical = tree(site) == tree(cold_again)
    log(f"rebuild byte-identical to a cold build: {identical}")
    return {
        "articles": n,
        "concepts": concepts,
        "edges": G.number_of_edges(),
        "cold_seconds": round(cold_s, 2),
        "cold_cpu_seconds": round(cold_cpu, 2),
        "cold_written": cold.written,
        **size,
        "unchanged_seconds": round(same_s, 2),
        "unchanged_cpu_seconds": round(same_cpu, 2),
        "unchanged_written": same.written,
        "edit_graph_rebuild_seconds": round(rebuild_s, 2),
        "edit_load_seconds": round(load2_s, 2),
        "edit_site_seconds": round(one_s, 2),
        "edit_site_cpu_seconds": round(one_cpu, 2),
        "edit_written": one.written,
        "edit_removed": one.removed,
        "rebuild_identical_to_cold": identical,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[15000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpora", type=Path, default=ROOT / "benchmarks" / "corpora")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and sites")
    parser.add_argument("--json", type=Path, default=OUT / "bench_site.json")
    args = parser.parse_args(argv)
    args.corpora.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.articles:
        results.append(bench(n, args.corpora, args.seed))
        if not args.keep:
            for suffix in ("-src", "-build", "", "-cold"):
                shutil.rmtree(args.corpora / f"site-{n}{suffix}", ignore_errors=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"figures: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
