"""ARCHITECTURE.md names every module, and the code keeps the rules it states."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kg"
MODULES = sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py"))
ENGINE_ONLY = {"multiprocessing", "concurrent", "threading", "pickle", "gc", "ctypes"}
MACHINERY_ALLOWED: dict[str, set[str]] = {"kg/store/endpoint.py": {"threading"}}
"""Modules outside the engine allowed one of ENGINE_ONLY, with the reason in their docstring."""


def _package(module: str) -> str:
    parts = module.split("/")
    return parts[1] if len(parts) > 2 else "core"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module imported, names taken)`` of every import in ``path``, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def test_the_code_map_names_every_module():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [m for m in MODULES if f"`{m}`" not in text]
    assert not missing, f"add a line for these modules to ARCHITECTURE.md's code map: {missing}"


def test_the_code_map_names_no_module_that_is_gone():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = {part.strip("`") for part in text.split() if part.startswith("`kg/")}
    named = {n.rstrip(",.;:") for n in named if n.rstrip(",.;:`").endswith(".py")}
    gone = sorted(n.rstrip("`") for n in named if not (ROOT / n.rstrip("`")).is_file())
    assert not gone, gone


@pytest.mark.parametrize("module", [m for m in MODULES if _package(m) not in ("engine", "cli")])
def test_the_core_imports_neither_the_engine_nor_the_cli(module):
    if module in ("kg/__init__.py", "kg/__main__.py"):  # the API (lazy) and `python -m kg`
        return
    for name, _ in _imports(ROOT / module):
        assert not name.startswith(("kg.engine", "kg.cli")), f"{module} imports {name}"


@pytest.mark.parametrize("module", [m for m in MODULES if _package(m) != "engine"])
def test_the_engine_machinery_stays_in_the_engine(module):
    allowed = MACHINERY_ALLOWED.get(module, set())
    for name, _ in _imports(ROOT / module):
        top = name.split(".")[0]
        assert top not in ENGINE_ONLY - allowed, f"{module} imports {name}"
    source = (ROOT / module).read_text(encoding="utf-8")
    assert "os._exit" not in source and "os.fork(" not in source, module


@pytest.mark.parametrize("module", MODULES)
def test_no_private_name_crosses_modules(module):
    for name, names in _imports(ROOT / module):
        if name.startswith("kg"):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{module} takes {private} from {name}"
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("_succ", "_pred", "_node", "_adj"):
            assert module == "kg/graph.py", f"{module} reads networkx's {node.attr}"


@pytest.mark.parametrize("module", MODULES)
def test_no_module_rebinds_a_global(module):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Global)], module


def test_tests_mirror_the_packages():
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert {"core", "formats", "store", "engine", "cli"} <= folders
