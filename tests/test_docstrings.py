"""The Examples sections of kg's docstrings run, and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(kg.__path__, "kg.")
    if not info.name.endswith("__main__")
)  # fmt: skip


def test_every_module_is_listed():
    assert {
        "kg.engine.parallel",
        "kg.store.database",
        "kg.mentions",
        "kg.engine.memory",
        "kg.cli.build",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
