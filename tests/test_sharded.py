"""Grids spread over several devices (four simulated CPU devices in a child process) give the
results of one device: same losses to rtol 1e-5, same diverged settings — surfaces and nets.

Bit-for-bit equality is not expected: a device's block of lanes is vmapped over a different
batch size than one device's whole grid (here 1 lane vs 3), and XLA rounds a batched matmul
differently from a single one (1 ulp at step 1). Training amplifies that: Adam at η = 0.1 on
the net drifts to ~6e-5 relative after 50 steps, and SOAP's eigenbasis of a rank-one first
statistic is degenerate, so it differs by ~10% after one step — as it does between one
setting and a grid of them on one device. The nets check therefore uses settings whose runs
are not chaotic."""

from __future__ import annotations

import pytest

from tests.multidevice import run_json

pytestmark = pytest.mark.slow  # a child with four devices: ~25 s of CPU

CHECK = """
import json
import jax
import numpy as np
from rlx_lab import engine, nets, surfaces

one, every = jax.devices()[:1], jax.devices()
out = {"devices": len(every)}

# surfaces: 7 settings (padded to 8 over 4 devices), some diverging, 2 noise draws each
rows = [{"lr": lr, "beta1": b} for lr in (1e-3, 0.05, 3.0, 50.0) for b in (0.5, 0.9)][:7]
settings = engine.RunSettings(steps=50, noise=0.05)
rosenbrock = surfaces.get("rosenbrock")
a = engine.run_grid("adam", {}, rows, rosenbrock, [-1.5, 2.0], settings, draws=2, devices=one)
b = engine.run_grid("adam", {}, rows, rosenbrock, [-1.5, 2.0], settings, draws=2)
out["surface"] = {
    "devices": [a.recorded()["devices"], b.recorded()["devices"]],
    "close": bool(np.allclose(a.losses, b.losses, rtol=1e-5, atol=0, equal_nan=True)),
    "diverged": [a.diverged.tolist(), b.diverged.tolist()],
}
kept = [
    engine.stream.stream_grid(
        "adam", {}, rows, rosenbrock, [-1.5, 2.0], settings, draws=2, tol=1.0, devices=chosen
    )
    for chosen in (one, every)
]
out["stream"] = {
    "close": bool(np.allclose(kept[0].best_loss, kept[1].best_loss, rtol=1e-5, atol=0)),
    "same": bool(
        (kept[0].diverged_at == kept[1].diverged_at).all()
        and (kept[0].steps_to_tol == kept[1].steps_to_tol).all()
    ),
}
scan = engine.tune_lr("sgd", {}, rosenbrock, [-1.5, 2.0], settings, lrs=[1e-4, 1e-3, 1e-2])
out["tune_devices"] = scan.settings["devices"]

# nets: three SGD settings (one diverging), 2 seeds (padded to 4 lanes)
data = nets.datasets.make("two_moons")
grid = {"sgd": [{"lr": 0.05}, {"lr": 0.3}, {"lr": 1e3}]}
train = nets.TrainSettings(steps=50, frames=5)
c = nets.race(data, grid, settings=train, seeds=(0, 1), devices=one)
d = nets.race(data, grid, settings=train, seeds=(0, 1))
out["nets"] = {
    "devices": [c.settings["devices"], d.settings["devices"]],
    "close": all(
        np.allclose(x.loss, y.loss, rtol=1e-5, atol=0, equal_nan=True)
        and np.allclose(x.test_loss, y.test_loss, rtol=1e-5, atol=0, equal_nan=True)
        for x, y in zip(c.runs, d.runs, strict=True)
    ),
    "diverged": [[r.diverged_at for r in c.runs], [r.diverged_at for r in d.runs]],
}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def checked() -> dict:
    return run_json(CHECK, count=4)


def test_four_devices_are_seen(checked: dict) -> None:
    assert checked["devices"] == 4
    assert checked["tune_devices"] == 4


def test_a_sharded_surface_grid_equals_one_device(checked: dict) -> None:
    surface = checked["surface"]
    assert surface["devices"] == [1, 4]
    assert surface["close"]
    one, every = surface["diverged"]
    assert one == every
    assert any(at >= 0 for at in one) and any(at < 0 for at in one)


def test_a_sharded_streaming_grid_equals_one_device(checked: dict) -> None:
    assert checked["stream"]["close"]
    assert checked["stream"]["same"]


def test_a_sharded_net_race_equals_one_device(checked: dict) -> None:
    net = checked["nets"]
    assert net["devices"] == [1, 4]
    assert net["close"]
    one, every = net["diverged"]
    assert one == every
    assert any(at >= 0 for at in one) and any(at < 0 for at in one)
