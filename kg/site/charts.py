"""Bar charts as SVG shapes, computed in Python and drawn by the ``chart`` macro.

No plotting library: a chart is a list of rectangles, lines and texts with fixed,
rounded coordinates, so the same figures give the same bytes, the page needs no script,
and the shapes take their colours from the stylesheet (light, dark and print). Each chart
carries the table of its figures, which the page shows beside it.

:func:`hbars` draws one bar per row (names on the left), with the previous build's value
as a dashed mark; :func:`vbars` draws groups of bars over bins, on a linear or a
logarithmic scale.

Examples
--------
>>> c = hbars("c", "Checks", [Bar("orphan", 3), Bar("self-link", 1)], head=["check", "concepts"])
>>> [s["kind"] for s in c["shapes"]][:3], c["table"]["rows"][0][1]["text"]
(['line', 'text', 'line'], '3')
>>> log_ticks(1234)
[1, 10, 100, 1000, 10000]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kg.site.render import number, signed

WIDTH = 760
ROW = 24
LABEL_W = 200
LABEL_MAX = 28


@dataclass
class Bar:
    """One row of a horizontal bar chart."""

    label: str
    value: float
    href: str = ""
    lang: str = ""
    previous: float | None = None
    text: str = ""  # the value as shown (default: the number)
    extra: list[str] = field(default_factory=list)  # more table cells


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"


def _r(x: float) -> float:
    return round(x, 1)


def linear_ticks(value: float) -> list[float]:
    """Ticks from 0 to at least ``value``: 3 to 6 steps of 1, 2 or 5 × 10ⁿ.

    Examples
    --------
    >>> linear_ticks(12), linear_ticks(656), linear_ticks(0), linear_ticks(0.83)
    ([0, 5, 10, 15], [0, 200, 400, 600, 800], [0, 1], [0, 0.2, 0.4, 0.6, 0.8, 1])
    """
    if value <= 0:
        return [0, 1]
    rough = value / 5
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    count = math.ceil(value / step - 1e-9)
    return [_tidy(step * i) for i in range(count + 1)]


def _tidy(x: float) -> float:
    x = round(x, 9)
    return int(x) if float(x).is_integer() and abs(x) >= 1 or x == 0 else x


def log_ticks(top: float) -> list[int]:
    """Powers of ten from 1 up to the first at or above ``top``."""
    ticks = [1]
    while ticks[-1] < top:
        ticks.append(ticks[-1] * 10)
    return ticks


def hbars(
    chart_id: str,
    title: str,
    rows: list[Bar],
    *,
    head: list[str],
    desc: str = "",
    note: str = "",
    percent: bool = False,
    has_previous: bool = False,
) -> dict[str, Any]:
    """A horizontal bar chart: one bar per row, the longest row's value sets the scale.

    ``percent``: values are shares (0–1) shown as percentages, on a 0–100 % axis.
    ``has_previous``: the table gets a column of changes, the chart a dashed mark per row.
    """
    ticks = (
        [0, 0.25, 0.5, 0.75, 1.0]
        if percent
        else linear_ticks(max((r.value for r in rows), default=0))
    )
    top = ticks[-1]
    x0, x1 = LABEL_W, WIDTH - 70
    height = 30 + ROW * max(len(rows), 1) + 24
    shapes: list[dict[str, Any]] = []
    y_axis = 22 + ROW * max(len(rows), 1)
    for value in ticks:
        x = _r(x0 + (x1 - x0) * value / top)
        shapes.append({"kind": "line", "x1": x, "y1": 16, "x2": x, "y2": y_axis, "cls": "grid"})
        text = f"{value:.0%}" if percent else number(value)
        shapes.append(
            {"kind": "text", "x": x, "y": y_axis + 16, "text": text, "cls": "tick middle"}
        )
    table_rows = []
    for i, row in enumerate(rows):
        y = 20 + ROW * i
        w = (x1 - x0) * (row.value / top if top else 0)
        shown = row.text or (f"{row.value:.1%}" if percent else number(row.value))
        shapes.append(
            {
                "kind": "text",
                "x": x0 - 8,
                "y": _r(y + ROW * 0.62),
                "text": _short(row.label),
                "cls": "end",
                "lang": row.lang,
                "href": row.href,
            }
        )
        shapes.append(
            {
                "kind": "rect",
                "x": x0,
                "y": _r(y + 3),
                "w": _r(max(w, 1.5 if row.value else 0)),
                "h": ROW - 6,
                "cls": "bar",
                "tip": f"{row.label}: {shown}",
            }
        )
        shapes.append(
            {
                "kind": "text",
                "x": _r(x0 + w + 5),
                "y": _r(y + ROW * 0.62),
                "text": shown,
                "cls": "note",
            }
        )
        if has_previous and row.previous is not None:
            px = _r(x0 + (x1 - x0) * min(row.previous / top if top else 0, 1.0))
            shown_prev = f"{row.previous:.1%}" if percent else number(row.previous)
            shapes.append(
                {
                    "kind": "line",
                    "x1": px,
                    "y1": _r(y + 1),
                    "x2": px,
                    "y2": _r(y + ROW - 1),
                    "cls": "prev",
                    "tip": f"previous build: {shown_prev}",
                }
            )
        cells = [{"text": row.label, "href": row.href, "lang": row.lang}, {"text": shown}]
        cells += [{"text": x} for x in row.extra]
        if has_previous:
            cells.append({"text": _change(row.value, row.previous, percent)})
        table_rows.append(cells)
    shapes.append({"kind": "line", "x1": x0, "y1": 16, "x2": x0, "y2": y_axis, "cls": "axis"})
    head = head + (["change"] if has_previous else [])
    return _chart(chart_id, title, desc, note, height, shapes, head, table_rows)


def vbars(
    chart_id: str,
    title: str,
    bins: list[str],
    series: list[tuple[str, list[int], list[int] | None]],
    *,
    head: list[str],
    desc: str = "",
    note: str = "",
    log: bool = True,
) -> dict[str, Any]:
    """Bars over ``bins``, one per series ``(name, values, previous values or None)``.

    ``log``: a logarithmic value axis (powers of ten; a count of 1 is a short bar, 0 none).
    """
    height = 290
    x0, x1, y0, y1 = 56, WIDTH - 12, height - 46, 34
    peak = max((v for _, values, _ in series for v in values), default=0)
    shapes: list[dict[str, Any]] = []
    if log:
        ticks = log_ticks(max(peak, 10))
        low, high = math.log10(0.5), math.log10(ticks[-1])

        def ypos(v: float) -> float:
            return y0 - (y0 - y1) * (math.log10(v) - low) / (high - low) if v > 0 else y0

    else:
        ticks = linear_ticks(peak)
        top = ticks[-1]

        def ypos(v: float) -> float:
            return y0 - (y0 - y1) * v / top

    for t in ticks:
        y = _r(ypos(t))
        shapes.append({"kind": "line", "x1": x0, "y1": y, "x2": x1, "y2": y, "cls": "grid"})
        shapes.append(
            {"kind": "text", "x": x0 - 6, "y": _r(y + 4), "text": number(t), "cls": "tick end"}
        )
    group = (x1 - x0) / max(len(bins), 1)
    bar_w = min(group * 0.8 / max(len(series), 1), 40)
    classes = ("bar", "bar2")
    for b, name in enumerate(bins):
        left = x0 + group * b + (group - bar_w * len(series)) / 2
        for s, (label, values, previous) in enumerate(series):
            v = values[b]
            x = _r(left + bar_w * s)
            if v > 0:
                y = ypos(v)
                shapes.append(
                    {
                        "kind": "rect",
                        "x": x,
                        "y": _r(y),
                        "w": _r(bar_w - 1),
                        "h": _r(max(y0 - y, 1.5)),
                        "cls": classes[s % 2],
                        "tip": f"{name}: {number(v)} ({label})",
                    }
                )
            if previous is not None and previous[b] != v:
                py = _r(ypos(previous[b]))
                shapes.append(
                    {
                        "kind": "line",
                        "x1": x,
                        "y1": py,
                        "x2": _r(x + bar_w - 1),
                        "y2": py,
                        "cls": "prev",
                        "tip": f"{name}, previous build: {number(previous[b])} ({label})",
                    }
                )
        shapes.append(
            {
                "kind": "text",
                "x": _r(x0 + group * (b + 0.5)),
                "y": y0 + 16,
                "text": name,
                "cls": "tick middle",
            }
        )
    shapes.append({"kind": "line", "x1": x0, "y1": y0, "x2": x1, "y2": y0, "cls": "axis"})
    for s, (label, _, _) in enumerate(series):
        lx = x0 + 150 * s
        shapes.append(
            {"kind": "rect", "x": lx, "y": 10, "w": 12, "h": 12, "cls": classes[s % 2], "tip": ""}
        )
        shapes.append({"kind": "text", "x": lx + 17, "y": 20, "text": label, "cls": "note"})
    has_previous = any(p is not None for _, _, p in series)
    rows = []
    for b, name in enumerate(bins):
        cells = [{"text": name}]
        for _, values, previous in series:
            cells.append({"text": number(values[b])})
            if has_previous:
                cells.append({"text": _change(values[b], previous[b] if previous else None)})
        rows.append(cells)
    if has_previous:
        head = [head[0]] + [h for name in head[1:] for h in (name, "change")]
    return _chart(chart_id, title, desc, note, height, shapes, head, rows)


def _chart(
    chart_id: str,
    title: str,
    desc: str,
    note: str,
    height: int,
    shapes: list[dict[str, Any]],
    head: list[str],
    rows: list[list[dict[str, Any]]],
) -> dict[str, Any]:
    """What the chart template draws: the SVG's shapes and the table beside it."""
    return {
        "id": chart_id,
        "title": title,
        "desc": desc or title,
        "note": note,
        "width": WIDTH,
        "height": height,
        "shapes": [_full(s) for s in shapes],
        "table": {"head": head, "rows": rows},
    }


def _full(shape: dict[str, Any]) -> dict[str, Any]:
    """A shape with every key the template reads (empty when unused)."""
    return {"href": "", "tip": "", "lang": "", "cls": "", **shape}


def _change(value: float, previous: float | None, percent: bool = False) -> str:
    if previous is None:
        return "new"
    if percent:
        points = round((value - previous) * 100, 1)
        return "±0" if not points else f"{signed(points)} pt"
    return signed(value - previous)
