"""Builds stay consistent whatever happens to them: two at once, leftovers of a killed one,
a damaged or planted cache, exports edited by hand, a full or read-only disk, an output
folder inside the sources. Real builds (``python -m kg build`` where it matters), real
locks, real file systems (a small tmpfs for the full and read-only disk, as root)."""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

import kg
from kg.engine.cache import FOLDER as CACHE
from tests.corpora import article, write_articles
from tests.hostile import ROOT, run_kg

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


def wiki(root: Path, n: int = 40, seed: int = 0, word: str = "sak") -> Path:
    rng = random.Random(seed)
    files = {}
    for i in range(n):
        links = " ".join(f"[{word} {j}](/s{j:03d})" for j in rng.sample(range(n + 5), 3))
        files[f"s{i:03d}.md"] = article(
            f"{word} {i}",
            f"## Del\n\nText om {word} {(i + 1) % n}. {links}.\n",
            keywords=",".join(rng.sample(["Aktier", "Fonder", "Skatt", "Lån"], 2)),
        )
    return write_articles(root, files)


def exports(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in EXPORTS if (folder / name).is_file()}


def leftovers(out: Path) -> list[str]:
    found = [*out.glob(".*.tmp"), *out.glob(".store-*"), *out.glob(f"{CACHE}/.*.tmp")]
    found += out.parent.glob(f".{out.name}.kg-*")
    return sorted(p.name for p in found)


# --- one build at a time --------------------------------------------------------------------


def test_a_second_build_waits_for_the_first_or_stops_with_a_clear_message(tmp_path):
    from kg.engine.folder import BuildFolder

    src = wiki(tmp_path / "src", 10)
    out = tmp_path / "out"
    with BuildFolder(out):  # another build holds the folder
        ran = run_kg("build", src, "--out", out, "--no-wait", timeout=120)
        assert ran.returncode == 1
        assert "another kg build is writing this folder" in ran.stderr
        assert not (out / "graph.json").exists()
        waiting = subprocess.Popen(
            [sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "-q"],
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            text=True,
        )
        try:
            line = waiting.stderr.readline()  # said before it blocks on the lock
            assert "waiting for it to finish" in line
            assert waiting.poll() is None
        except BaseException:
            waiting.kill()
            raise
    assert waiting.wait(timeout=120) == 0
    assert (out / "graph.json").is_file()


def test_two_builds_at_once_leave_one_whole_build(tmp_path):
    one = wiki(tmp_path / "one", 300, seed=1, word="sak")
    two = wiki(tmp_path / "two", 300, seed=2, word="ting")
    refs = {}
    for name, src in (("one", one), ("two", two)):
        kg.build(src, tmp_path / f"ref-{name}")
        refs[name] = exports(tmp_path / f"ref-{name}")
    out = tmp_path / "out"
    ran: dict[str, object] = {}
    threads = [
        threading.Thread(
            target=lambda n=name, s=src: ran.__setitem__(
                n, run_kg("build", s, "--out", out, "-q", timeout=300)
            )
        )
        for name, src in (("one", one), ("two", two))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in ran.values()] == [0, 0], [r.stderr for r in ran.values()]
    now = exports(out)
    assert now in (refs["one"], refs["two"])  # never a mix of the two corpora
    nt = {line for line in (out / "graph.nt").read_bytes().splitlines() if line}
    from kg.store.database import open_store, store_is_fresh

    assert store_is_fresh(out)
    assert len(open_store(out)) == len(nt)  # the store holds this graph.nt
    again = run_kg("build", two, "--out", out, "-q", timeout=300)
    assert again.returncode == 0 and exports(out) == refs["two"]


# --- what a killed build leaves ---------------------------------------------------------------


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next(tmp_path):
    src = wiki(tmp_path / "src", 10)
    out = tmp_path / "out"
    kg.build(src, out)
    (out / ".graph.nt.x1y2.tmp").write_text("half a file")
    (out / ".store-abc").mkdir()
    (out / ".store-abc" / "000001.sst").write_text("half a store")
    (out / CACHE / ".parse-v2.kgc.q.tmp").write_text("half a cache")
    (out / CACHE / "parse-v1.pickle").write_bytes(pickle.dumps({"old": 1}))
    staged = tmp_path / ".out.kg-new"  # the fresh folder of a build killed while writing
    staged.mkdir()
    (staged / "graph.nt").write_text("new and incomplete")
    (src / "s001.md").write_text(article("ny", "Ny text.\n"))
    kg.build(src, out)
    assert leftovers(out) == []
    assert not (out / CACHE / "parse-v1.pickle").exists()
    cold = kg.build(src, tmp_path / "cold", cache=False)
    assert exports(out) == exports(cold.out)


