"""Benchmark ``kg.build`` on generated corpora: throughput, incremental rebuilds, memory, floor.

For each corpus size, in one run:

1. generate the corpus (:mod:`generate_corpus`, ``seed``), read every file once so the
   page cache is warm, and time the read-every-file-plus-one-regex floor (:mod:`floor`);
2. **cold build**: a fresh output folder, ``kg.build(src, out, jobs=…, cache=True)``,
   in a child process (its peak memory is its own);
3. **incremental rebuild**: append a sentence with a new link to ONE article and
   build again into the same folder (the cache holds every other article);
4. **no-op rebuild**: build again with nothing changed;
5. with ``--obsidian``, for corpora of at most 2,000 articles:
   ``obsidiantools.api.Vault(src).connect().gather()`` on the same folder.

Each build runs in its own child process; the wall time is taken in the child around
the ``kg.build`` call (interpreter start and ``import kg`` are reported apart as
``process``). Peak memory is the child's ``ru_maxrss`` (the main process) and the
largest ``ru_maxrss`` of its own children (the parse pool's workers), plus the peak of
the sampled sum of RSS over the process tree (psutil, every 50 ms; forked workers
share pages, so the sum over-counts). "Child" covers every process the build starts:
parse workers and any ``oxigraph`` process an export runs.

Output: a table on stdout and ``benchmarks/out/bench_build-<time>.json`` (plus
``benchmarks/out/bench_build.json``, the latest). Corpora go to
``benchmarks/corpora/`` (git-ignored) and are removed at the end unless ``--keep``.

Examples
--------
::

    python benchmarks/bench_build.py --articles 2000 15000 --obsidian
    python benchmarks/bench_build.py --articles 100000 --multilingual 5x15000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

from floor import floor_once, warm  # noqa: E402
from generate_corpus import generate  # noqa: E402

LANGS = (
    "en", "sv", "fi", "de", "fr", "es", "it", "nl", "pl", "pt",
    "da", "no", "cs", "hu", "ro", "tr", "ru", "ja", "zh", "ko",
    "ar", "he", "el", "bg", "uk", "id", "vi", "th", "hi", "ms",
)  # fmt: skip
"""Language codes of multilingual corpora, in order: 30, as many as investors.wiki has."""
EDIT = "\n\nAn added sentence for the incremental benchmark names [{anchor}](/{slug}).\n"


# --- child processes ------------------------------------------------------------------------


def _tree_rss(pid: int, pss: bool = False) -> int:
    """Summed RSS (or, with ``pss``, proportional set size) of process ``pid`` and its
    descendants (0 without psutil).

    PSS counts a page shared by n processes (a forked child's copy-on-write pages) as 1/n
    in each, so its sum is what the processes need together; the RSS sum counts shared
    pages once per process. PSS reads ``/proc/PID/smaps_rollup`` (slower: sampled less).
    """
    try:
        import psutil
    except ImportError:  # psutil is optional: the ru_maxrss figures remain
        return 0
    try:
        me = psutil.Process(pid)
        procs = [me, *me.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_full_info().pss if pss else p.memory_info().rss
    return total


def _tree_pss(pid: int) -> tuple[int, int]:
    """Summed PSS and anonymous PSS of process ``pid`` and its descendants (bytes).

    Anonymous PSS leaves out the file pages a process maps: a rebuild maps the last
    build's exports to copy their unchanged pieces, and those pages are the page cache's,
    which the kernel drops when memory runs short. Read from ``/proc/PID/smaps_rollup``
    (Linux 4.14+; ``Pss_Anon`` from 5.8); elsewhere both are psutil's PSS.
    """
    try:
        import psutil

        me = psutil.Process(pid)
        pids = [pid, *(p.pid for p in me.children(recursive=True))]
    except Exception:  # noqa: BLE001 - psutil missing, or the process gone
        return 0, 0
    pss = anon = 0
    for one in pids:
        try:
            with open(f"/proc/{one}/smaps_rollup") as f:
                lines = f.read().splitlines()[1:]
            fields = dict(line.split(":", 1) for line in lines if ":" in line)
            pss += int(fields["Pss"].split()[0]) * 1024
            anon += int(fields.get("Pss_Anon", fields["Pss"]).split()[0]) * 1024
        except (OSError, KeyError, ValueError):
            with contextlib.suppress(Exception):
                value = psutil.Process(one).memory_full_info().pss
                pss, anon = pss + value, anon + value
    return pss, anon


def _child(task: dict[str, Any]) -> dict[str, Any]:
    """Run one measured task in this (child) process and return its figures."""
    t_start = time.perf_counter()
    # no sampler thread in here: kg writes some exports in a forked child only when the
    # process has one thread, as the command line has; the parent samples memory instead
    if task["kind"] == "build":
        import kg

        imported = time.perf_counter()
        t0 = time.perf_counter()
        kwargs = {"formats": task["formats"]} if task.get("formats") else {}
        result = kg.build(
            task["src"], task["out"], jobs=task["jobs"], cache=task["cache"], **kwargs
        )
        wall = time.perf_counter() - t0
        # an unchanged build has no graph in memory; reading graph.json back here would be
        # counted as the build's peak memory (8 GB for the whole wiki's no-op build)
        G = result._graph
        figures = {
            "timings": dict(result.timings),
            "articles": result.report.get("articles"),
            "concepts": result.report.get("concepts"),
            "links": result.report.get("links"),
            "nodes": G.number_of_nodes() if G is not None else None,
            "edges": G.number_of_edges() if G is not None else None,
            "warnings": len(result.report.get("warnings", [])),
            "errors": len(result.report.get("errors", [])),
        }
    elif task["kind"] == "obsidian":
        from obsidiantools.api import Vault

        imported = time.perf_counter()
        t0 = time.perf_counter()
        vault = Vault(Path(task["src"])).connect().gather()
        wall = time.perf_counter() - t0
        figures = {"notes": len(vault.md_file_index)}
    else:
        raise ValueError(task["kind"])
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures.update(
        wall=wall,
        process=time.perf_counter() - t_start,
        import_s=imported - t_start,
        peak_rss_mb=self_kb / 1024,
        peak_rss_workers_mb=kids_kb / 1024,
    )
    return figures


def run_child(task: dict[str, Any]) -> dict[str, Any]:
    """Run ``task`` in a fresh Python process; return its figures (raises on failure)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as fh:
        result_path = fh.name
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, str(Path(__file__).resolve()), "_child", json.dumps(task), result_path]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        tree_peak = pss_peak = anon_peak = 0
        samples = 0
        while child.poll() is None:  # sample the child's process tree every 50 ms
            tree_peak = max(tree_peak, _tree_rss(child.pid))
            if samples % 10 == 0:  # and its PSS every half second
                pss, anon = _tree_pss(child.pid)
                pss_peak, anon_peak = max(pss_peak, pss), max(anon_peak, anon)
            samples += 1
            time.sleep(0.05)
        err.seek(0)
        proc = subprocess.CompletedProcess(cmd, child.returncode, "", err.read())
    elapsed = time.perf_counter() - t0
    try:
        if proc.returncode != 0:
            raise RuntimeError(
                f"{task['kind']} child failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        figures = json.loads(Path(result_path).read_text())
    finally:
        Path(result_path).unlink(missing_ok=True)
    figures["elapsed"] = elapsed
    figures["peak_tree_mb"] = tree_peak / 2**20
    figures["peak_tree_pss_mb"] = pss_peak / 2**20
    figures["peak_tree_anon_mb"] = anon_peak / 2**20
    return figures


# --- one corpus -----------------------------------------------------------------------------


def _edit_one(src: Path, lang: str) -> tuple[Path, str]:
    """Append a sentence with a link to one article (the middle one of ``lang``)."""
    files = sorted((src / lang).glob("*.md"))
    path = files[len(files) // 2]
    target = files[len(files) // 3].stem
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(EDIT.format(anchor=target.replace("-", " "), slug=target))
    return path, target


def bench_corpus(
    name: str,
    n: int,
    langs: tuple[str, ...],
    *,
    root: Path,
    seed: int,
    jobs: int | None,
    obsidian: bool,
    missing: float,
    formats: list[str] | None = None,
    attempts: int = 1,
    retry_wait: float = 60.0,
    log=print,
) -> dict[str, Any]:
    """Generate one corpus and measure everything on it; return a dict of figures."""
    src = root / name
    out = root / f"{name}-out"
    for folder in (src, out):
        if folder.exists():
            shutil.rmtree(folder)
    t0 = time.perf_counter()
    generate(src, n, langs=langs, seed=seed, missing=missing)
    gen_s = time.perf_counter() - t0
    nbytes = warm(src)
    passes = [floor_once(src) for _ in range(3)]
    floor_s, files, regex_links = min(passes)
    log(
        f"  generated {files} files ({nbytes / 1e6:.0f} MB) in {gen_s:.1f} s; floor {floor_s:.3f} s"
    )

    row: dict[str, Any] = {
        "corpus": name,
        "languages": list(langs),
        "articles_per_language": n,
        "files": files,
        "megabytes": round(nbytes / 1e6, 1),
        "regex_links": regex_links,
        "generate_s": round(gen_s, 2),
        "floor_s": round(floor_s, 4),
        "floor_passes_s": [round(p[0], 4) for p in passes],
    }
    task = {
        "kind": "build",
        "src": str(src),
        "out": str(out),
        "jobs": jobs,
        "cache": True,
        "formats": formats,
    }

    failures: list[str] = []
    for attempt in range(1, attempts + 1):
        # the whole sequence again after a failure: a retried incremental build would
        # find the edited file already in the cache
        try:
            if out.exists():
                shutil.rmtree(out)
            warm(src)
            cold = run_child(task)
            log(f"  cold build {cold['wall']:.2f} s")
            edited, target = _edit_one(src, langs[0])
            warm(src)
            incr = run_child(task)
            log(f"  incremental {incr['wall']:.2f} s (edited {edited.relative_to(src)})")
            noop = run_child(task)
            log(f"  no-op {noop['wall']:.2f} s")
            break
        except RuntimeError as exc:
            failures.append(str(exc))
            log(f"  attempt {attempt} failed: {str(exc).strip().splitlines()[-1]}")
            if attempt == attempts:
                raise
            time.sleep(retry_wait)
    row.update(
        failed_attempts=failures,
        load_average=[round(x, 2) for x in os.getloadavg()],
        cold=cold,
        incremental=incr,
        noop=noop,
        edited=str(edited.relative_to(src)),
        edit_link_target=target,
        cold_s=round(cold["wall"], 3),
        articles_per_s=round(files / cold["wall"], 1),
        ratio_to_floor=round(cold["wall"] / floor_s, 1) if floor_s else None,
        incremental_s=round(incr["wall"], 3),
        incremental_share=round(incr["wall"] / cold["wall"], 3),
        noop_s=round(noop["wall"], 3),
        peak_rss_mb=round(max(cold["peak_rss_mb"], cold["peak_rss_workers_mb"]), 1),
        incremental_links_added=(
            incr["links"] - cold["links"]
            if isinstance(incr.get("links"), int) and isinstance(cold.get("links"), int)
            else None
        ),
    )
    if obsidian and len(langs) == 1 and n <= 2000:
        obs = run_child({"kind": "obsidian", "src": str(src)})
        log(f"  obsidiantools {obs['wall']:.2f} s")
        row["obsidian"] = obs
        row["obsidian_s"] = round(obs["wall"], 3)
        row["ratio_obsidian_to_kg"] = round(obs["wall"] / cold["wall"], 1)
    return row


# --- report ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        import psutil

        mem_gb = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    try:
        import kg

        kg_version = kg.__version__
    except ImportError:
        kg_version = None
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kg": kg_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(
        h.rjust(w) if i else h.ljust(w)
        for i, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(out)


def format_report(results: list[dict[str, Any]]) -> str:
    """The summary table, the per-stage table and the obsidiantools comparison."""
    headers = [
        "corpus",
        "files",
        "MB",
        "floor s",
        "cold s",
        "art/s",
        "x floor",
        "incr s",
        "incr/cold",
        "no-op s",
        "peak MB",
        "tree MB",
        "tree PSS",
        "tree anon",
        "load",
    ]
    rows = []
    for r in results:
        c = r["cold"]
        rows.append(
            [
                r["corpus"],
                f"{r['files']:,}",
                f"{r['megabytes']:.0f}",
                f"{r['floor_s']:.3f}",
                f"{r['cold_s']:.2f}",
                f"{r['articles_per_s']:,.0f}",
                f"{r['ratio_to_floor']:.1f}",
                f"{r['incremental_s']:.2f}",
                f"{r['incremental_share']:.2f}",
                f"{r['noop_s']:.2f}",
                f"{max(c['peak_rss_mb'], c['peak_rss_workers_mb']):,.0f}",
                f"{c['peak_tree_mb']:,.0f}",
                f"{c.get('peak_tree_pss_mb', 0):,.0f}",
                f"{c.get('peak_tree_anon_mb', 0):,.0f}",
                f"{r['load_average'][0]:.1f}",
            ]
        )
    parts = [_table(headers, rows)]

    stages: list[str] = []
    for r in results:
        for run in ("cold", "incremental", "noop"):
            for k in r[run].get("timings", {}):
                if k not in stages:
                    stages.append(k)
    if stages:
        headers = ["stage"] + [
            f"{r['corpus']} {run}" for r in results for run in ("cold", "incr", "no-op")
        ]
        rows = []
        for stage in stages:
            row = [stage]
            for r in results:
                for run in ("cold", "incremental", "noop"):
                    v = r[run].get("timings", {}).get(stage)
                    row.append("" if v is None else f"{v:.2f}")
            rows.append(row)
        parts.append("seconds per stage (BuildResult.timings):\n" + _table(headers, rows))

    mem_rows = [
        [
            r["corpus"],
            run,
            f"{r[run]['peak_rss_mb']:,.0f}",
            f"{r[run]['peak_rss_workers_mb']:,.0f}",
            f"{r[run]['peak_tree_mb']:,.0f}",
            f"{r[run].get('peak_tree_pss_mb', 0):,.0f}",
            f"{r[run].get('peak_tree_anon_mb', 0):,.0f}",
        ]
        for r in results
        for run in ("cold", "incremental", "noop")
    ]
    parts.append(
        "peak memory per build, MB (main ru_maxrss, largest child ru_maxrss: parse workers "
        "or oxigraph processes, sampled tree sums of RSS, of PSS and of anonymous PSS):\n"
        + _table(
            ["corpus", "build", "main", "child", "tree RSS", "tree PSS", "tree anon"], mem_rows
        )
    )

    obs = [r for r in results if "obsidian" in r]
    if obs:
        rows = [
            [
                r["corpus"],
                f"{r['obsidian_s']:.2f}",
                f"{r['cold_s']:.2f}",
                f"{r['ratio_obsidian_to_kg']:.1f}",
                f"{r['files'] / r['obsidian_s']:,.0f}",
            ]
            for r in obs
        ]
        parts.append(
            "obsidiantools Vault(src).connect().gather() vs kg cold build:\n"
            + _table(["corpus", "obsidian s", "kg cold s", "obsidian/kg", "notes/s"], rows)
        )
    return "\n\n".join(parts)


def markdown_table(results: list[dict[str, Any]]) -> str:
    """The summary as a Markdown table (for benchmarks/README.md)."""
    lines = [
        "| corpus | files | MB | floor s | cold s | articles/s | × floor | incremental s "
        "| incr/cold | no-op s | peak MB | tree PSS MB | tree anon MB | obsidiantools s (÷ kg) "
        "| load |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        obs = f"{r['obsidian_s']:.1f} ({r['ratio_obsidian_to_kg']:.1f}×)" if "obsidian" in r else ""
        lines.append(
            f"| {r['corpus']} | {r['files']:,} | {r['megabytes']:.0f} | {r['floor_s']:.3f} "
            f"| {r['cold_s']:.1f} | {r['articles_per_s']:,.0f} | {r['ratio_to_floor']:.0f} "
            f"| {r['incremental_s']:.1f} | {r['incremental_share']:.2f} | {r['noop_s']:.1f} "
            f"| {r['peak_rss_mb']:,.0f} | {r['cold'].get('peak_tree_pss_mb', 0):,.0f} "
            f"| {r['cold'].get('peak_tree_anon_mb', 0):,.0f} | {obs} | {r['load_average'][0]:.1f} |"
        )
    return "\n".join(lines)


def _parse_multi(spec: str) -> tuple[int, int]:
    try:
        k, n = spec.lower().split("x")
        return int(k), int(n)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected LANGSxARTICLES such as 5x15000: {spec}"
        ) from exc


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        Path(argv[2]).write_text(json.dumps(_child(json.loads(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(
        description="Benchmark kg.build: cold, incremental and no-op builds, peak memory, "
        "and the ratio to a read-every-file-plus-one-regex floor.",
        epilog="examples:\n  python benchmarks/bench_build.py --articles 2000 15000 --obsidian\n"
        "  python benchmarks/bench_build.py --articles 100000 --multilingual 5x15000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--articles",
        type=int,
        nargs="*",
        default=[2000, 15000],
        help="single-language corpus sizes (default 2000 15000)",
    )
    parser.add_argument(
        "--multilingual",
        type=_parse_multi,
        nargs="*",
        default=[],
        metavar="LxN",
        help="multilingual corpora, e.g. 5x15000",
    )
    parser.add_argument(
        "--obsidian",
        action="store_true",
        help="also time obsidiantools on corpora of at most 2,000 articles",
    )
    parser.add_argument("--jobs", type=int, default=None, help="kg.build jobs (default: cores)")
    parser.add_argument(
        "--formats", nargs="*", default=None, help="exports to write (default: all of them)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--missing",
        type=float,
        default=0.02,
        help="share of slugs missing per extra language in multilingual corpora",
    )
    parser.add_argument(
        "--corpora",
        type=Path,
        default=HERE / "corpora",
        help="where corpora and build folders go (default benchmarks/corpora)",
    )
    parser.add_argument("--json", type=Path, default=None, help="JSON result file")
    parser.add_argument("--keep", action="store_true", help="keep corpora and build folders")
    parser.add_argument(
        "--attempts",
        type=int,
        default=1,
        help="tries per corpus when a build fails (kg under development), 60 s apart",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="also print the summary as a Markdown table"
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        default=None,
        metavar="FILE",
        help="print the tables of an earlier run's JSON file and stop",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text())["results"]
        print(format_report(results))
        if args.markdown:
            print("\n" + markdown_table(results))
        return 0

    specs = [(f"en-{n}", n, ("en",), 0.0) for n in args.articles]
    for k, n in args.multilingual:
        if k > len(LANGS):
            parser.error(f"at most {len(LANGS)} languages")
        specs.append((f"{k}x{n}", n, LANGS[:k], args.missing))
    if not specs:
        parser.error("nothing to run: give --articles and/or --multilingual")

    args.corpora.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(
        f"machine: {info['cpus']} cores, {info['cpu']}, {info['memory_gb']} GB, "
        f"Python {info['python']}, kg {info['kg']}; jobs={args.jobs or 'cores'}; "
        f"load average {info['load_average_at_start'][0]}",
        flush=True,
    )

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    results = []
    failed = None
    try:
        for name, n, langs, missing in specs:
            log(f"{name}:")
            try:
                row = bench_corpus(
                    name,
                    n,
                    langs,
                    root=args.corpora,
                    seed=args.seed,
                    jobs=args.jobs,
                    obsidian=args.obsidian,
                    missing=missing,
                    formats=args.formats,
                    attempts=max(1, args.attempts),
                    log=log,
                )
            except RuntimeError as exc:  # a build failed: go on with the next corpus
                failed = (failed or "") + f"{name}: {exc}\n"
                log(f"  {name} failed; going on")
            else:
                results.append(row)
    finally:
        if not args.keep:
            for name, *_ in specs:
                for folder in (args.corpora / name, args.corpora / f"{name}-out"):
                    shutil.rmtree(folder, ignore_errors=True)
    if failed:
        print(f"bench_build: error: {failed}", file=sys.stderr)
    if not results:
        return 1
    report = format_report(results)
    print()
    print(report)
    if args.markdown:
        print("\n" + markdown_table(results))
    print(
        "\nfloor: list + read + UTF-8 decode + one link-regex findall over every .md file, "
        "best of 3, warm page cache (every file read once before timing the floor and each "
        "build). Build times are measured in the child around kg.build (import excluded)."
    )

    stamp = time.strftime("%Y%m%d-%H%M%S")
    payload = {
        "when": stamp,
        "machine": info,
        "jobs": args.jobs,
        "seed": args.seed,
        "formats": args.formats or "all",
        "error": failed,
        "results": results,
    }
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    paths = (
        [args.json]
        if args.json
        else [out_dir / f"bench_build-{stamp}.json", out_dir / "bench_build.json"]
    )
    for path in paths:
        path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    print(f"\nJSON: {paths[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
