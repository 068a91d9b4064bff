"""LAPACK calls under wide vmaps (rlx_lab.optim._lapack): no hang on CPU, exact lanes, and the
native batched kernels kept for GPU."""

from __future__ import annotations

import re
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np

from rlx_lab.optim._lapack import eigh, solve_lower_triangular

WIDE_RACE = """
from rlx_lab import nets
data = nets.datasets.make("two_moons", n_train=128, n_test=16)
grid = {"soap": [{"lr": 1e-3 * (1 + i)} for i in range(64)]}
nets.race(data, grid, settings=nets.TrainSettings(steps=20, batch_size=32, frames=2))
print("finished")
"""


def test_a_race_of_64_soap_settings_finishes() -> None:
    """With jaxlib's batched eigh this race hung for ever at 0 % CPU on 2 cores (the LAPACK
    calls waited on a thread pool they had filled); it takes about 4 s. (Kron-PSGD's solve hung
    the same way, but only in races too long for the suite: its lanes are checked below.)"""
    try:
        done = subprocess.run(
            [sys.executable, "-c", WIDE_RACE], capture_output=True, text=True, timeout=240
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("the race of 64 SOAP settings hung") from None
    assert done.returncode == 0 and "finished" in done.stdout, done.stderr[-2000:]


def test_every_lane_is_the_unbatched_call() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 5, 6, 6)).astype(np.float32)
    sym = a @ np.swapaxes(a, -1, -2)
    values, vectors = jax.jit(jax.vmap(jax.vmap(eigh)))(sym)
    lower = np.tril(a) + 6 * np.eye(6, dtype=np.float32)
    rhs = rng.standard_normal((3, 5, 6, 2)).astype(np.float32)
    per_row = jax.vmap(jax.vmap(solve_lower_triangular), in_axes=(0, None))  # rhs shared by rows
    solved = jax.jit(per_row)(lower, rhs[0])
    for i in range(3):
        for j in range(5):
            one_values, one_vectors = jnp.linalg.eigh(sym[i, j])
            np.testing.assert_array_equal(values[i, j], one_values)
            np.testing.assert_array_equal(vectors[i, j], one_vectors)
            one = jax.scipy.linalg.solve_triangular(lower[i, j], rhs[0, j], lower=True)
            np.testing.assert_array_equal(solved[i, j], one)
    np.testing.assert_allclose(lower @ solved, np.broadcast_to(rhs[0], solved.shape), atol=1e-4)


def test_cpu_loops_over_the_batch_and_gpu_keeps_the_batched_kernel() -> None:
    sym = jnp.broadcast_to(jnp.eye(4), (8, 4, 4))
    lowered = jax.jit(jax.vmap(eigh)).trace(sym)
    cpu = lowered.lower(lowering_platforms=("cpu",)).as_text()
    gpu = lowered.lower(lowering_platforms=("cuda",)).as_text()
    assert "lapack_ssyevd" in cpu and "stablehlo.while" in cpu
    assert "cusolver" in gpu and "stablehlo.while" not in gpu
    batched = re.search(r"cusolver\w*\(%\w+\) .*: \(tensor<8x4x4xf32>\)", gpu)
    assert batched, "one cuSOLVER call over the whole batch"
