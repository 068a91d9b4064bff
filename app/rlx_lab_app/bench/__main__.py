"""``python -m rlx_lab_app.bench SUBCOMMAND [options]``: the web app's benchmarks, with the
same report format and options as the library's (:mod:`rlx_lab.bench`)."""

from __future__ import annotations

from rlx_lab.bench.__main__ import build_parser, main
from rlx_lab_app.bench import app, contention, load, nets

if __name__ == "__main__":
    parser = build_parser((app, contention, load, nets), prog="python -m rlx_lab_app.bench")
    raise SystemExit(main(parser=parser))
