"""The graph as two tables: ``nodes.csv`` and ``edges.csv``, for pandas and spreadsheets.

One row a node (its attributes as text, lists and dicts as compact JSON, and its link
counts in and out) and one row an edge (links and keyword edges), written as
``csv.writer`` writes them.

Examples
--------
>>> import kg, tempfile, pathlib
>>> G = kg.load("articles")
>>> nodes, edges = write_csv(G, tempfile.mkdtemp())
>>> nodes.read_text().splitlines()[0].split(",")[:3]
['id', 'kind', 'exists']
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.formats.flat import EDGE_COLUMNS, NODE_COLUMNS, FlatRows
from kg.formats.pieces import Layout, write_layout
from kg.graph import adjacency, count_links

NODES_FILE, EDGES_FILE = "nodes.csv", "edges.csv"


def write_csv(G: nx.DiGraph, folder: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``folder/nodes.csv`` and ``folder/edges.csv``; return their paths."""
    rows = FlatRows(G)
    out = Path(folder)
    return (
        write_layout(out / NODES_FILE, nodes_layout(rows)),
        write_layout(out / EDGES_FILE, edges_layout(rows)),
    )


def nodes_layout(flat: FlatRows) -> Layout:
    """``nodes.csv``: one row a node; lists and dicts as JSON text; in/out link counts."""
    columns = NODE_COLUMNS[1:]
    _, succ, pred = adjacency(flat.G)
    row = _csv_row()

    def render(node: str) -> tuple[str]:
        data, _ = flat.rows(node)
        cells = [data.get(c, "") for c in columns]
        return (row([node, *cells, count_links(pred[node]), count_links(succ[node])]),)

    head = row([*NODE_COLUMNS, "links_in", "links_out"])
    return Layout(head, [("", flat.nodes)], [""], "", render)


def edges_layout(flat: FlatRows) -> Layout:
    """``edges.csv``: one row an edge (links and keyword edges)."""
    columns = EDGE_COLUMNS[2:]
    row = _csv_row()

    def render(node: str) -> tuple[str]:
        _, edges = flat.rows(node)
        return ("".join(row([node, v, *[d.get(c, "") for c in columns]]) for v, d in edges),)

    return Layout(row(list(EDGE_COLUMNS)), [("", flat.nodes)], [""], "", render)


def _csv_row() -> Callable[[list[Any]], str]:
    """A function giving one CSV row as text (with its line end), as ``csv.writer`` writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(cells: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    return row
