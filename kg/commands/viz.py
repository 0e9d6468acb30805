"""Placeholder registration; replaced by the real command module."""

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Register no command yet."""