# --- the cache -----------------------------------------------------------------------------


def _cache_files(out: Path) -> list[str]:
    return sorted(p.name for p in (out / CACHE).iterdir() if p.is_file())


def test_a_flipped_byte_in_any_cache_file_means_a_cold_build_and_a_warning(tmp_path, monkeypatch):
    import kg.engine.parse

    monkeypatch.setattr(kg.engine.parse, "RACY_NS", -(10**12))  # keep the files' stats too
    src = wiki(tmp_path / "src", 60)
    out = tmp_path / "out"
    kg.build(src, out, jobs=1)
    names = _cache_files(out)
    assert names == ["files.kgc", "mentions-v2.kgc", "parse-v2.kgc", "pieces.kgc"]
    rng = random.Random(1)
    for number, name in enumerate(names):
        shutil.rmtree(out)
        kg.build(src, out, jobs=1)
        path = out / CACHE / name
        data = bytearray(path.read_bytes())
        data[rng.randrange(len(data) // 2, len(data))] ^= 0x04
        path.write_bytes(bytes(data))
        edited = src / f"s{number:03d}.md"
        edited.write_text(edited.read_text("utf-8") + f"\nRad {number}.\n", "utf-8")
        result = kg.build(src, out, jobs=1)
        assert any(name in n and "damaged" in n for n in result.notices), (name, result.notices)
        cold = kg.build(src, tmp_path / f"cold-{number}", jobs=1, cache=False)
        assert exports(out) == exports(cold.out), name
        noop = kg.build(src, out, jobs=1)
        assert "unchanged" in noop.timings and exports(out) == exports(cold.out)


class _Planted:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_planted_in_the_cache_runs_no_code(tmp_path):
    src = wiki(tmp_path / "src", 20)
    out = tmp_path / "out"
    kg.build(src, out)
    marker = tmp_path / "RAN"
    planted = pickle.dumps({"x": _Planted(str(marker))})
    for name in _cache_files(out):
        path = out / CACHE / name
        header = path.read_bytes()[:40]  # even behind a kg header
        path.write_bytes(header + planted)
    (src / "s002.md").write_text(article("ny", "Ny text.\n"))
    ran = run_kg("build", src, "--out", out, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert not marker.exists()
    assert "not used" in ran.stderr
    cold = kg.build(src, tmp_path / "cold", cache=False)
    assert exports(out) == exports(cold.out)


def test_the_cache_unpickler_builds_only_kg_records(tmp_path):
    from kg.engine.cache import load_dict, save_dict
    from kg.records import Article, Link

    path = tmp_path / "x.kgc"
    article_ = Article("a.md", "a", "en", links=[Link("b", "B", "", "See B.", 3)])
    save_dict(path, {"a": article_, "n": (1, 2.5, b"x", None, frozenset({"s"}))})
    assert load_dict(path) == {"a": article_, "n": (1, 2.5, b"x", None, frozenset({"s"}))}
    save_dict(path, {"a": _Planted(str(tmp_path / "RAN"))})
    notices: list[str] = []
    assert load_dict(path, notices) == {} and not (tmp_path / "RAN").exists()
    assert "is not a kg record" in notices[0]


# --- exports edited by hand -------------------------------------------------------------------


def test_a_no_op_rebuild_repairs_exports_edited_or_cut_by_hand(tmp_path):
    src = wiki(tmp_path / "src", 20)
    out = tmp_path / "out"
    kg.build(src, out)
    good = exports(out)
    ttl = out / "graph.ttl"
    ttl.write_bytes(ttl.read_bytes()[: ttl.stat().st_size // 2])
    with (out / "nodes.csv").open("a") as handle:
        handle.write("hand,edited\n")
    again = kg.build(src, out)
    assert "unchanged" not in again.timings
    assert exports(out) == good
    os.utime(out / "graph.json")  # touched, not changed: still a no-op
    third = kg.build(src, out)
    assert "unchanged" in third.timings and exports(out) == good
    stat = (out / "report.md").stat()  # same size and time, other bytes
    text = (out / "report.md").read_bytes()
    (out / "report.md").write_bytes(text.replace(b"kg build report", b"kg build REPORT"))
    os.utime(out / "report.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fourth = kg.build(src, out)
    assert exports(out) == good and "unchanged" not in fourth.timings


# --- full and read-only disks -----------------------------------------------------------------


@contextmanager
def tmpfs(path: Path, size_kb: int):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
        capture_output=True,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_full_disk_says_so_keeps_the_last_build_and_exits_1(tmp_path):
    src = wiki(tmp_path / "src", 120)
    probe = kg.build(src, tmp_path / "probe")
    with tmpfs(tmp_path / "disk", int(_size(probe.out) * 1.5 / 1024)) as disk:
        out = disk / "out"
        first = run_kg("build", src, "--out", out, "-q", timeout=300)
        assert first.returncode == 0, first.stderr
        before = exports(out)
        for path in sorted(src.glob("*.md"))[:60]:
            path.write_text(path.read_text("utf-8") * 4, "utf-8")
        ran = run_kg("build", src, "--out", out, "-q", timeout=300)
        assert ran.returncode == 1
        assert "no space left on device while" in ran.stderr, ran.stderr
        assert "internal error" not in ran.stderr
        assert exports(out) == before and leftovers(out) == []


def test_a_read_only_output_folder_says_so_and_keeps_the_last_build(tmp_path):
    src = wiki(tmp_path / "src", 20)
    with tmpfs(tmp_path / "disk", 64 * 1024) as disk:
        out = disk / "out"
        assert run_kg("build", src, "--out", out, "-q", timeout=300).returncode == 0
        before = exports(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        unchanged = run_kg("build", src, "--out", out, "-q", timeout=300)
        assert unchanged.returncode == 0, unchanged.stderr  # nothing to write: fine
        (src / "s001.md").write_text(article("ny", "Ny text.\n"))
        ran = run_kg("build", src, "--out", out, "-q", timeout=300)
        assert ran.returncode == 1
        assert "read-only file system while" in ran.stderr, ran.stderr
        assert "internal error" not in ran.stderr
        assert exports(out) == before


# --- the output folder and the sources ---------------------------------------------------------


def test_an_output_folder_inside_the_sources_is_not_read_as_articles(tmp_path):
    src = wiki(tmp_path / "src", 10)
    out = src / "exports"
    first = kg.build(src, out)
    second = kg.build(src, out, cache=False)
    assert second.report["articles"] == first.report["articles"] == 10
    assert not [p for p in second.report["warnings"] if "exports" in p["path"]]
    assert exports(first.out) == exports(out)


@pytest.mark.parametrize("where", ["same", "parent"])
def test_an_output_folder_that_is_or_holds_the_sources_is_refused(tmp_path, where):
    src = wiki(tmp_path / "src", 5)
    out = src if where == "same" else tmp_path
    ran = run_kg("build", src, "--out", out, timeout=120)
    assert ran.returncode == 2
    assert "build into a folder outside the sources" in ran.stderr
    assert sorted(p.name for p in src.iterdir()) == [f"s{i:03d}.md" for i in range(5)]


def test_the_build_record_names_every_export_with_its_checksum(tmp_path):
    import zlib

    src = wiki(tmp_path / "src", 5)
    out = tmp_path / "out"
    kg.build(src, out)
    record = json.loads((out / ".kg-build.json").read_text())
    assert sorted(record["files"]) == sorted(EXPORTS)
    for name, (size, _, _, inode, crc) in record["files"].items():
        data = (out / name).read_bytes()
        assert (size, inode, crc) == (len(data), (out / name).stat().st_ino, zlib.crc32(data))


def test_an_output_folder_that_is_a_mount_point_is_built_in_place(tmp_path):
    src = wiki(tmp_path / "src", 20)
    with tmpfs(tmp_path / "mounted", 64 * 1024) as out:  # a folder that cannot be renamed
        (out / "README.txt").write_text("the user's own file")
        kg.build(src, out)
        (src / "s003.md").write_text(article("ny", "Ny [länk](/s001).\n"))
        kg.build(src, out)
        cold = kg.build(src, tmp_path / "cold", cache=False)
        assert exports(out) == exports(cold.out)
        assert (out / "README.txt").read_text() == "the user's own file"
        assert sorted(p.name for p in out.iterdir() if p.name.startswith(".kg-")) == [
            ".kg-build.json",
            ".kg-lock",
        ]
