"""Bad input: invalid hyperparameters and API misuse raise ValueError naming the culprit; a
non-finite gradient never raises, and what each optimizer makes of it is pinned down below."""

from __future__ import annotations

import re

import jax.numpy as jnp
import numpy as np
import pytest

from rlx_lab import optim
from rlx_lab.optim import HParam

SPECS = [(name, p) for name in optim.names() for p in optim.get(name).spec]
SPEC_IDS = [f"{name}.{p.name}" for name, p in SPECS]


def _names_field(field: str) -> str:
    """A pattern that finds ``field`` as a whole word (so ``lr`` is not found in ``precond_lr``)."""
    return rf"(?<![\w]){re.escape(field)}(?![\w])"


# --- hyperparameter validation ----------------------------------------------------------------


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=repr)
@pytest.mark.parametrize(("name", "p"), SPECS, ids=SPEC_IDS)
def test_non_finite_value_is_rejected_naming_the_field(name: str, p: HParam, value: float) -> None:
    with pytest.raises(ValueError, match=_names_field(p.name)):
        optim.get(name).hparams(**{p.name: value})
    if p.kind == "tuple":
        inside = (value, *p.default[1:])
        with pytest.raises(ValueError, match=_names_field(p.name)):
            optim.get(name).hparams(**{p.name: inside})


def _wrong_kinds(p: HParam) -> list[object]:
    if p.kind in ("float", "optional_float"):
        return ["0.1", [0.1], True]
    if p.kind == "bool":
        return [0.5, 1, "yes", None]
    if p.kind == "int":
        return [2.5, True, "3", None]
    assert p.kind == "tuple"
    return [p.default[:2], (*p.default, 1.0), 1.0, ("a", "b", "c")]


@pytest.mark.parametrize(("name", "p"), SPECS, ids=SPEC_IDS)
def test_wrong_kind_is_rejected_naming_the_field(name: str, p: HParam) -> None:
    for value in _wrong_kinds(p):
        with pytest.raises(ValueError, match=_names_field(p.name)):
            optim.get(name).hparams(**{p.name: value})


@pytest.mark.parametrize("value", [0.0, -1.0, -1e-12])
@pytest.mark.parametrize("name", optim.names())
def test_non_positive_lr_is_rejected(name: str, value: float) -> None:
    with pytest.raises(ValueError, match=_names_field("lr")):
        optim.get(name).hparams(lr=value)


BETAS = [(name, p) for name, p in SPECS if p.scale == "log1m"]


@pytest.mark.parametrize(("name", "p"), BETAS, ids=[f"{n}.{p.name}" for n, p in BETAS])
def test_beta_like_field_takes_values_in_zero_to_one_excluding_one(name: str, p: HParam) -> None:
    opt = optim.get(name)
    for bad in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=_names_field(p.name)):
            opt.hparams(**{p.name: bad})
    for good in (0.0, 0.999):
        assert float(opt.hparams(**{p.name: good})[p.name]) == pytest.approx(good)


def test_every_optimizer_has_beta_like_fields_where_expected() -> None:
    with_betas = {name for name, _ in BETAS}
    assert with_betas == set(optim.names()) - {"adafactor"}


@pytest.mark.parametrize("name", optim.names())
def test_unknown_hyperparameter_is_rejected_naming_it(name: str) -> None:
    with pytest.raises(ValueError, match=_names_field("learning_rate")):
        optim.get(name).hparams(learning_rate=0.1)
    with pytest.raises(ValueError, match=_names_field("b1")):
        optim.get(name).hparams(lr=0.1, b1=0.9)


def test_unknown_optimizer_name_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match="nope") as excinfo:
        optim.get("nope")
    for name in optim.names():
        assert name in str(excinfo.value)


