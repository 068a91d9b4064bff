"""``python -m rlx_lab.sweep SPEC [--out FILE]``: run a sweep spec, write its results.

Several hosts (or several processes on one): start the same command on each with
``--coordinator HOST:PORT --num-processes N --process-id I`` (or the environment variables
``RLX_LAB_COORDINATOR``, ``RLX_LAB_NUM_PROCESSES``, ``RLX_LAB_PROCESS_ID``); every process
computes the lanes of its own devices and process 0 writes the file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

COORDINATOR_ENV = "RLX_LAB_COORDINATOR"
PROCESSES_ENV = "RLX_LAB_NUM_PROCESSES"
PROCESS_ID_ENV = "RLX_LAB_PROCESS_ID"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rlx_lab.sweep", description=__doc__)
    parser.add_argument("spec", type=Path, help="the sweep spec (.toml or .json)")
    parser.add_argument("--out", type=Path, help="results file (default: SPEC with .npz)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--coordinator",
        default=os.environ.get(COORDINATOR_ENV),
        help=f"HOST:PORT of process 0, for several processes (${COORDINATOR_ENV})",
    )
    parser.add_argument(
        "--num-processes",
        type=int,
        default=_int_env(PROCESSES_ENV),
        help=f"how many processes take part (${PROCESSES_ENV})",
    )
    parser.add_argument(
        "--process-id",
        type=int,
        default=_int_env(PROCESS_ID_ENV),
        help=f"this process's index, 0 … N−1 (${PROCESS_ID_ENV})",
    )
    return parser


def _int_env(name: str) -> int | None:
    text = os.environ.get(name, "").strip()
    return int(text) if text else None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import jax  # after parsing: --help stays instant

    if args.coordinator or args.num_processes or args.process_id is not None:
        if not (args.coordinator and args.num_processes and args.process_id is not None):
            print(
                "several processes need --coordinator, --num-processes and --process-id",
                file=sys.stderr,
            )
            return 2
        jax.distributed.initialize(args.coordinator, args.num_processes, args.process_id)

    from . import parse, read, run

    try:
        spec = parse(read(args.spec))
        out = run(
            spec,
            args.out or args.spec.with_suffix(".npz"),
            progress=not args.quiet,
            overwrite=args.overwrite,
        )
    except (ValueError, FileExistsError) as error:
        print(f"{args.spec}: {error}", file=sys.stderr)
        return 2
    if jax.process_index() == 0:
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
