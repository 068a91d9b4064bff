"""``python -m rlx_lab.bench SUBCOMMAND [options]``.

Each subcommand is a module of this package exposing ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; a new benchmark is one more module
listed in :data:`COMMANDS`. The web app's benchmarks (``app``, ``contention``) live beside the
app, which the library never imports: ``python -m rlx_lab_app.bench``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from . import core, engine, nets, sweep

COMMANDS: tuple[ModuleType, ...] = (core, engine, nets, sweep)


def build_parser(
    commands: Sequence[ModuleType] = COMMANDS, prog: str = "python -m rlx_lab.bench"
) -> argparse.ArgumentParser:
    """The top-level parser with one subparser per benchmark module."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None, parser: argparse.ArgumentParser | None = None) -> int:
    """Parse ``argv`` (default: the command line) and run the chosen benchmark."""
    args = (parser or build_parser()).parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