@pytest.mark.parametrize("name", optim.names())
def test_only_adafactor_accepts_lr_none(name: str) -> None:
    opt = optim.get(name)
    if name == "adafactor":
        hp = opt.hparams(lr=None)
        assert bool(hp["relative_step"])
        assert not bool(opt.hparams(lr=0.1)["relative_step"])
    else:
        with pytest.raises(ValueError, match=_names_field("lr")):
            opt.hparams(lr=None)


# --- API misuse -------------------------------------------------------------------------------


def _params() -> dict[str, jnp.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "w": jnp.asarray(rng.normal(size=(3, 4)), jnp.float32),
        "b": jnp.asarray(rng.normal(size=(5,)), jnp.float32),
    }


@pytest.mark.parametrize("name", optim.names())
def test_grads_with_another_structure_are_rejected(name: str) -> None:
    opt = optim.get(name)
    params = _params()
    state, hp = opt.init(params), opt.hparams()
    for grads in (
        {"w": params["w"]},
        {**params, "extra": params["b"]},
        [params["w"], params["b"]],
        params["w"],
    ):
        with pytest.raises(ValueError, match="grads"):
            opt.step(params, grads, state, hp)


def _other_with_different_fields(name: str) -> str:
    fields = set(optim.get(name).hparams())
    return next(o for o in optim.names() if set(optim.get(o).hparams()) != fields)


@pytest.mark.parametrize("name", optim.names())
def test_hparams_of_another_optimizer_are_rejected(name: str) -> None:
    opt = optim.get(name)
    params = _params()
    other = optim.get(_other_with_different_fields(name)).hparams()
    with pytest.raises(ValueError, match="hp"):
        opt.step(params, params, opt.init(params), other)
    incomplete = dict(opt.hparams())
    incomplete.pop("lr")
    with pytest.raises(ValueError, match="hp"):
        opt.step(params, params, opt.init(params), incomplete)
    with pytest.raises(ValueError, match="hp"):
        opt.step(params, params, opt.init(params), list(opt.hparams().values()))


def test_hparams_are_plain_values_so_optimizers_with_the_same_fields_share_them() -> None:
    """adam/adamw/nadamw/radam have the same fields: an adam dict is a valid adamw dict."""
    params = _params()
    adamw = optim.get("adamw")
    shared = optim.get("adam").hparams(lr=0.1)
    assert set(shared) == set(adamw.hparams())
    adamw.step(params, params, adamw.init(params), shared)


@pytest.mark.parametrize("name", [n for n in optim.names() if n != "sophia"])
def test_update_hessian_is_sophia_only(name: str) -> None:
    opt = optim.get(name)
    params = _params()
    with pytest.raises(ValueError, match=name):
        opt.update_hessian(opt.init(params), params, opt.hparams())


@pytest.mark.parametrize("name", optim.names())
def test_as_optax_update_needs_params(name: str) -> None:
    tx = optim.get(name).as_optax()
    params = _params()
    state = tx.init(params)
    with pytest.raises(ValueError, match="params"):
        tx.update(params, state)
    with pytest.raises(ValueError, match="params"):
        tx.update(params, state, None)


def test_init_needs_at_least_one_tensor() -> None:
    with pytest.raises(ValueError, match="params"):
        optim.get("adam").init({})


# --- non-finite gradients ---------------------------------------------------------------------
# One step from fresh state with default hyperparameters; the gradient carries
#   w (3×4, row-major): NaN at index 1, +inf at index 11;   b (5,): NaN at index 1, −inf at 3.
# A pattern shows each coordinate of the new params: N = NaN, + / − = ±inf, . = finite.

NAN_W, INF_W, NAN_B, INF_B = 1, 11, 1, 3
TOUCHED = (".N.........N", ".N.N.")
"""NaN exactly where the gradient was non-finite (inf/inf in m̂/√v̂; norms skip those entries)."""
PASSED = (".N.........-", ".N.+.")
"""NaN stays NaN, ±inf gradient becomes ∓inf param: g (or m̂, or μm + g) enters the step raw."""
BOUNDED = (".N..........", ".N...")
"""The infinite coordinate takes a finite step (a sign, or a clip); NaN stays NaN."""
WHOLE = "N" * 12
"""The matrix path mixes coordinates (matmuls, Gram matrices, eigh): the whole matrix is NaN."""

