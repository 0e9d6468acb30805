"""Hostile input and hostile conditions: what ``kg build`` does with each, its time and memory.

Every case of the "bad input never stops a build" issue, run on a real ``python -m kg
build`` in a child process: a small wiki plus one hostile file (an alias bomb, a 600,000
character title, 50,000 links in a paragraph, a 10 MB article, a name that is not
UTF-8, links out of the tree, a FIFO, a device, …), or a build under hostile conditions
(two builds at once, a SIGKILL, a damaged or planted cache, exports edited by hand, a
full or read-only disk, the output folder inside the source). For each it prints the
exit code, the wall time, the peak memory of the build's process tree (RSS summed over
the processes, sampled every 50 ms) and what came out.

Run it on any checkout (``--code``) to compare before and after::

    python benchmarks/bench_hostile.py                       # this checkout
    python benchmarks/bench_hostile.py --code /tmp/kg-old    # another one
    python benchmarks/bench_hostile.py --only fifo,links_50k --timeout 60

The disk-full and read-only cases mount a small tmpfs and need root (skipped otherwise).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

from generate_corpus import generate  # noqa: E402

from tests import hostile  # noqa: E402
from tests.corpora import article  # noqa: E402

EXPORTS = (
    "graph.ttl",
    "graph.nt",
    "graph.jsonld",
    "graph.graphml",
    "graph.gexf",
    "graph.json",
    "nodes.csv",
    "edges.csv",
    "graph.html",
    "report.json",
    "report.md",
)


# --- running a build ---------------------------------------------------------------------


@dataclass
class Run:
    """One ``kg build`` (or other command) run: its exit code, time, peak memory, output."""

    rc: int | None
    seconds: float
    peak_mb: float
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    left: int = 0  # processes of its session still alive after it ended
    pipe_open: bool = False  # its output pipe still held open by a process it left

    def short(self) -> str:
        if self.timed_out:
            return f"killed after {self.seconds:.0f} s"
        text = (self.stderr.strip().splitlines() or [""])[-1]
        return text[:110]


def _tree_rss(pid: int) -> int:
    try:
        import psutil
    except ImportError:
        return 0
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def _session_left(sid: int) -> int:
    """Processes whose session is ``sid`` (the build's own session)."""
    found = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found += 1
    return found


MEMORY_LIMIT = 8 * 2**30
"""Address space each process of a build may take (an alias bomb took 22 GB of a 23 GB
machine without it)."""


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def kg(
    code: Path,
    args: list[str],
    timeout: float,
    kill_after: float | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """Run ``python -m kg ARGS`` with ``code`` first on the path, in its own session; kill
    its whole session after ``timeout`` s (or the main process with SIGKILL after
    ``kill_after`` s)."""
    environ = {**os.environ, "PYTHONPATH": str(code), **(env or {})}
    environ.pop("KG_DEBUG", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environ,
        cwd=tempfile.gettempdir(),  # not a checkout: ``-m`` puts the working folder first
        start_new_session=True,
        preexec_fn=_limit_memory,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True),
        threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True),
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        proc.wait(timeout=kill_after if kill_after is not None else timeout)
    except subprocess.TimeoutExpired:
        if kill_after is not None:
            proc.kill()
            proc.wait()
        else:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    left = 0
    if kill_after is not None:
        time.sleep(2)
        left = _session_left(proc.pid)
    for reader in readers:
        reader.join(5 if kill_after is None else 1)
    pipe_open = any(reader.is_alive() for reader in readers)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever the build left behind
    return Run(
        proc.returncode,
        round(seconds, 2),
        round(peak / 2**20),
        b"".join(out).decode("utf-8", "replace"),
        b"".join(err).decode("utf-8", "replace"),
        timed_out,
        left,
        pipe_open,
    )


# --- the corpora -------------------------------------------------------------------------


def small_wiki(src: Path, n: int = 20) -> Path:
    """A flat folder of ``n`` plain articles around back office."""
    src.mkdir(parents=True, exist_ok=True)
    (src / "backoffice.md").write_text(
        article("back office", "See [front office](/frontoffice).\n", keywords="Investing")
    )
    for i in range(n - 1):
        body = f"Article {i} links [back office](/backoffice) and [next](/a{i + 1}).\n"
        (src / f"a{i}.md").write_text(article(f"article {i}", body, keywords="Investing,Brokers"))
    return src


def report(out: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def export_mb(out: Path) -> float:
    total = 0
    for name in EXPORTS:
        with contextlib.suppress(OSError):
            total += (out / name).stat().st_size
    return round(total / 2**20, 1)


def digests(out: Path) -> dict[str, str]:
    found = {}
    for name in EXPORTS:
        with contextlib.suppress(OSError):
            found[name] = hashlib.blake2b((out / name).read_bytes(), digest_size=8).hexdigest()
    return found


def where_is(out: Path, name: str) -> str:
    """Whether a file named ``name`` is in the graph's paths, the report's errors or
    warnings, or nowhere."""
    data = report(out)
    if data is None:
        return "no report"
    places = []
    for key in ("errors", "warnings"):
        hits = [p for p in data[key] if name in p["path"]]
        if hits:
            places.append(f"{key[:-1]}: {hits[0]['message'][:70]}")
    try:
        graph = json.loads((out / "graph.json").read_text("utf-8"))
        paths = [p for n in graph["nodes"] for p in (n.get("paths") or {}).values()]
        if any(name in p for p in paths):
            places.insert(0, "in graph")
    except (OSError, ValueError, KeyError):
        pass
    return "; ".join(places) or "NOWHERE"


def leftovers(out: Path) -> list[str]:
    """Temporary files and folders of a build left in ``out`` or beside it."""
    found = []
    for path in [*out.glob(".*.tmp"), *out.glob(".store-*"), *out.glob(".cache/.*.tmp")]:
        found.append(path.name)
    found += [p.name for p in out.parent.glob(f".{out.name}.kg-*")]
    return found


def longest_label(out: Path) -> int:
    try:
        graph = json.loads((out / "graph.json").read_text("utf-8"))
    except (OSError, ValueError):
        return -1
    return max((len(str(n.get("label", ""))) for n in graph["nodes"]), default=0)


# --- the cases ---------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    what: str
    run: Callable[[Path, Path, float], tuple[Run, str]]
    needs_root: bool = False
    notes: list[str] = field(default_factory=list)


def _one_file(write: Callable[[Path], Any], name: str, extra: Callable[[Path], str] | None = None):
    def run(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
        src = small_wiki(tmp / "src")
        write(src)
        out = tmp / "out"
        result = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        outcome = where_is(out, name) if not result.timed_out else "-"
        outcome += f"; exports {export_mb(out)} MB"
        if extra is not None and not result.timed_out:
            outcome += "; " + extra(out)
        return result, outcome

    return run


def _contains(text: str) -> Callable[[Path], str]:
    def check(out: Path) -> str:
        hits = [
            n
            for n in EXPORTS
            if (out / n).is_file() and text in (out / n).read_text("utf-8", "replace")
        ]
        return f"{text!r} in {', '.join(hits)}" if hits else f"{text!r} in no export"

    return check


def _label_check(out: Path) -> str:
    return f"longest label {longest_label(out)} chars"


def _control_check(code: Path) -> Callable[[Path], str]:
    def check(out: Path) -> str:
        shown = kg(code, ["show", "control", "--data", str(out)], 60)
        raw = "\x1b" in shown.stdout or "\x07" in shown.stdout
        return "kg show prints ESC/BEL raw" if raw else "kg show: no raw control character"

    return check


def _report_md_check(out: Path) -> str:
    try:
        text = (out / "report.md").read_text("utf-8")
    except OSError:
        return "no report.md"
    import pyromark

    page = pyromark.html(text, options=pyromark.Options.ENABLE_TABLES)
    return "report.md renders an <img> tag" if "<img" in page else "report.md renders no <img>"


def _keyword_check(out: Path) -> str:
    try:
        graph = json.loads((out / "graph.json").read_text("utf-8"))
    except (OSError, ValueError):
        return "no graph.json"
    kinds = {n["id"]: n.get("kind") for n in graph["nodes"]}
    kw = kinds.get("keyword:Investing")
    concept_ids = [i for i, k in kinds.items() if k == "concept" and "Investing" in i]
    return f"node keyword:Investing is a {kw}; concept ids {concept_ids}"


def _quote_check(out: Path) -> str:
    try:
        graph = json.loads((out / "graph.json").read_text("utf-8"))
    except (OSError, ValueError):
        return "no graph.json"
    labels = [n.get("label") for n in graph["nodes"] if n["id"] == "unterminated"]
    return f"label {labels[0]!r}" if labels else "no node"


def _build_in_two(code: Path, tmp: Path, timeout: float, kill: bool) -> tuple[Path, Path, Path]:
    a = generate(tmp / "a", 2000, seed=1)
    b = generate(tmp / "b", 2000, seed=2)
    return a, b, tmp / "out"


def case_concurrent(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    a, b, out = _build_in_two(code, tmp, timeout, False)
    refs = {}
    for name, src in (("A", a), ("B", b)):
        kg(code, ["build", str(src), "--out", str(tmp / f"ref-{name}"), "-q"], timeout)
        refs[name] = digests(tmp / f"ref-{name}")
    results: dict[str, Run] = {}
    threads = [
        threading.Thread(
            target=lambda n=n, s=s: results.__setitem__(
                n, kg(code, ["build", str(s), "--out", str(out), "-q"], timeout)
            )
        )
        for n, s in (("A", a), ("B", b))
    ]
    for t in threads:
        t.start()
        time.sleep(0.5)
    for t in threads:
        t.join()
    found = digests(out)
    origin = {
        name: next((r for r, d in refs.items() if d.get(name) == h), "?")
        for name, h in found.items()
    }
    kinds = set(origin.values())
    store = _store_agrees(code, out)
    run = max(results.values(), key=lambda r: r.seconds)
    rcs = ",".join(str(r.rc) for r in results.values())
    verdict = (
        f"exports from {'+'.join(sorted(kinds))} ({'MIXED' if len(kinds) > 1 else 'one corpus'})"
    )
    return run, f"exit codes {rcs}; {verdict}; {store}; {run.short()[:60]}"


def _store_agrees(code: Path, out: Path) -> str:
    script = (
        "import sys, pyoxigraph as ox\n"
        "from pathlib import Path\n"
        "out = Path(sys.argv[1])\n"
        "n = sum(1 for line in (out/'graph.nt').open('rb') if line.strip())\n"
        "try:\n"
        "    s = ox.Store.read_only(str(out/'store'))\n"
        "    m = len(s)\n"
        "except OSError as exc:\n"
        "    m = -1\n"
        "print('store agrees with graph.nt' if n == m else f'store {m} triples, graph.nt {n}')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(code)},
        cwd=tempfile.gettempdir(),
        timeout=300,
    )
    lines = proc.stdout.strip().splitlines() or proc.stderr.strip().splitlines()[-1:]
    return lines[0] if lines else "?"


def case_killed(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    src = generate(tmp / "src", 3000, seed=3)
    out = tmp / "out"
    first = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    old = digests(out)
    for path in sorted((src / "en").glob("*.md"))[:300]:
        path.write_text(path.read_text("utf-8") + "\nEdited [x](/new-target).\n", "utf-8")
    kg(code, ["build", str(src), "--out", str(tmp / "ref"), "-q", "--no-cache"], timeout)
    new = digests(tmp / "ref")
    kill_after = first.seconds * 0.35  # a rebuild takes about half a cold build: in its exports
    run = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout, kill_after=kill_after)
    now = digests(out)
    state = "old" if now == old else "new" if now == new else "MIXED"
    if state == "MIXED":
        changed = sum(1 for k in now if now[k] == new.get(k) and now[k] != old.get(k))
        state += f" ({changed} of {len(now)} files new)"
    left = leftovers(out)
    after = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    again = "next build = cold" if digests(out) == new else "next build DIFFERS from cold"
    stale = leftovers(out)
    return run, (
        f"killed after {kill_after:.1f} s: {state}; leftovers {len(left)}; "
        f"processes left {run.left}{' holding the output pipe' if run.pipe_open else ''}; {again} "
        f"(rc {after.rc}); leftovers after next build {len(stale)}"
    )


def _cache_files(out: Path) -> list[Path]:
    return sorted(
        p for p in (out / ".cache").glob("*") if p.is_file() and not p.name.endswith(".json")
    )


def case_cache_flip(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    src = generate(tmp / "src", 500, seed=4)
    out = tmp / "out"
    kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    names = [p.name for p in _cache_files(out)]
    wrong, failed, slowest = [], [], None
    rng = random.Random(0)
    for number, name in enumerate(names):
        shutil.rmtree(out, ignore_errors=True)
        kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        path = out / ".cache" / name
        if not path.is_file():
            continue
        data = bytearray(path.read_bytes())
        at = rng.randrange(len(data) // 4, len(data))
        data[at] ^= 0x20
        path.write_bytes(bytes(data))
        edited = sorted((src / "en").glob("*.md"))[number]
        edited.write_text(edited.read_text("utf-8") + f"\nEdit {number}.\n", "utf-8")
        run = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        slowest = run if slowest is None or run.seconds > slowest.seconds else slowest
        cold = tmp / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        kg(code, ["build", str(src), "--out", str(cold), "-q", "--no-cache"], timeout)
        if run.rc not in (0, 1) or "internal error" in run.stderr:
            failed.append(name)
        elif digests(out) != digests(cold):
            wrong.append(name)
        noop = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        if digests(out) != digests(cold) and name not in wrong:
            wrong.append(name + " (after no-op)")
        del noop
    assert slowest is not None
    return slowest, (
        f"{len(names)} cache files damaged one at a time: wrong exports {wrong or 'none'}; "
        f"errors {failed or 'none'}"
    )


class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def case_cache_pickle(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    src = small_wiki(tmp / "src")
    out = tmp / "out"
    kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    marker = tmp / "PWNED"
    planted = pickle.dumps({"x": _Marker(str(marker))})
    for path in _cache_files(out):
        path.write_bytes(planted)
    (src / "a0.md").write_text(article("edited", "Edited [x](/y).\n"))
    run = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    return run, ("the planted pickle RAN CODE" if marker.exists() else "planted pickle not run")


def case_hand_edit(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    src = small_wiki(tmp / "src")
    out = tmp / "out"
    kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    good = digests(out)
    ttl = out / "graph.ttl"
    ttl.write_bytes(ttl.read_bytes()[: ttl.stat().st_size // 2])
    with (out / "nodes.csv").open("a") as handle:
        handle.write("hand,edited\n")
    run = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    now = digests(out)
    kept = [n for n in ("graph.ttl", "nodes.csv") if now.get(n) != good.get(n)]
    return run, f"no-op rebuild kept the edited {', '.join(kept)}" if kept else "edits repaired"


@contextlib.contextmanager
def _tmpfs(path: Path, size_kb: int):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)], check=True
    )
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def case_disk_full(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    src = generate(tmp / "src", 300, seed=5)
    probe = tmp / "probe"
    kg(code, ["build", str(src), "--out", str(probe), "-q"], timeout)
    size = sum(p.stat().st_size for p in probe.rglob("*") if p.is_file())
    with _tmpfs(tmp / "disk", int(size * 1.4 / 1024)) as disk:
        out = disk / "out"
        first = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        if first.rc != 0:
            return first, f"first build did not fit: {first.short()}"
        old = digests(out)
        for path in sorted((src / "en").glob("*.md"))[:50]:
            path.write_text(path.read_text("utf-8") * 3, "utf-8")
        run = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        intact = "previous exports intact" if digests(out) == old else "previous exports CHANGED"
        return run, f"{intact}; leftovers {len(leftovers(out))}; says: {run.short()[:90]}"


def case_read_only(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    src = small_wiki(tmp / "src")
    with _tmpfs(tmp / "disk", 64 * 1024) as disk:
        out = disk / "out"
        kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        old = digests(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        (src / "a0.md").write_text(article("edited", "Edited [x](/y).\n"))
        run = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
        intact = "previous exports intact" if digests(out) == old else "previous exports CHANGED"
        return run, f"{intact}; says: {run.short()[:100]}"


def case_out_inside(code: Path, tmp: Path, timeout: float) -> tuple[Run, str]:
    src = small_wiki(tmp / "src")
    out = src / "out"
    kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    run = kg(code, ["build", str(src), "--out", str(out), "-q"], timeout)
    data = report(out)
    read = data is not None and (
        any("report" in p["path"] for p in data["errors"] + data["warnings"])
        or data["articles"] > 20
    )
    said = run.short()[:80]
    return run, ("the build READ its own report.md" if read else "own output not read") + (
        f"; says: {said}" if said else ""
    )


def _cases(code: Path) -> list[Case]:
    def bomb(key: str) -> Callable[[Path], Any]:
        return lambda src: hostile.write_alias_bomb(src, key)

    def outside(src: Path) -> Any:
        return hostile.write_outside_links(src, src.parent / "outside")

    return [
        Case(
            "alias_title",
            "YAML alias bomb (9x9) as title",
            _one_file(bomb("title"), "bomb.md", _label_check),
        ),
        Case(
            "alias_description",
            "YAML alias bomb as description",
            _one_file(bomb("description"), "bomb.md"),
        ),
        Case(
            "alias_keywords",
            "YAML alias bomb as keywords",
            _one_file(bomb("keywords"), "bomb.md", _label_check),
        ),
        Case(
            "long_title",
            "title of 600,000 characters",
            _one_file(hostile.write_long_title, "long-title.md", _label_check),
        ),
        Case(
            "long_h1",
            "# H1 of 600,000 characters",
            _one_file(
                lambda s: hostile.write_long_title(s, where="h1"), "long-h1.md", _label_check
            ),
        ),
        Case(
            "links_50k",
            "one paragraph of 50,000 links (1.4 MB)",
            _one_file(hostile.write_many_links, "links.md"),
        ),
        Case("article_10mb", "a 10 MB article", _one_file(hostile.write_big_article, "big.md")),
        Case("bad_name", "file name bad\\xff\\xfe.md", _one_file(hostile.write_bad_name, "bad")),
        Case(
            "outside_links",
            "x.md -> a file outside; a folder link outside",
            _one_file(outside, "x.md", _contains("SECRET")),
        ),
        Case("fifo", "a FIFO named fifo.md", _one_file(hostile.write_fifo, "fifo.md")),
        Case("dev_zero", "zero.md -> /dev/zero", _one_file(hostile.write_device_link, "zero.md")),
        Case(
            "dev_urandom",
            "random.md -> /dev/urandom",
            _one_file(
                lambda s: hostile.write_device_link(s, "/dev/urandom", "random.md"), "random.md"
            ),
        ),
        Case("bad_date", "keywords: [2020-02-30]", _one_file(hostile.write_bad_date, "dated.md")),
        Case(
            "unterminated",
            'title: "unterminated',
            _one_file(hostile.write_unterminated, "unterminated.md", _quote_check),
        ),
        Case(
            "control",
            "ESC and BEL in a title",
            _one_file(hostile.write_control_title, "control.md", _control_check(code)),
        ),
        Case(
            "html_anchor",
            "anchor &lt;img onerror&gt; on a missing concept",
            _one_file(hostile.write_html_anchor, "html.md", _report_md_check),
        ),
        Case(
            "keyword_link",
            "a link to /keyword:Investing",
            _one_file(hostile.write_keyword_link, "kwlink.md", _keyword_check),
        ),
        Case("concurrent", "two builds into one --out at once", case_concurrent),
        Case("killed", "SIGKILL during a rebuild of 3,000 articles", case_killed),
        Case("cache_flip", "one flipped byte in each cache file", case_cache_flip),
        Case("cache_pickle", "a pickle planted in .cache", case_cache_pickle),
        Case("hand_edit", "exports truncated/edited, then a no-op rebuild", case_hand_edit),
        Case("disk_full", "disk full during a rebuild", case_disk_full, needs_root=True),
        Case("read_only", "read-only output folder", case_read_only, needs_root=True),
        Case("out_inside", "--out inside the source folder", case_out_inside),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the kg checkout to run")
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument(
        "--timeout", type=float, default=420, help="seconds before a build is killed"
    )
    parser.add_argument("--json", type=Path, help="write the rows here too")
    args = parser.parse_args(argv)
    chosen = set(args.only.split(",")) if args.only else None
    rows = []
    for case in _cases(args.code.resolve()):
        if chosen is not None and case.name not in chosen:
            continue
        if case.needs_root and os.geteuid() != 0:
            rows.append({"case": case.name, "what": case.what, "outcome": "skipped (needs root)"})
            continue
        with tempfile.TemporaryDirectory(prefix=f"kg-hostile-{case.name}-") as folder:
            try:
                run, outcome = case.run(args.code.resolve(), Path(folder), args.timeout)
            except Exception as exc:  # noqa: BLE001 - a case that cannot run says so
                rows.append(
                    {"case": case.name, "what": case.what, "outcome": f"case failed: {exc!r}"}
                )
                print(rows[-1], flush=True)
                continue
        row = {
            "case": case.name,
            "what": case.what,
            "rc": "timeout" if run.timed_out else run.rc,
            "seconds": run.seconds,
            "peak_mb": run.peak_mb,
            "outcome": outcome,
            "says": run.short() if run.rc else "",
        }
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print()
    print("| case | input | exit | s | peak MB | outcome |\n|---|---|---:|---:|---:|---|")
    for row in rows:
        print(
            f"| {row['case']} | {row['what']} | {row.get('rc', '')} | {row.get('seconds', '')} "
            f"| {row.get('peak_mb', '')} | {row['outcome']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
