"""The README's promises: a two-command Quickstart, and SPARQL examples whose output is real."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```sparql\n(.*?)\n```\n\n```text\n(.*?)\n```", README, re.DOTALL)


def test_quickstart_is_two_commands_install_and_build_then_test():
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)\n```", section, re.DOTALL).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "pip install" in commands[0] and "kg build" in commands[0]
    assert "pip install" in commands[1] and "[test]" in commands[1] and "pytest" in commands[1]


def test_readme_has_a_dozen_sparql_examples():
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize(
    "query,expected", EXAMPLES, ids=[f"q{i + 1}" for i in range(len(EXAMPLES))]
)
def test_sparql_example_prints_what_the_readme_shows(query, expected):
    run = subprocess.run(
        [sys.executable, "-m", "kg", "query", query, "--data", str(ROOT / "exports")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    printed = "\n".join(
        line for line in run.stdout.rstrip().splitlines() if not line.startswith("@prefix")
    )
    assert printed == expected
