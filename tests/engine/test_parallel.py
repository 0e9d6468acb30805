"""kg.engine.parallel: the helper process runs its target, never the caller's script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """\
import sys
print("script ran", flush=True)
from kg.engine.mentions import serve_scans
from kg.engine.parallel import Workers
helper = Workers().helper(serve_scans)
assert helper is not None
helper.send.send({"en": {" lease ": "lease"}})  # the titles' owners per language
helper.send.send([("en", "key", "We sign a lease today.")])
print("answer", helper.receive.recv(), flush=True)
helper.close()
print("exit", helper.process.returncode, flush=True)
"""


def test_the_helper_does_not_run_the_callers_script_again(tmp_path):
    # multiprocessing's "spawn" imports __main__ in the child: a script calling kg.build
    # without an `if __name__ == "__main__"` guard built twice and printed twice
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("script ran") == 1
    assert "answer" in done.stdout and "exit 0" in done.stdout


def test_the_helper_finds_the_same_kg_as_its_parent(tmp_path):
    # a checkout put on sys.path by hand (not installed, not on PYTHONPATH) is the kg the
    # helper imports too
    script = tmp_path / "by_hand.py"
    script.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n" + SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "exit 0" in done.stdout
