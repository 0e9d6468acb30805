"""``summary.json``: the figures of the last build, so that the next one shows the change.

The file holds the figures of the build that wrote it (``figures``) and of the build
before (``previous``). When the figures are the same as those on disk (nothing changed,
or the same site written again), the stored ``previous`` is kept: writing a site twice
gives the same bytes, and the dashboard keeps showing the last real change.

Examples
--------
>>> first = merge(None, {"links": 5})
>>> first["previous"] is None
True
>>> second = merge(first, {"links": 7})
>>> second["previous"], merge(second, {"links": 7})["previous"]
({'links': 5}, {'links': 5})
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NAME = "summary.json"
FORMAT = "kg-site-summary/1"


def read(out: Path) -> dict[str, Any] | None:
    """The summary of the site in ``out``, or None when there is none (or not kg's)."""
    try:
        data = json.loads((out / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def merge(old: dict[str, Any] | None, figures: dict[str, Any]) -> dict[str, Any]:
    """The summary to write now, given the one on disk and this build's figures."""
    figures = json.loads(json.dumps(figures))  # as it reads back, so it compares equal
    if old is None or not isinstance(old.get("figures"), dict):
        previous = None
    elif old["figures"] == figures:
        previous = old.get("previous")
    else:
        previous = old["figures"]
    return {"format": FORMAT, "figures": figures, "previous": previous}


def text(summary: dict[str, Any]) -> str:
    """The file's text: indented JSON, keys in a fixed order."""
    return json.dumps(summary, ensure_ascii=False, indent=1) + "\n"