EXPECTED_PATTERNS = {
    "sgd": PASSED,
    "adam": TOUCHED,
    "adamw": TOUCHED,
    "nadamw": TOUCHED,
    "radam": PASSED,  # ρ₁ ≤ 4: the first steps are plain m̂, which is ±inf
    "qhadamw": TOUCHED,
    "lamb": TOUCHED,
    "adafactor": (WHOLE, TOUCHED[1]),  # ΣR = inf/NaN enters every V_ij
    "lion": BOUNDED,
    "soap": (WHOLE, TOUCHED[1]),
    "kron_psgd": (WHOLE, PASSED[1]),
    "muon": (WHOLE, PASSED[1]),
    "sophia": BOUNDED,
    "mars": TOUCHED,
}
COUPLED_MATRIX = {"adafactor", "soap", "kron_psgd", "muon"}


def _pattern(x: object) -> str:
    a = np.ravel(np.asarray(x))
    return "".join(
        "N" if np.isnan(v) else "+" if v == np.inf else "-" if v == -np.inf else "." for v in a
    )


def _bad_grads(params: dict) -> dict:
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 4)).astype(np.float32).ravel()
    b = rng.normal(size=(5,)).astype(np.float32)
    w[NAN_W], w[INF_W] = np.nan, np.inf
    b[NAN_B], b[INF_B] = np.nan, -np.inf
    return {"w": jnp.asarray(w.reshape(3, 4)), "b": jnp.asarray(b)}


def _zeroed(grads: dict) -> dict:
    return {k: jnp.where(jnp.isfinite(g), g, 0.0) for k, g in grads.items()}


def test_the_table_covers_every_optimizer() -> None:
    assert set(EXPECTED_PATTERNS) == set(optim.names())


@pytest.mark.parametrize("name", optim.names())
def test_non_finite_gradient_never_raises_and_keeps_shapes(name: str) -> None:
    opt = optim.get(name)
    params = _params()
    new, state = opt.step(params, _bad_grads(params), opt.init(params), opt.hparams())
    for k, p in params.items():
        assert new[k].shape == p.shape and new[k].dtype == p.dtype
    assert int(state.count) == 1


@pytest.mark.parametrize("name", optim.names())
def test_where_a_non_finite_gradient_lands(name: str) -> None:
    opt = optim.get(name)
    params = _params()
    new, _ = opt.step(params, _bad_grads(params), opt.init(params), opt.hparams())
    assert (_pattern(new["w"]), _pattern(new["b"])) == EXPECTED_PATTERNS[name]


@pytest.mark.parametrize("name", optim.names())
def test_untouched_coordinates_ignore_the_non_finite_entries(name: str) -> None:
    """Finite coordinates get exactly the step they get when the bad entries are 0: per-coordinate
    rules never look across, and the norm-based ones (LAMB's trust ratio, MARS's clip,
    Adafactor's RMS clip) skip non-finite entries as RLX's l2_norm does. λ = 0 so that LAMB's
    u at a zeroed coordinate is 0, like a skipped one. Not so on the coupled matrix paths."""
    opt = optim.get(name)
    params = _params()
    hp = opt.hparams(weight_decay=0.0)
    grads = _bad_grads(params)
    state = opt.init(params)
    new, _ = opt.step(params, grads, state, hp)
    clean, _ = opt.step(params, _zeroed(grads), state, hp)
    tensors = ["b"] if name in COUPLED_MATRIX else ["w", "b"]
    for k in tensors:
        finite = np.isfinite(np.asarray(grads[k]))
        np.testing.assert_array_equal(np.asarray(new[k])[finite], np.asarray(clean[k])[finite])


