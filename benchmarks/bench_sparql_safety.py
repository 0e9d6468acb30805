"""SPARQL safety (issue 17): each dangerous case before and after, with time and peak memory.

For each case (a normal query, the 5,000-deep query, a query past 64 KiB, a cartesian
product, a ``SERVICE`` to a local listener) it runs ``kg query`` and ``kg serve`` of two
source trees of kg, ``--before`` (e.g. a worktree of the code before the change) and
this one, on a build of ``--articles`` generated articles, and prints one table: wall
time (capped at ``--cap`` seconds: a run still going then is killed), peak resident
memory of the largest process (kg, its query child, the Oxigraph engine: VmHWM), what
came back, and for the server how much CPU the engine still burnt in the 3 s after the
answer (a query left computing after its client has gone).

Run::

    mkdir /tmp/kg-before && git archive main | tar -x -C /tmp/kg-before
    python benchmarks/bench_sparql_safety.py --before /tmp/kg-before --articles 2000
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

P = "PREFIX dct: <http://purl.org/dc/terms/>\n"
CASES = {
    "normal": P + "SELECT ?slug WHERE { ?c dct:identifier ?slug } ORDER BY ?slug LIMIT 100",
    "deep (5,000 groups, 20 KB)": "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000,
    "huge (100 KB of VALUES)": "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { "
    + "1 " * 50_000
    + "} }",
    "cartesian product": "SELECT (COUNT(*) AS ?n) WHERE "
    "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }",
    "SERVICE to a local listener": "SELECT * WHERE { SERVICE <URL> { ?s ?p ?o } }",
}


class _Listener(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += parents.get(p, [])
    return found


def status(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError):
        return 0


class Sampler:
    """Samples the peak resident memory (VmHWM) of a process tree every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            for p in tree(self.pid):
                self.peak = max(self.peak, status(p, "VmHWM"))
            time.sleep(0.05)

    def done(self) -> float:
        self.stop.set()
        self.thread.join()
        return self.peak / 1024


def env_for(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src)}


def run_query(src: Path, data: Path, query: str, cap: float, extra: list[str]) -> tuple:
    """``kg query`` of ``src``: (seconds, peak MB of the largest process, outcome)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "query", query, "--data", str(data), "--format", "csv"]
        + extra,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env_for(src),
        cwd=tempfile.gettempdir(),
        start_new_session=True,
    )
    killed = False
    reader = threading.Thread(target=lambda: setattr(proc, "err", proc.stderr.read()))
    reader.start()
    while True:  # wait4, not poll: its rusage holds the peak of kg and the children it reaped
        pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > cap:
            killed = True
            os.killpg(proc.pid, signal.SIGKILL)
            _, code, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - start
    proc.returncode = code = os.waitstatus_to_exitcode(code)
    reader.join()
    peak = usage.ru_maxrss / 1024
    err = proc.err.decode("utf-8", "replace").strip().splitlines()
    if killed:
        outcome = f"still running at {cap:g} s: killed"
    elif code < 0:
        outcome = f"crashed (signal {-code})"
    elif code == 0:
        outcome = "answered"
    else:
        outcome = "exit 1: " + (err[-1][len("kg: error: ") :][:60] if err else "")
    return elapsed, peak, outcome


def run_serve(src: Path, data: Path, query: str, cap: float, extra: list[str]) -> tuple:
    """One request to a fresh ``kg serve`` of ``src``: (seconds, peak MB, outcome)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--data", str(data), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env_for(src),
        cwd=tempfile.gettempdir(),
    )
    try:
        proc.stdout.readline()
        sampler = Sampler(proc.pid)
        engines = [p for p in tree(proc.pid) if p != proc.pid]
        url = f"http://127.0.0.1:{port}/query"
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={"Accept": "text/csv", "Content-Type": "application/x-www-form-urlencoded"},
        )
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=cap) as response:
                response.read()
                outcome = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            first = exc.read().decode("utf-8", "replace").strip().splitlines()
            outcome = f"HTTP {exc.code}: {first[0][:50] if first else ''}"
        except TimeoutError:
            outcome = f"no answer in {cap:g} s"
        except (urllib.error.URLError, ConnectionError) as exc:
            outcome = f"connection failed ({getattr(exc, 'reason', exc)})"
        elapsed = time.monotonic() - start
        running = [p for p in tree(proc.pid) if p != proc.pid] or engines
        before = sum(cpu_ticks(p) for p in running)
        time.sleep(3)
        ticks = max(0, sum(cpu_ticks(p) for p in running) - before)
        busy = ticks / os.sysconf("SC_CLK_TCK") / 3
        peak = sampler.done()
        if proc.poll() is not None:
            outcome += "; kg serve exited"
        outcome += f"; engine CPU after: {busy:.0%}"
        return elapsed, peak, outcome
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for p in tree(proc.pid)[::-1]:
                    with __import__("contextlib").suppress(ProcessLookupError):
                        os.kill(p, signal.SIGKILL)
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="source tree of kg before the change")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds before a run is killed")
    parser.add_argument("--timeout", type=float, default=5.0, help="the time limit given")
    parser.add_argument("--corpora", default=str(HERE / "corpora"))
    args = parser.parse_args(argv)

    from bench_sparql import corpus

    import kg

    src = corpus(args.articles, Path(args.corpora))
    data = Path(tempfile.mkdtemp(prefix="kg-bench-safety-"))
    kg.build(src, data, formats=["nt", "store"], jobs=os.cpu_count())
    triples = sum(1 for _ in (data / "graph.nt").open("rb"))
    print(f"build of {args.articles:,} articles: {triples:,} triples; time limit given "
          f"{args.timeout:g} s, runs capped at {args.cap:g} s\n")  # fmt: skip

    listener = ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    service_url = f"http://127.0.0.1:{listener.server_address[1]}/sparql"

    trees = {"before": Path(args.before).resolve(), "after": HERE.parent}
    limit = ["--timeout", f"{args.timeout:g}"]
    rows = []
    for case, query in CASES.items():
        query = query.replace("URL", service_url)
        for command, runner in (("kg query", run_query), ("kg serve", run_serve)):
            cells = [case, command]
            for name, tree_ in trees.items():
                # kg query had no --timeout before; kg serve had one (Oxigraph's --timeout-s)
                extra = limit if (name == "after" or command == "kg serve") else []
                _Listener.hits = []
                elapsed, peak, outcome = runner(tree_, data, query, args.cap, extra)
                if "SERVICE" in case:
                    outcome += f"; listener got {len(_Listener.hits)} request(s)"
                cells += [f"{elapsed:.2f} s", f"{peak:.0f} MB", outcome]
                print(f"  {case} | {command} | {name}: {elapsed:.2f} s, {peak:.0f} MB, {outcome}",
                      flush=True)  # fmt: skip
            rows.append(cells)
    listener.shutdown()

    head = ["case", "command", "before: time", "before: peak", "before: outcome",
            "after: time", "after: peak", "after: outcome"]  # fmt: skip
    print("\n| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    __import__("shutil").rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
