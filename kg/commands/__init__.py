"""One module per command group; each exposes ``register(subparsers)``."""

from __future__ import annotations

LEFT: list[object] = []
"""What a command leaves for the process's exit to free (see :func:`kg.cli.run`)."""
