"""Every reference vector of RLX's rlx-optim, replayed through rlx_lab's public API."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from rlx_lab import optim

from . import golden

CASES = list(golden.cases())


@pytest.mark.parametrize(("name", "case"), CASES, ids=[c["id"] for _, c in CASES])
def test_case_matches_reference(name: str, case: dict) -> None:
    assert len(case["iterations"]) == case["num_iterations"]
    for i, ours, expected in golden.replay(name, case):
        assert set(ours) == set(expected)
        for tensor, want in expected.items():
            np.testing.assert_allclose(
                np.asarray(ours[tensor]),
                want,
                rtol=1e-4,
                atol=1e-6,
                err_msg=f"{case['id']}: tensor {tensor!r} after iteration {i}",
            )


def test_every_optimizer_has_reference_cases() -> None:
    assert {name for name, _ in CASES} == set(optim.names())


CLIP_CASES = golden.load("clip")["cases"]


@pytest.mark.parametrize("case", CLIP_CASES, ids=[c["id"] for c in CLIP_CASES])
def test_clip_helpers_match_reference(case: dict) -> None:
    if case["fn"] == "l2_norm":
        got = optim.l2_norm(jnp.asarray(case["input"], jnp.float32))
    else:
        tensors = [jnp.asarray(t, jnp.float32) for t in case["tensors"]]
        got = optim.global_grad_clip_scale(tensors, case["max_norm"])
    np.testing.assert_allclose(float(got), case["output"], rtol=1e-6, atol=0)
