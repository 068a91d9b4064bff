"""Headless sweeps (:mod:`rlx_lab.sweep`): the spec's checks, the results file, and a run
killed mid-way that resumes from its finished chunks to the same results."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import numpy as np
import pytest

from rlx_lab import engine, nets, surfaces, sweep
from rlx_lab.sweep import runner
from tests.multidevice import environment

SPEC = {
    "world": "surface",
    "steps": 50,
    "seeds": 2,
    "chunk_lanes": 4,
    "surface": {"name": "rosenbrock", "noise": 0.05},
    "optimizers": {"sgd": {"momentum": 0.5}, "adam": {}},
    "axes": {"lr": {"log": [1e-3, 3.0, 6]}},
    "keep": {"tol": 1.0, "thin": 3},
}
"""Two optimizers × 6 settings × 2 seeds, 2 settings per chunk: 6 chunks."""

KILLED = """
import sys, time
from rlx_lab.sweep import __main__ as cli, runner

written = []
def slow(path, arrays, write=runner.write_atomically):
    write(path, arrays)
    written.append(path)
    if len(written) == 2:  # two chunks on disk: say so, then wait to be killed
        print("two chunks", flush=True)
        time.sleep(120)

runner.write_atomically = slow
cli.main([sys.argv[1], "--out", sys.argv[2], "--quiet"])
"""


def test_spec_checks_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"axes\.lr"):
        sweep.parse({**SPEC, "axes": {"lr": {"log": [0.0, 1.0, 3]}}})
    with pytest.raises(ValueError, match=r"optimizers\.sgd: beta2"):
        sweep.parse({**SPEC, "axes": {"beta2": [0.9]}})
    with pytest.raises(ValueError, match="world"):
        sweep.parse({**SPEC, "world": "moon"})
    with pytest.raises(ValueError, match=r"random\.beta1"):
        sweep.parse({**SPEC, "random": {"count": 2, "beta1": {"log1m": [0.5, 1.5]}}})
    with pytest.raises(ValueError, match=r"keep\.every"):
        sweep.parse({**SPEC, "keep": {"every": 3}})


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_results(tmp_path, monkeypatch) -> None:
    spec_path, out = tmp_path / "spec.json", tmp_path / "out.npz"
    spec_path.write_text(json.dumps(SPEC))
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(spec_path), str(out)],
        env=environment(1),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "two chunks", child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    parts = runner.parts_folder(out)
    assert sorted(p.name for p in parts.glob("chunk-*")) == [
        "chunk-000-000000.npz",
        "chunk-000-000001.npz",
    ]
    assert not out.exists()

    spec = sweep.parse(SPEC)
    written = []
    write = runner.write_atomically
    monkeypatch.setattr(runner, "write_atomically", lambda p, a: (written.append(p), write(p, a)))
    sweep.run(spec, out, progress=False)
    assert len(written) == 4 + 1  # the four missing chunks, then the results file
    assert not parts.exists()
    whole = sweep.run(spec, tmp_path / "whole.npz", progress=False)

    resumed, fresh = sweep.load(out), sweep.load(whole)
    assert resumed.dims == ["optimizer", "lr", "seed"]
    assert resumed.optimizers == ["sgd", "adam"]
    assert resumed.spec == SPEC
    assert resumed.versions["devices"] == 1
    for key in ("final_loss", "best_loss", "steps_to_tol", "diverged_at", "curve"):
        np.testing.assert_array_equal(resumed.arrays[key], fresh.arrays[key])
    assert resumed.arrays["final_loss"].shape == (2, 6, 2)
    assert resumed.arrays["curve"].shape == (2, 6, 2, 3)
    assert (resumed.arrays["diverged_at"] > 0).any()


def test_an_existing_results_file_is_not_overwritten(tmp_path) -> None:
    out = tmp_path / "out.npz"
    out.write_bytes(b"")
    with pytest.raises(FileExistsError):
        sweep.run(sweep.parse(SPEC), out, progress=False)


def test_every_optimizer_runs_on_the_spec_surface(tmp_path) -> None:
    spec = {
        "steps": 50,
        "surface": {"name": "booth", "start": [1.0, -2.0]},
        "optimizers": ["sgd", "lion"],
        "axes": {"lr": [1e-3, 1e-1]},
    }
    got = sweep.load(sweep.run(sweep.parse(spec), tmp_path / "booth.npz", progress=False))
    booth = surfaces.get("booth")
    for k, name in enumerate(["sgd", "lion"]):
        want = engine.stream_grid(
            name, {}, {"lr": [1e-3, 1e-1]}, booth, [1.0, -2.0], engine.RunSettings(steps=50)
        )
        np.testing.assert_array_equal(got.arrays["final_loss"][k], want.final_loss)


@pytest.mark.slow  # compiles a net race: ~10 s of CPU
def test_a_net_sweep_keeps_each_seeds_losses(tmp_path) -> None:
    spec = {
        "world": "net",
        "steps": 50,
        "seeds": 2,
        "net": {"dataset": "two_moons", "frames": 5},
        "optimizers": ["sgd"],
        "axes": {"lr": [0.1, 1e3]},
        "keep": {"tol": 10.0, "thin": 3},
    }
    got = sweep.load(sweep.run(sweep.parse(spec), tmp_path / "net.npz", progress=False))
    assert got.dims == ["optimizer", "lr", "seed"]
    assert got.arrays["final_loss"].shape == got.arrays["test_loss"].shape == (1, 2, 2)
    race = nets.race(
        nets.datasets.make("two_moons"),
        {"sgd": [{"lr": 0.1}, {"lr": 1e3}]},
        settings=nets.TrainSettings(steps=50, frames=5),
        seeds=(0, 1),
    )
    runs = race.runs_of("sgd")
    np.testing.assert_allclose(
        got.arrays["final_loss"][0].ravel(), [r.train_loss[-1] for r in runs], rtol=1e-6
    )
    np.testing.assert_array_equal(
        got.arrays["diverged_at"][0].ravel(), [r.diverged_at for r in runs]
    )
    assert (got.arrays["diverged_at"][0, 1] > 0).all() and (
        got.arrays["diverged_at"][0, 0] < 0
    ).all()
    np.testing.assert_allclose(got.arrays["curve"][0, 0, :, 0], [r.train_loss[0] for r in runs[:2]])
