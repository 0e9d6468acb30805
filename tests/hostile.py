"""Hostile input files, written by the tests (and by ``benchmarks/bench_hostile.py``).

Each function writes one hostile file (or link, or FIFO) into a source folder and returns
its path. They are what a careless or hostile user may put in a wiki: YAML alias bombs,
huge titles, a paragraph of links, names that are not UTF-8, links out of the tree,
FIFOs and devices, and values made to break the report or the terminal.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.corpora import article


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """YAML anchors and aliases that expand to ``width ** levels`` strings ("billion laughs").

    Examples
    --------
    >>> print(alias_bomb(2, 2))
    a: &a ["lol","lol"]
    b: &b [*a,*a]
    """
    names = "abcdefghijklmnopqrstuvwxyz"
    lol = ",".join(['"lol"'] * width)
    lines = [f"a: &a [{lol}]"]
    for i in range(1, levels):
        refs = ",".join([f"*{names[i - 1]}"] * width)
        lines.append(f"{names[i]}: &{names[i]} [{refs}]")
    return "\n".join(lines)


def write_alias_bomb(src: Path, key: str = "title", name: str = "bomb.md") -> Path:
    """An article whose ``key`` (title, description or keywords) is a 9 × 9 alias bomb."""
    body = "# Bomb heading\n\nThe body still links [back office](/backoffice).\n"
    text = f"---\n{alias_bomb()}\n{key}: *i\n---\n{body}"
    return _write(src / name, text)


def write_long_title(src: Path, size: int = 600_000, where: str = "title") -> Path:
    """An article whose front matter title (``where="title"``) or H1 (``"h1"``) is ``size``
    characters long."""
    long = "T" * size
    if where == "title":
        text = article(long, "See [back office](/backoffice).\n").replace(f"# {long}", "# Short")
    else:
        text = f"# {long}\n\nSee [back office](/backoffice).\n"
    return _write(src / f"long-{where}.md", text)


def write_many_links(src: Path, links: int = 50_000, name: str = "links.md") -> Path:
    """One paragraph of ``links`` links (about 28 bytes each: 1.4 MB for 50,000)."""
    parts = [f"[link {i}](/target-{i % 997})" for i in range(links)]
    return _write(src / name, "# Many links\n\n" + " and ".join(parts) + "\n")


def write_big_article(src: Path, megabytes: float = 10.0, name: str = "big.md") -> Path:
    """An article of about ``megabytes`` MB that is one paragraph of links and words, no
    sentence ending anywhere (the worst case for the sentence of each link)."""
    piece = "words and [a link {i}](/target-{j}) more words, "
    count = int(megabytes * 2**20 / (len(piece) + 6))
    text = "".join(piece.format(i=i, j=i % 4999) for i in range(count))
    return _write(src / name, "# Big\n\n" + text + "\n")


def write_bad_name(src: Path) -> Path:
    """An article whose file name is not UTF-8: ``bad\\xff\\xfe.md``."""
    folder = os.fsencode(src)
    path = os.path.join(folder, b"bad\xff\xfe.md")
    with open(path, "wb") as handle:
        handle.write(article("bad name", "See [back office](/backoffice).\n").encode())
    return Path(os.fsdecode(path))


def write_outside_links(src: Path, outside: Path) -> tuple[Path, Path]:
    """``x.md`` a link to a file outside ``src``, and ``ext`` a link to a folder outside it
    (holding ``outside.md``)."""
    secret = outside / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("root:x:0:0:SECRET-OUTSIDE-TEXT\n")
    (outside / "folder").mkdir(exist_ok=True)
    (outside / "folder" / "outside.md").write_text(article("outside", "SECRET-FOLDER-TEXT\n"))
    link = src / "x.md"
    link.symlink_to(secret)
    folder = src / "ext"
    folder.symlink_to(outside / "folder", target_is_directory=True)
    return link, folder


def write_fifo(src: Path, name: str = "fifo.md") -> Path:
    """A FIFO named like an article (reading it would wait forever)."""
    path = src / name
    os.mkfifo(path)
    return path


def write_device_link(src: Path, device: str = "/dev/zero", name: str = "zero.md") -> Path:
    """A link named like an article to a device (endless bytes)."""
    path = src / name
    path.symlink_to(device)
    return path


def write_bad_date(src: Path) -> Path:
    """An article whose keywords hold a date YAML cannot build (2020-02-30)."""
    body = "# Dated\n\nSee [back office](/backoffice).\n"
    text = f"---\ntitle: Dated\nkeywords: [2020-02-30]\n---\n{body}"
    return _write(src / "dated.md", text)


def write_unterminated(src: Path) -> Path:
    """An article whose title opens a quote it never closes (so YAML fails)."""
    text = '---\ntitle: "unterminated\nkeywords: Investing\n---\n# Heading\n\nText.\n'
    return _write(src / "unterminated.md", text)


def write_control_title(src: Path) -> Path:
    """An article whose title and anchors hold terminal control characters."""
    text = article("red \x1b[31mALERT\x1b[0m bell\x07", "See [back\x07office\x1b](/backoffice).\n")
    return _write(src / "control.md", text)


IMG = "<img src=x onerror=alert(1)>"
"""What an anchor's entities decode to in :func:`write_html_anchor`."""


def write_html_anchor(src: Path) -> Path:
    """An article with an anchor that decodes to an HTML image with a script, on a link to
    a missing concept, and a keyword made of markdown."""
    body = "See [&lt;img src=x onerror=alert(1)&gt;](/missing-concept) here.\n"
    return _write(src / "html.md", article("html", body, keywords="*bold* [x](javascript:y)"))


def write_keyword_link(src: Path) -> Path:
    """An article keyworded ``Investing`` that links to ``/keyword:Investing``."""
    body = "See [investing](/keyword:Investing) and [back office](/backoffice).\n"
    return _write(src / "kwlink.md", article("kwlink", body, keywords="Investing"))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- running kg as users do ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Ran:
    """What a ``python -m kg`` run gave (``returncode`` None: killed at its time limit)."""

    returncode: int | None
    stdout: str
    stderr: str


def run_kg(
    *args: str | os.PathLike, timeout: float = 300, memory: int = 4 * 2**30, **kwargs: Any
) -> Ran:
    """Run ``python -m kg ARGS`` in its own session, its address space capped at ``memory``
    bytes; after ``timeout`` seconds the whole session is killed. The run must not hang the
    tests, nor take the machine's memory, whatever the build does."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=kwargs.pop("cwd", ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})},
        start_new_session=True,
        preexec_fn=limit,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return Ran(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def session_processes(sid: int) -> list[int]:
    """The live processes of the session ``sid`` (Linux: read from ``/proc``)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return found