def test_lion_turns_an_infinite_gradient_into_a_finite_lr_step_for_good() -> None:
    """sign(±inf) = ±1. m becomes ±inf and keeps every later c infinite, so the coordinate keeps
    stepping by exactly lr against that first gradient's sign, whatever finite gradients follow."""
    opt = optim.get("lion")
    params = _params()
    hp = opt.hparams()
    lr = float(hp["lr"])
    grads = _bad_grads(params)
    signs = {k: float(np.sign(np.ravel(grads[k])[i])) for k, i in (("w", INF_W), ("b", INF_B))}
    state = opt.init(params)
    for _ in range(3):
        new, state = opt.step(params, grads, state, hp)
        for k, index in (("w", INF_W), ("b", INF_B)):
            assert float(np.ravel(state.tensors[k].m)[index]) == signs[k] * np.inf
            old = float(np.ravel(params[k])[index])
            assert float(np.ravel(new[k])[index]) == pytest.approx(old - lr * signs[k], abs=1e-6)
        params = new
        grads = {k: -jnp.ones_like(v) for k, v in params.items()}


def test_sophia_clip_bounds_an_infinite_momentum() -> None:
    """m = ±inf gives u = clip(±inf, ±ρ) = ±ρ: the step is lr·(±ρ + λθ), finite; also with h > 0."""
    opt = optim.get("sophia")
    params = _params()
    hp = opt.hparams()
    lr, rho, wd = (float(hp[k]) for k in ("lr", "rho", "weight_decay"))
    grads = _bad_grads(params)
    state = opt.init(params)
    for with_h in (False, True):
        if with_h:
            state = opt.update_hessian(state, {k: jnp.ones_like(v) for k, v in params.items()}, hp)
        new, state = opt.step(params, grads, state, hp)
        for k, index in (("w", INF_W), ("b", INF_B)):
            theta = float(np.ravel(params[k])[index])
            sign = np.sign(float(np.ravel(grads[k])[index]))
            assert np.isinf(float(np.ravel(state.tensors[k].m)[index]))
            assert float(np.ravel(new[k])[index]) == pytest.approx(
                theta - lr * (sign * rho + wd * theta), rel=1e-6
            )
        params = new


@pytest.mark.parametrize("name", ["adam", "adamw", "nadamw", "radam", "qhadamw", "lamb", "mars"])
def test_adam_family_moments_hold_nan_and_signed_inf(name: str) -> None:
    """m and v are not NaN at an infinite gradient: m = ±inf (its sign), v = +inf."""
    opt = optim.get(name)
    params = _params()
    _, state = opt.step(params, _bad_grads(params), opt.init(params), opt.hparams())
    assert _pattern(state.tensors["w"].m) == ".N.........+"
    assert _pattern(state.tensors["w"].v) == ".N.........+"
    assert _pattern(state.tensors["b"].m) == ".N.-."
    assert _pattern(state.tensors["b"].v) == ".N.+."


@pytest.mark.parametrize("name", [n for n in optim.names() if n not in ("lion", "sophia")])
def test_after_one_more_step_every_touched_coordinate_is_nan(name: str) -> None:
    """A ±inf param lasts one step: the next weight-decay term 0·(±inf) (L2 or decoupled, λ = 0
    included) or inf − inf makes it NaN. So from the second step on, every optimizer but Lion and
    Sophia holds NaN at every touched coordinate (and on the whole matrix for the coupled paths)."""
    opt = optim.get(name)
    params = _params()
    hp = opt.hparams()
    state = opt.init(params)
    params, state = opt.step(params, _bad_grads(params), state, hp)
    ones = {k: jnp.ones_like(v) for k, v in params.items()}
    params, _ = opt.step(params, ones, state, hp)
    w_expected = WHOLE if name in COUPLED_MATRIX else TOUCHED[0]
    assert (_pattern(params["w"]), _pattern(params["b"])) == (w_expected, TOUCHED[1])
