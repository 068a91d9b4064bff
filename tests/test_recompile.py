"""A hyperparameter change must reuse the compiled step: slider moves never recompile."""

from __future__ import annotations

import jax
import pytest

from rlx_lab import optim

from .problems import model_grads, model_params, sample_values


@pytest.mark.parametrize("name", optim.names())
def test_no_new_trace_when_any_hyperparameter_changes(name: str) -> None:
    opt = optim.get(name)
    traces = []

    def step(params, grads, state, hp):
        traces.append(1)
        return opt.step(params, grads, state, hp)

    jitted = jax.jit(step)
    params = model_params()
    grads = model_grads(params, 0)
    state = opt.init(params)
    jitted(params, grads, state, opt.hparams())
    moved = 0
    for p in opt.spec:
        for value in sample_values(p, 6):
            new_params, _ = jitted(params, grads, state, opt.hparams(**{p.name: value}))
            jax.block_until_ready(new_params)
            moved += 1
    assert moved >= 5 * len(opt.spec)
    assert len(traces) == 1, f"{name}: {len(traces)} traces for {moved} hyperparameter changes"


@pytest.mark.parametrize("name", ["sophia", "soap", "muon"])
def test_internal_jit_compiles_once_across_values(name: str) -> None:
    """The API's own jitted step (no user jit) also reuses its compilation."""
    opt = optim.get(name)
    params = model_params()
    grads = model_grads(params, 0)
    state = opt.init(params)
    opt.step(params, grads, state, opt.hparams())
    size = opt._jitted_step._cache_size()
    for p in opt.spec:
        for value in sample_values(p):
            opt.step(params, grads, state, opt.hparams(**{p.name: value}))
    assert opt._jitted_step._cache_size() == size
