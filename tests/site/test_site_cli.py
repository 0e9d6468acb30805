"""``kg site`` on the command line: the site of a build, clean errors, the display language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from tests.corpora import SMALL_WIKI, write_articles

ROOT = Path(__file__).resolve().parents[2]


def kg_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("KG_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=environment
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    write_articles(root / "wiki", SMALL_WIKI)
    kg.build(root / "wiki", root / "exports", formats=["json"])
    return root / "exports"


def test_kg_site_writes_the_site_of_a_build(build, tmp_path):
    done = kg_cli("site", "--data", str(build), "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    assert str(tmp_path / "site" / "index.html") in done.stdout and "written" in done.stdout
    page = (tmp_path / "site" / "concept" / "backoffice.html").read_text()
    assert '<h1><span lang="en">back office</span></h1>' in page
    again = kg_cli("site", "--data", str(build), "--out", str(tmp_path / "site"))
    assert " 0 written" in again.stdout


def test_display_language_from_the_option_or_the_environment(build, tmp_path):
    done = kg_cli("site", "--data", str(build), "--out", str(tmp_path / "a"), env={
        "KG_DISPLAY_LANG": "sv"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        '<h1><span lang="sv">back office</span></h1>'
        in (tmp_path / "a" / "concept" / "backoffice.html").read_text()
    )
    assert 'href="../a-z/sv/index.html"' in (tmp_path / "a" / "concept" / "lease.html").read_text()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--data", "nowhere"], 1, "no kg build here"),
        (["--display-lang", "<sv>"], 2, "is no language tag"),
        (["--base-iri", "relative"], 2, "not an absolute IRI"),
        (["--out", "/dev/null"], 2, "is a file, not a folder"),
    ],
)
def test_errors_are_one_clean_line(build, tmp_path, args, code, message):
    full = ["site", "--data", str(build), "--out", str(tmp_path / "s"), *args]
    done = kg_cli(*full)
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


def test_help_has_a_worked_example():
    done = kg_cli("site", "--help")
    assert done.returncode == 0 and "kg site --data exports --out site" in done.stdout
