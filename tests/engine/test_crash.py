"""A build killed with SIGKILL at random points leaves the last build or the new one, never a
mix; the next build equals a cold build; and no process of the killed build lives on.

Real processes: ``python -m kg build`` on a few thousand generated articles, killed (the
main process only, as the out-of-memory killer or ``kill -9`` would) at random moments
while it parses, builds the graph or writes its exports.
"""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile import ROOT, run_kg, session_processes

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


def _generator():
    path = ROOT / "benchmarks" / "generate_corpus.py"
    spec = importlib.util.spec_from_file_location("kg_bench_generate_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def exports(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in EXPORTS if (folder / name).is_file()}


def _states(src: Path, count: int) -> tuple[dict[Path, str], dict[Path, str]]:
    """The texts of ``count`` files as generated (A) and edited (B)."""
    files = sorted(src.rglob("*.md"))[:count]
    a = {path: path.read_text("utf-8") for path in files}
    b = {
        path: text + f"\n\nEdited: see [{path.stem}](/new-{path.stem}).\n"
        for path, text in a.items()
    }
    return a, b


def _apply(state: dict[Path, str]) -> None:
    for path, text in state.items():
        path.write_text(text, "utf-8")


@pytest.mark.slow
def test_a_build_killed_at_random_points_leaves_one_whole_build(tmp_path):
    src = _generator().generate(tmp_path / "src", 2500, seed=11)
    states = dict(zip("AB", _states(src, 150), strict=True))
    refs = {}
    for name in "BA":  # A last: the sources stay in state A
        _apply(states[name])
        ref = tmp_path / f"ref-{name}"
        done = run_kg("build", src, "--out", ref, "-q", "--no-cache", timeout=600)
        assert done.returncode == 0, done.stderr
        refs[name] = exports(ref)
    out = tmp_path / "out"
    started = time.monotonic()
    assert run_kg("build", src, "--out", out, "-q", timeout=600).returncode == 0
    whole = time.monotonic() - started  # about how long a build takes here
    assert exports(out) == refs["A"]
    rng = random.Random(2)
    current = "A"
    for round_ in range(5):
        target = "B" if current == "A" else "A"
        _apply(states[target])
        delay = rng.uniform(0.1, 1.1) * whole
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "-q"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            start_new_session=True,
        )
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()  # SIGKILL to the build's main process, not to its children
        try:
            proc.communicate(timeout=60)  # EOF: no child holds the build's output open
        finally:
            left = _wait_for_session(proc.pid)
            for pid in left:
                os.kill(pid, 9)
        assert left == [], f"round {round_}: processes left behind: {left}"
        found = exports(out)
        assert found in (refs[current], refs[target]), (
            f"round {round_}, killed after {delay:.2f} s: a mix of two builds"
        )
        leftovers = sorted(p.name for p in tmp_path.glob(".out.kg-*"))
        done = run_kg("build", src, "--out", out, "-q", timeout=600)
        assert done.returncode == 0, done.stderr
        assert exports(out) == refs[target], f"round {round_}: the next build is not a cold one"
        assert not list(tmp_path.glob(".out.kg-*")), leftovers
        assert not list(out.glob(".*.tmp")) and not list(out.glob(".store-*"))
        current = target
    from kg.store.database import open_store, store_is_fresh

    assert store_is_fresh(out)
    assert len(open_store(out)) == sum(1 for line in refs[current]["graph.nt"].splitlines() if line)


def _wait_for_session(sid: int, seconds: float = 15) -> list[int]:
    """The processes of the session ``sid`` still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        left = session_processes(sid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)
