"""A headless sweep over two processes (``jax.distributed`` on 127.0.0.1, two simulated CPU
devices each) writes the results of a single-process run."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import numpy as np
import pytest

from rlx_lab import sweep
from tests.multidevice import environment

pytestmark = pytest.mark.slow  # two jax.distributed children: ~15 s of CPU

SPEC = {
    "world": "surface",
    "steps": 50,
    "seeds": 2,
    "chunk_lanes": 8,
    "surface": {"name": "rosenbrock", "noise": 0.05},
    "optimizers": {"adam": {}},
    "axes": {"lr": {"log": [1e-3, 50.0, 7]}, "beta1": [0.5, 0.9]},
    "keep": {"tol": 1.0, "thin": 3},
}
"""14 settings × 2 seeds over 4 devices, 4 settings per chunk: 4 chunks, the last padded."""

pytestmark = pytest.mark.slow  # child processes (jax.distributed), ~15 s of CPU


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_write_what_one_process_does(tmp_path) -> None:
    spec_path, out = tmp_path / "spec.json", tmp_path / "hosts.npz"
    spec_path.write_text(json.dumps(SPEC))
    port = free_port()
    command = [sys.executable, "-m", "rlx_lab.sweep", str(spec_path), "--out", str(out)]
    children = [
        subprocess.Popen(
            [*command, "--quiet"],
            env=environment(
                2,
                RLX_LAB_COORDINATOR=f"127.0.0.1:{port}",
                RLX_LAB_NUM_PROCESSES="2",
                RLX_LAB_PROCESS_ID=str(i),
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [child.communicate(timeout=240) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err[-3000:]
    # process 0 writes, process 1 does not (gloo prints its connections to stdout too)
    assert outputs[0][0].strip().splitlines()[-1] == f"wrote {out}"
    assert "wrote" not in outputs[1][0]

    hosts = sweep.load(out)
    assert hosts.versions["processes"] == 2 and hosts.versions["devices"] == 4
    one = sweep.load(sweep.run(sweep.parse(SPEC), tmp_path / "one.npz", progress=False))
    assert one.versions["devices"] == 1
    for key in ("final_loss", "best_loss", "curve"):
        np.testing.assert_allclose(hosts.arrays[key], one.arrays[key], rtol=1e-5)
    for key in ("steps_to_tol", "diverged_at"):
        np.testing.assert_array_equal(hosts.arrays[key], one.arrays[key])
    assert (one.arrays["diverged_at"] > 0).any()
