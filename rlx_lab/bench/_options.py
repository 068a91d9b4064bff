"""Command-line value types the benchmarks share (``argparse`` ``type=``): a bad value is a
usage error that says what was expected."""

from __future__ import annotations

import argparse

from rlx_lab import optim


def positive_int(text: str) -> int:
    """An integer ≥ 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def optimizer_names(text: str) -> tuple[str, ...]:
    """Comma-separated registered optimizer names (at least one), in the order given."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in optim.names()]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown optimizer {unknown[0] if unknown else text!r}; valid: {optim.names()}"
        )
    return names
