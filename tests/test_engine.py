"""The trajectory engine against a plain Python loop, plus divergence, noise, clip, reuse."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rlx_lab import engine, optim, surfaces
from rlx_lab.engine import hessian
from rlx_lab.schedule import KINDS

ROSENBROCK = surfaces.get("rosenbrock")
STEPS = 60


def reference_loop(
    name: str,
    overrides: dict,
    surface: surfaces.Surface,
    start,
    steps: int,
    *,
    view: str = "vector",
    hessian_every: int = 10,
) -> np.ndarray:
    """Positions (steps+1, 2) from calling opt.step by hand (exact Sophia Hessian)."""
    opt = optim.get(name)
    hp = opt.hparams(**overrides)
    shape = engine.VIEWS[view]
    params = {"xy": jnp.asarray(start, jnp.float32).reshape(shape)}
    state = opt.init(params)
    sp = surface.surface_params()

    def f(theta: jax.Array) -> jax.Array:
        return surface.loss(theta.reshape(2), sp)

    grad_fn = jax.jit(jax.grad(f))
    path = [np.asarray(params["xy"]).reshape(2)]
    for i in range(steps):
        grad = grad_fn(params["xy"])
        if name == "sophia" and i % hessian_every == 0:
            state = opt.update_hessian(state, {"xy": hessian.exact_diagonal(f, params["xy"])}, hp)
        params, state = opt.step(params, {"xy": grad}, state, hp)
        path.append(np.asarray(params["xy"]).reshape(2))
    return np.stack(path)


def _overrides(name: str) -> dict:
    if name == "adafactor":
        return {}
    if name == "soap":  # RLX's first SOAP step turns rounding noise into ±1 (OPTIMIZERS.md)
        return {"lr": 0.002, "skip_first_update": True}
    return {"lr": 0.002}


# Rosenbrock's valley amplifies float32 rounding exponentially for some optimizers (Adafactor's
# relative step doubles a 1e-7 difference every step after ~40 steps), so the long comparison
# runs on a contracting surface and Rosenbrock gets a shorter one.
@pytest.mark.parametrize(
    ("surface", "steps", "view"),
    [
        ("rotated_quadratic", STEPS, "vector"),
        ("rotated_quadratic", STEPS, "row"),
        ("rosenbrock", 30, "column"),
    ],
)
@pytest.mark.parametrize("name", optim.names())
def test_run_equals_plain_loop(name: str, view: str, surface: str, steps: int) -> None:
    world = surfaces.get(surface)
    settings = engine.RunSettings(steps=steps, view=view)
    traj = engine.run(name, _overrides(name), world, [world.start], settings)
    expected = reference_loop(name, _overrides(name), world, world.start, steps, view=view)
    assert traj.positions.shape == (1, steps + 1, 2)
    np.testing.assert_allclose(traj.positions[0], expected, rtol=1e-4, atol=1e-5)
    assert traj.diverged_at[0] == -1
    sp = world.surface_params()
    loss = [float(world.loss(jnp.asarray(p), sp)) for p in traj.positions[0, [0, -1]]]
    np.testing.assert_allclose(traj.loss[0, [0, -1]], loss, rtol=1e-4, atol=1e-6)


def test_batch_of_1024_starts_equals_single_runs() -> None:
    rng = np.random.default_rng(0)
    starts = rng.uniform([-2, -1], [2, 3], size=(1024, 2)).astype(np.float32)
    settings = engine.RunSettings(steps=100)
    batch = engine.run("adam", {"lr": 0.01}, ROSENBROCK, starts, settings)
    assert batch.positions.shape == (1024, 101, 2)
    for lane in (0, 511, 1023):
        single = engine.run("adam", {"lr": 0.01}, ROSENBROCK, starts[lane], settings)
        np.testing.assert_allclose(batch.positions[lane], single.positions[0], rtol=1e-5, atol=1e-6)


def _first_escape(path: np.ndarray, surface: surfaces.Surface, escape: float) -> int:
    (x0, x1), (y0, y1) = surface.window
    center = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    bound = escape * max(x1 - x0, y1 - y0)
    losses = [float(surface.loss(jnp.asarray(p, jnp.float32), {})) for p in path]
    for step in range(1, len(path)):
        bad = not (np.all(np.isfinite(path[step])) and np.isfinite(losses[step]))
        if bad or np.any(np.abs(path[step] - center) > bound):
            return step
    return -1


def test_adam_lr_10_diverges_at_the_right_step_and_spares_the_batch() -> None:
    settings = engine.RunSettings(steps=100, escape=10.0)
    starts = np.array([[-1.5, 2.0], [0.5, 0.5]], np.float32)
    wild = engine.run("adam", {"lr": 10.0}, ROSENBROCK, starts, settings)
    for lane in range(2):
        path = reference_loop("adam", {"lr": 10.0}, ROSENBROCK, starts[lane], 100)
        step = _first_escape(path, ROSENBROCK, 10.0)
        assert step > 0
        assert wild.diverged_at[lane] == step
        # frozen at the last good point, nothing after it moves
        frozen = wild.positions[lane, step - 1 :]
        np.testing.assert_allclose(frozen, np.broadcast_to(path[step - 1], frozen.shape), rtol=1e-5)
        assert np.all(wild.step_norm[lane, step - 1 :] == 0)
    calm = engine.run("adam", {"lr": 0.01}, ROSENBROCK, starts, settings)
    assert np.all(calm.diverged_at == -1)
    assert np.all(np.isfinite(calm.positions))


def test_non_finite_loss_is_divergence() -> None:
    surface = surfaces.from_formula("log(x) + y^2", window=((0.1, 3.0), (-1.0, 1.0)))
    traj = engine.run("sgd", {"lr": 1.0}, surface, [[0.5, 0.5]], engine.RunSettings(steps=20))
    assert traj.diverged_at[0] > 0
    assert np.all(np.isfinite(traj.positions)) and np.all(np.isfinite(traj.loss))


# With the defaults (γ = 0.01, ρ = 0.04) Sophia is clipped almost everywhere and the estimate
# hardly matters; γ = ρ = 1 makes it a clipped Newton step in which every estimator shows.
NEWTONISH = {"lr": 0.5, "gamma": 1.0, "rho": 1.0, "weight_decay": 0.0}


@pytest.mark.parametrize("estimator", engine.ESTIMATORS)
def test_sophia_runs_with_every_estimator(estimator: str) -> None:
    surface = surfaces.get("rotated_quadratic")
    settings = engine.RunSettings(steps=200, hessian=estimator, hessian_every=5, probes=4)
    traj = engine.run("sophia", NEWTONISH, surface, [surface.start], settings)
    assert traj.diverged_at[0] == -1
    assert traj.final_loss()[0] < 0.5 * traj.loss[0, 0]


def test_hutchinson_is_reproducible_per_seed() -> None:
    surface = surfaces.get("rotated_quadratic")

    def final(seed: int) -> np.ndarray:
        settings = engine.RunSettings(
            steps=50, hessian="hutchinson", hessian_every=1, seed=seed, probes=1
        )
        return engine.run("sophia", NEWTONISH, surface, [surface.start], settings).positions

    np.testing.assert_array_equal(final(3), final(3))
    assert not np.allclose(final(3), final(4))


def test_exact_estimator_is_the_hessian_diagonal() -> None:
    surface = surfaces.get("rotated_quadratic")
    sp = surface.surface_params(condition=50.0, angle=0.0)

    def f(theta: jax.Array) -> jax.Array:
        return surface.loss(theta, sp)

    h = hessian.exact_diagonal(f, jnp.asarray([0.3, -0.2]))
    np.testing.assert_allclose(np.sort(np.asarray(h)), [1.0, 50.0], rtol=1e-5)
    mean = hessian.hutchinson(f, jnp.asarray([0.3, -0.2]), jax.random.PRNGKey(0), 64)
    np.testing.assert_allclose(mean, h, rtol=1e-5)  # a diagonal Hessian: every probe exact


def test_noise_is_seeded() -> None:
    def final(seed: int, noise: float) -> np.ndarray:
        settings = engine.RunSettings(steps=30, noise=noise, seed=seed)
        return engine.run("sgd", {"lr": 0.001}, ROSENBROCK, [[0.0, 0.0]], settings).positions

    np.testing.assert_array_equal(final(1, 0.5), final(1, 0.5))
    assert not np.allclose(final(1, 0.5), final(2, 0.5))
    np.testing.assert_array_equal(final(1, 0.0), final(2, 0.0))


def test_global_clip_bounds_the_gradient_and_is_recorded() -> None:
    settings = engine.RunSettings(steps=20, clip_norm=1.0)
    traj = engine.run("sgd", {"lr": 0.01}, ROSENBROCK, [[-1.5, 2.0]], settings)
    assert np.all(traj.grad_norm <= 1.0 + 1e-5)
    assert traj.global_clip[0, 0]
    assert np.all(traj.step_norm <= 0.01 + 1e-6)
    free = engine.run("sgd", {"lr": 0.001}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(20))
    assert not free.global_clip.any()


def test_the_gradient_each_step_was_given_is_recorded() -> None:
    sp = ROSENBROCK.surface_params()
    grad_at = jax.vmap(jax.grad(lambda p: ROSENBROCK.loss(p, sp)))
    plain = engine.run("adam", {}, ROSENBROCK, [[-1.5, 2.0], [0.5, -0.5]], engine.RunSettings(40))
    assert plain.grad.shape == (2, 40, 2)
    for n in range(2):  # step s was given ∇f at the point before it
        exact = np.asarray(grad_at(jnp.asarray(plain.positions[n, :-1])))
        np.testing.assert_allclose(plain.grad[n], exact, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(plain.grad_norm, np.linalg.norm(plain.grad, axis=-1), rtol=1e-6)
    for steps in (40, 50):  # inside a step bucket, and a whole one (the scan's own end)
        run = engine.run("adam", {}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(steps))
        exact = np.asarray(grad_at(jnp.asarray(run.positions[:, -1])))
        np.testing.assert_allclose(run.final_grad, exact, rtol=1e-5, atol=1e-4)
    wild = engine.run("sgd", {"lr": 0.05}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(40))
    last = wild.diverged_at[0] - 1
    assert last >= 0  # it diverged; its gradient at the last good point is the failing step's
    np.testing.assert_array_equal(wild.final_grad[0], wild.grad[0, last])
    np.testing.assert_allclose(
        wild.final_grad, grad_at(jnp.asarray(wild.positions[:, -1])), rtol=1e-5
    )
    noisy = engine.run(
        "sgd", {"lr": 1e-4}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(200, noise=3.0, seed=4)
    )
    exact = np.asarray(grad_at(jnp.asarray(noisy.positions[0, :-1])))
    deviation = noisy.grad[0] - exact
    assert abs(deviation.mean()) < 0.5 and 2.5 < deviation.std() < 3.5  # the σ = 3 noise
    clipped = engine.run(
        "sgd", {"lr": 0.01}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(20, clip_norm=1.0)
    )
    exact = np.asarray(grad_at(jnp.asarray(clipped.positions[0, :-1])))
    cosine = np.sum(clipped.grad[0] * exact, -1) / np.linalg.norm(exact, axis=-1)
    np.testing.assert_allclose(cosine, clipped.grad_norm[0], rtol=1e-5)  # same direction
    np.testing.assert_allclose(clipped.grad_norm[0], 1.0, rtol=1e-5)  # shorter


def test_step_angle_measures_how_far_a_step_turns_from_steepest_descent() -> None:
    settings = engine.RunSettings(30)
    plain = engine.run("sgd", {"lr": 1e-3}, ROSENBROCK, [[-1.5, 2.0], [0.3, 0.8]], settings)
    assert plain.step_angle().shape == (2, 30)
    np.testing.assert_allclose(plain.step_angle(), 0.0, atol=0.05)  # Δθ = −η g exactly
    adam = engine.run("adam", {}, ROSENBROCK, [[-1.5, 2.0]], settings)
    g = adam.grad[0, 0].astype(np.float64)  # Adam's first step is −η·sign(g)
    expected = np.degrees(np.arccos(np.abs(g).sum() / (np.sqrt(2) * np.linalg.norm(g))))
    assert expected > 5
    np.testing.assert_allclose(adam.step_angle()[0, 0], expected, rtol=1e-3)
    heavy = engine.run("sgd", {"lr": 1e-3, "momentum": 0.9}, ROSENBROCK, [[-1.5, 2.0]], settings)
    assert np.nanmax(heavy.step_angle()) > 90  # momentum carries a step uphill
    wild = engine.run("sgd", {"lr": 0.05}, ROSENBROCK, [[-1.5, 2.0]], settings)
    last = wild.diverged_at[0] - 1
    assert np.isnan(wild.step_angle()[0, last:]).all()  # frozen: no step to measure


@pytest.mark.parametrize(
    ("name", "overrides"), [("sgd", {"lr": 1e-3}), ("adamw", {}), ("adafactor", {})]
)
def test_a_schedule_scales_each_steps_lr(name: str, overrides: dict) -> None:
    """The engine with a schedule equals a hand loop that passes η_t/η as ``lr_scale``
    (Adafactor with its relative step: the schedule scales that too)."""
    schedule = engine.LrSchedule("cosine", warmup=5, floor=0.2)
    settings = engine.RunSettings(steps=STEPS, schedule=schedule)
    run = engine.run(name, overrides, ROSENBROCK, [[-1.5, 2.0]], settings)
    assert run.diverged_at[0] == -1
    opt = optim.get(name)
    hp = opt.hparams(**overrides)
    sp = ROSENBROCK.surface_params()
    grad_fn = jax.jit(jax.grad(lambda p: ROSENBROCK.loss(p, sp)))
    params = {"xy": jnp.asarray([-1.5, 2.0], jnp.float32)}
    state = opt.init(params)
    factors = schedule.factors(STEPS)
    for i in range(STEPS):
        params, state = opt.step(params, {"xy": grad_fn(params["xy"])}, state, hp, factors[i])
        np.testing.assert_allclose(run.positions[0, i + 1], params["xy"], rtol=1e-5, atol=1e-6)
    constant = engine.run(
        name, overrides, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(steps=STEPS)
    )
    assert not np.allclose(constant.positions, run.positions)


def test_schedule_factors_follow_the_formula() -> None:
    flat = engine.LrSchedule().factors(100)
    np.testing.assert_array_equal(flat, 1.0)  # exactly: a constant η is untouched
    warm = engine.LrSchedule("constant", warmup=10).factors(100)
    np.testing.assert_allclose(warm[:10], np.arange(1, 11) / 10, rtol=1e-6)
    np.testing.assert_array_equal(warm[10:], 1.0)
    for kind in ("cosine", "linear"):
        f = engine.LrSchedule(kind, warmup=10, floor=0.25).factors(111)
        assert f[10] == pytest.approx(1.0) and f[-1] == pytest.approx(0.25)
        assert np.all(np.diff(f[10:]) <= 1e-7), "the decay never climbs"
        middle = f[10 + 50]  # halfway through the decay
        assert middle == pytest.approx(0.625, abs=1e-6)  # both pass (1 + f) / 2
    cosine = engine.LrSchedule("cosine", floor=0.0).factors(101)
    assert cosine[25] == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)), abs=1e-6)
    assert engine.LrSchedule("cosine", warmup=4).describe() == (
        "η schedule: 4 warm-up steps, cosine decay to 0.1·η"
    )
    assert engine.LrSchedule().describe() == ""


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        (engine.LrSchedule("exponential"), "schedule.kind"),
        (engine.LrSchedule(warmup=-1), "schedule.warmup"),
        (engine.LrSchedule(warmup=2.5), "schedule.warmup"),  # type: ignore[arg-type]
        (engine.LrSchedule(floor=1.5), "schedule.floor"),
        (engine.LrSchedule(floor=float("nan")), "schedule.floor"),
        ({"kind": "cosine"}, "schedule"),
    ],
)
def test_bad_schedules_are_named(schedule: object, field: str) -> None:
    settings = engine.RunSettings(steps=10, schedule=schedule)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=re.escape(field)):
        engine.run("sgd", {}, ROSENBROCK, [[0.0, 0.0]], settings)


def test_clip_activity_is_recorded() -> None:
    sophia = engine.run(
        "sophia", {"lr": 0.01, "rho": 0.01}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(steps=50)
    )
    assert 0 < sophia.clip.mean() <= 1
    mars = engine.run("mars", {}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(steps=5))
    assert mars.clip[0, 0] == 1.0  # ‖c‖ ≫ 1 at this start
    unclipped = engine.run(
        "mars", {"clip_c": False}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(steps=5)
    )
    assert unclipped.clip.max() == 0.0
    adam = engine.run("adam", {}, ROSENBROCK, [[-1.5, 2.0]], engine.RunSettings(steps=5))
    assert adam.clip.max() == 0.0


@pytest.mark.parametrize("name", optim.names())
def test_no_recompilation_when_values_change(name: str) -> None:
    opt = optim.get(name)
    surface = surfaces.get("rotated_quadratic")
    base = engine.RunSettings(steps=40, hessian="hutchinson", probes=2)
    engine.run(name, None, surface, [[1.0, 1.0], [0.5, -1.0]], base)
    before = engine.compiled_programs()
    from rlx_lab.engine import programs

    program = programs.program(name, surface, "vector", 50, 2, 2, over_hparams=None)
    assert program._cache_size() == 1
    for i, p in enumerate(opt.spec):
        value = p.default if p.kind in ("tuple", "optional_float") else p.ui_high
        if p.kind == "bool":
            value = not p.default
        starts = [[0.1 * i, 1.0], [-0.5, 0.2 * i]]
        settings = engine.RunSettings(
            steps=30 + i % 10,
            hessian=engine.ESTIMATORS[i % 3],
            probes=2,
            noise=0.1 * i,
            seed=i,
            hessian_every=1 + i,
            clip_norm=None if i % 2 else 2.0,
            surface_params={"condition": 10.0 + i},
            schedule=engine.LrSchedule(KINDS[i % 3], warmup=3 * i, floor=min(1.0, 0.1 * i)),
        )
        engine.run(name, {p.name: value}, surface, starts, settings)
    assert engine.compiled_programs() == before
    assert program._cache_size() == 1


def test_exports_round_trip() -> None:
    traj = engine.run(
        "lion", {"lr": 0.01}, ROSENBROCK, [[-1.5, 2.0], [0, 0]], engine.RunSettings(steps=10)
    )
    text = engine.to_csv([traj])
    lines = text.strip().splitlines()
    assert lines[0].split(",")[:4] == ["optimizer", "start", "step", "x"]
    assert len(lines) == 1 + 2 * 11
    payload = json.loads(engine.to_json([traj]))
    assert payload[0]["optimizer"] == "lion"
    assert payload[0]["hparams"] == {"lr": 0.01}
    np.testing.assert_allclose(payload[0]["positions"], traj.positions, rtol=1e-6)


def test_sweep_is_one_vmapped_call_matching_single_runs() -> None:
    lrs, betas = [1e-3, 1e-2, 1e-1], [0.5, 0.9]
    result = engine.sweep(
        "adam",
        {},
        {"lr": lrs, "beta1": betas},
        ROSENBROCK,
        [-1.5, 2.0],
        engine.RunSettings(steps=100),
        tol=1.0,
    )
    assert result.final_loss.shape == (3, 2)
    for i, lr in enumerate(lrs):
        for j, b1 in enumerate(betas):
            single = engine.run(
                "adam",
                {"lr": lr, "beta1": b1},
                ROSENBROCK,
                [-1.5, 2.0],
                engine.RunSettings(steps=100),
            )
            np.testing.assert_allclose(
                result.final_loss[i, j], single.final_loss()[0], rtol=1e-4, atol=1e-6
            )
            reached = np.nonzero(single.loss[0] <= 1.0)[0]
            assert result.steps_to_tol[i, j] == (reached[0] if reached.size else -1)
    assert result.best()["lr"] in lrs


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("steps", 0),
        ("steps", 10**6),
        ("view", "diagonal"),
        ("noise", float("nan")),
        ("noise", -1.0),
        ("clip_norm", 0.0),
        ("hessian", "magic"),
        ("hessian_every", 0),
        ("probes", 0),
        ("seed", -1),
        ("escape", float("inf")),
    ],
)
def test_bad_settings_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        engine.run("adam", None, ROSENBROCK, [0.0, 0.0], engine.RunSettings(**{field: value}))


@pytest.mark.parametrize("starts", [[[np.nan, 0.0]], [[0.0, np.inf]], [1.0, 2.0, 3.0], "xy", []])
def test_bad_starts_raise(starts: object) -> None:
    with pytest.raises(ValueError, match="starts"):
        engine.run("adam", None, ROSENBROCK, starts, engine.RunSettings(steps=5))


def test_bad_hyperparameters_raise_before_running() -> None:
    with pytest.raises(ValueError, match="beta1"):
        engine.run("adam", {"beta1": 1.0}, ROSENBROCK, [0.0, 0.0])
    with pytest.raises(ValueError, match="optimizer"):
        engine.run("adamax", None, ROSENBROCK, [0.0, 0.0])


def test_persistent_cache_is_written(tmp_path) -> None:
    code = (
        "from rlx_lab import engine, surfaces;"
        "engine.enable_compilation_cache();"
        "s = surfaces.get('booth');"
        "engine.run('sgd', None, s, [s.start], engine.RunSettings(steps=5))"
    )
    env = {
        "RLX_LAB_CACHE_DIR": str(tmp_path / "cache"),
        "JAX_PLATFORMS": "cpu",
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
    assert any((tmp_path / "cache").iterdir())


def test_race_equals_separate_runs_and_validates_first() -> None:
    entries = [("adam", {"lr": 0.01}), ("lion", None), ("sophia", {"rho": 0.1})]
    settings = engine.RunSettings(steps=40)
    raced = engine.race(entries, ROSENBROCK, [[-1.5, 2.0]], settings)
    for (name, hp), traj in zip(entries, raced, strict=True):
        alone = engine.run(name, hp, ROSENBROCK, [[-1.5, 2.0]], settings)
        assert traj.optimizer == name
        np.testing.assert_array_equal(traj.positions, alone.positions)
    with pytest.raises(ValueError, match="lr"):
        engine.race([("adam", None), ("lion", {"lr": -1.0})], ROSENBROCK, [0.0, 0.0])


def test_sweep_over_adafactor_lr_leaves_the_relative_step() -> None:
    result = engine.sweep(
        "adafactor",
        {"lr": None},
        {"lr": [1e-3, 1e-1], "clip_threshold": [1.0]},
        ROSENBROCK,
        [-1.5, 2.0],
        engine.RunSettings(steps=50),
    )
    for i, lr in enumerate([1e-3, 1e-1]):
        single = engine.run(
            "adafactor", {"lr": lr}, ROSENBROCK, [-1.5, 2.0], engine.RunSettings(steps=50)
        )
        np.testing.assert_allclose(result.final_loss[i, 0], single.final_loss()[0], rtol=1e-4)


def test_sweep_batches_only_the_swept_fields() -> None:
    engine.sweep(
        "soap",
        {},
        {"lr": [1e-3, 1e-2], "beta1": [0.9, 0.95]},
        ROSENBROCK,
        [-1.5, 2.0],
        engine.RunSettings(steps=20),
    )
    from rlx_lab.engine import programs

    program = programs.program("soap", ROSENBROCK, "vector", 50, 1, 1, over_hparams=("beta1", "lr"))
    assert program._cache_size() == 1


def test_tune_lr_picks_the_lowest_final_loss_of_single_runs() -> None:
    lrs = [1e-3, 1e-2, 0.05, 0.5]
    settings = engine.RunSettings(steps=100)
    scan = engine.tune_lr("sgd", {"momentum": 0.5}, ROSENBROCK, [-1.5, 2.0], settings, lrs=lrs)
    finals, diverged = [], []
    for lr in lrs:
        single = engine.run("sgd", {"lr": lr, "momentum": 0.5}, ROSENBROCK, [-1.5, 2.0], settings)
        finals.append(single.final_loss()[0])
        diverged.append(single.diverged_at[0])
    np.testing.assert_allclose(scan.final_loss, finals, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(scan.diverged_at, diverged)
    assert max(diverged) > 0 and min(diverged) == -1  # the row holds both kinds
    ok = [f if d < 0 else np.inf for f, d in zip(finals, diverged, strict=True)]
    assert scan.best() == lrs[int(np.argmin(ok))]
    best = engine.run(
        "sgd", {"lr": scan.best(), "momentum": 0.5}, ROSENBROCK, [-1.5, 2.0], settings
    )
    run = scan.best_run  # the same run, out of the scan's own call
    assert run is not None and run.hparams == {"momentum": 0.5, "lr": scan.best()}
    np.testing.assert_allclose(run.positions, best.positions, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(run.grad, best.grad, rtol=1e-4, atol=1e-5)


def test_run_grid_lanes_are_single_runs_of_base_updated_by_each_row() -> None:
    rows = [{"lr": 0.01}, {"lr": 0.002, "nesterov": True}, {"momentum": 0.0}]
    settings = engine.RunSettings(steps=60, view="row")
    grid = engine.run_grid("sgd", {"momentum": 0.8}, rows, ROSENBROCK, [[-1.0, 1.5]], settings)
    assert grid.losses.shape == (3, 61) and grid.recorded()["start"] == [-1.0, 1.5]
    for k, row in enumerate(rows):
        single = engine.run("sgd", {"momentum": 0.8, **row}, ROSENBROCK, [-1.0, 1.5], settings)
        lane = grid.trajectory(k)
        assert lane.hparams == {"momentum": 0.8, **row}
        np.testing.assert_allclose(grid.losses[k], single.loss[0], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(lane.positions, single.positions, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="at least one setting"):
        engine.run_grid("sgd", None, [], ROSENBROCK, [0.0, 0.0])
    with pytest.raises(ValueError, match="momentum"):
        engine.run_grid("sgd", None, [{"momentum": 1.5}], ROSENBROCK, [0.0, 0.0])


def test_with_noise_a_grid_setting_is_the_mean_of_the_race_draws_and_diverged_if_any() -> None:
    settings = engine.RunSettings(steps=80, noise=30.0, seed=4)
    rows = [{"lr": 1e-3}, {"lr": 0.02}]
    grid = engine.run_grid("sgd", None, rows, ROSENBROCK, [-1.5, 2.0], settings, draws=4)
    for k, row in enumerate(rows):
        race = engine.run("sgd", row, ROSENBROCK, [[-1.5, 2.0]] * 4, settings)  # 4 noise lanes
        assert len({round(float(f), 3) for f in race.final_loss()}) > 1  # the draws differ
        np.testing.assert_allclose(grid.losses[k], race.loss.mean(axis=0), rtol=1e-4)
        diverged = race.diverged_at[race.diverged_at >= 0]
        assert grid.diverged[k] == (diverged.min() if diverged.size else -1)
        np.testing.assert_allclose(
            grid.trajectory(k).positions, race.positions, rtol=1e-4, atol=1e-5
        )
    assert grid.recorded()["draws"] == 4
    # a single η: no field varies (this used to fail inside vmap)
    scan = engine.tune_lr("sgd", None, ROSENBROCK, [-1.5, 2.0], settings, lrs=[1e-3], draws=4)
    np.testing.assert_allclose(scan.final_loss, grid.losses[:1, -1], rtol=1e-5)
    for bad in (0, 65, 2.0, True):
        with pytest.raises(ValueError, match="draws"):
            engine.run_grid("sgd", None, rows, ROSENBROCK, [0.0, 0.0], draws=bad)
    with pytest.raises(ValueError, match="every_start"):
        engine.run_grid("sgd", None, rows, ROSENBROCK, [0.0, 0.0], every_start=True, draws=2)
    with pytest.raises(ValueError, match="no hyperparameter 'beta9'"):
        engine.run_grid("sgd", None, rows, ROSENBROCK, [0.0, 0.0], batch=["lr", "beta9"])


def test_tune_lr_says_none_when_every_run_diverges_and_rejects_bad_rows() -> None:
    scan = engine.tune_lr(
        "sgd", None, ROSENBROCK, [-1.5, 2.0], engine.RunSettings(steps=20), lrs=[1.0, 10.0]
    )
    assert (scan.diverged_at > 0).all() and scan.best() is None and scan.best_run is None
    with pytest.raises(ValueError, match="lrs"):
        engine.tune_lr("sgd", None, ROSENBROCK, [0.0, 0.0], lrs=[])
    with pytest.raises(ValueError, match="lr"):
        engine.tune_lr("sgd", None, ROSENBROCK, [0.0, 0.0], lrs=[1e-3, -1.0])


def test_tune_lr_reuses_its_program_for_other_settings() -> None:
    settings = engine.RunSettings(steps=50)
    engine.tune_lr("lion", None, ROSENBROCK, [-1.5, 2.0], settings, lrs=[1e-3, 1e-2])
    before = engine.compiled_programs()
    engine.tune_lr("lion", {"beta1": 0.8}, ROSENBROCK, [1.0, -1.0], settings, lrs=[1e-4, 1e-1])
    assert engine.compiled_programs() == before
