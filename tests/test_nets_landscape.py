"""Loss-landscape slices and projected paths, and decision boundaries, on a short race."""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

from rlx_lab import nets
from rlx_lab.formatting import format_value
from rlx_lab.nets import RaceResult, TrainSettings, boundary, datasets, landscape, mlp, race

RESOLUTION = 41


@pytest.fixture(scope="module")
def moons() -> datasets.Dataset:
    return datasets.make("two_moons", seed=0)


@pytest.fixture(scope="module")
def short_race(moons: datasets.Dataset) -> RaceResult:
    return race(moons, ["adamw", "muon", "sgd"], settings=TrainSettings(steps=100))


def _flat(params: dict) -> np.ndarray:
    return np.concatenate([np.ravel(params[k]) for k in sorted(params)]).astype(np.float64)


@pytest.fixture(scope="module")
def pca(short_race: RaceResult) -> landscape.Plane:
    centre = short_race["adamw"].final_params()
    return landscape.pca_plane(centre, [run.snapshots for run in short_race.runs])


def test_pca_directions_are_orthonormal(pca: landscape.Plane) -> None:
    d1, d2 = _flat(pca.d1), _flat(pca.d2)
    np.testing.assert_allclose([d1 @ d1, d2 @ d2, d1 @ d2], [1.0, 1.0, 0.0], atol=1e-6)
    assert 0 < pca.explained[1] <= pca.explained[0] <= 1
    assert set(pca.d1) == set(pca.center) and pca.d1["w1"].shape == (32, 32)


@pytest.mark.parametrize(
    ("frames", "rank"),
    [(8, None), (40, None), (8, 1)],
    ids=["fewer-snapshots-than-weights", "more-snapshots-than-weights", "paths-on-one-line"],
)
def test_pca_plane_is_the_svd_of_the_offsets(frames: int, rank: int | None) -> None:
    """The plane's directions and shares are the leading right-singular vectors and squared
    singular values of the offsets matrix, whichever of its sides is the smaller, and when
    the paths span a line only (the second direction is then a unit vector orthogonal to it)."""
    rng = np.random.default_rng(7)
    centre = {"b": rng.normal(size=4), "w": rng.normal(size=(3, 4))}
    centre = {k: v.astype(np.float32) for k, v in centre.items()}
    if rank == 1:
        offsets = np.outer(rng.normal(size=2 * frames), rng.normal(size=16))
    else:
        offsets = rng.normal(size=(2 * frames, 16)) * np.geomspace(3.0, 0.1, 16)
    rows = (_flat(centre) + offsets).astype(np.float32)  # columns: b (4), then w (12)
    paths = [{"b": part[:, :4], "w": part[:, 4:].reshape(-1, 3, 4)} for part in np.split(rows, 2)]
    plane = landscape.pca_plane(centre, paths)
    _, sing, vt = np.linalg.svd(rows.astype(np.float64) - _flat(centre), full_matrices=False)
    d1, d2 = _flat(plane.d1), _flat(plane.d2)
    np.testing.assert_allclose([d1 @ d1, d2 @ d2, d1 @ d2], [1.0, 1.0, 0.0], atol=1e-5)
    np.testing.assert_allclose(abs(d1 @ vt[0]), 1.0, atol=1e-5)
    if rank is None:
        np.testing.assert_allclose(abs(d2 @ vt[1]), 1.0, atol=1e-5)
    shares = sing[:2] ** 2 / np.sum(sing**2)
    np.testing.assert_allclose(plane.explained, shares, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("kind", ["pca", "random"])
def test_projection_is_zero_at_the_centre_and_exact_in_the_plane(
    pca: landscape.Plane, kind: str
) -> None:
    plane = pca if kind == "pca" else landscape.random_plane(pca.center, seed=3)
    np.testing.assert_allclose(landscape.project(plane, plane.center), [0.0, 0.0], atol=1e-6)
    point = {k: plane.center[k] + 0.3 * plane.d1[k] - 1.7 * plane.d2[k] for k in plane.center}
    np.testing.assert_allclose(landscape.project(plane, point), [0.3, -1.7], atol=1e-4)


def test_trajectories_project_frame_by_frame(short_race: RaceResult, pca: landscape.Plane) -> None:
    run = short_race["adamw"]
    coords = landscape.project(pca, run.snapshots)
    assert coords.shape == (len(run.frame_steps), 2)
    np.testing.assert_allclose(coords[-1], [0.0, 0.0], atol=1e-5)  # adamw ends at the centre
    first = landscape.project(pca, run.params_at(0))
    np.testing.assert_allclose(coords[0], first, rtol=1e-6)


def test_random_directions_are_filter_normalised(pca: landscape.Plane) -> None:
    plane = landscape.random_plane(pca.center, seed=0)
    for name, w in plane.center.items():
        d = plane.d1[name]
        if w.ndim == 2:  # each output unit's column has its weights' norm
            np.testing.assert_allclose(
                np.linalg.norm(d, axis=0), np.linalg.norm(w, axis=0), rtol=1e-5
            )
        else:
            assert np.all(d == 0.0)
    copied = landscape.random_plane(pca.center, seed=0, bias="copy")
    np.testing.assert_array_equal(copied.d2["b1"], pca.center["b1"])
    assert not np.allclose(plane.d1["w1"], plane.d2["w1"])


@pytest.mark.parametrize("kind", ["pca", "random"])
def test_slice_centre_is_the_loss_at_the_trained_point(
    short_race: RaceResult, moons: datasets.Dataset, pca: landscape.Plane, kind: str
) -> None:
    plane = pca if kind == "pca" else landscape.random_plane(pca.center, seed=1)
    coords = [landscape.project(plane, run.snapshots) for run in short_race.runs]
    alphas, betas = landscape.grid_around(coords, resolution=RESOLUTION)
    cut = landscape.loss_slice(short_race.model, plane, moons.x_train, moons.y_train, alphas, betas)
    assert cut.loss.shape == (RESOLUTION, RESOLUTION)
    middle = RESOLUTION // 2
    assert cut.alphas[middle] == 0.0 and cut.betas[middle] == 0.0
    at_centre = mlp.loss(
        short_race.model,
        {k: jnp.asarray(v) for k, v in plane.center.items()},
        moons.x_train,
        moons.y_train,
    )
    np.testing.assert_allclose(cut.loss[middle, middle], at_centre, rtol=1e-5)
    np.testing.assert_allclose(
        cut.loss[middle, middle], short_race["adamw"].train_loss[-1], rtol=1e-5
    )
    # Any other grid point: row = β, column = α.
    a, b = cut.alphas[3], cut.betas[-2]
    moved = {
        k: jnp.asarray(plane.center[k] + a * plane.d1[k] + b * plane.d2[k]) for k in plane.center
    }
    np.testing.assert_allclose(
        cut.loss[-2, 3], mlp.loss(short_race.model, moved, moons.x_train, moons.y_train), rtol=1e-4
    )
    # Every path fits inside the grid.
    for c in coords:
        assert np.all(np.abs(c[:, 0]) <= cut.alphas[-1]) and np.all(
            np.abs(c[:, 1]) <= cut.betas[-1]
        )


def test_decision_boundaries_are_probabilities_on_a_grid(
    short_race: RaceResult, moons: datasets.Dataset
) -> None:
    run = short_race["muon"]
    one = boundary.decision_boundary(short_race.model, run.final_params(), moons, resolution=30)
    assert one.probs.shape == (30, 30, 2)
    np.testing.assert_allclose(one.probs.sum(-1), 1.0, rtol=1e-5)
    every = boundary.decision_frames(short_race.model, run.snapshots, moons, resolution=20)
    assert every.probs.shape == (len(run.frame_steps), 20, 20, 2)
    again = boundary.decision_boundary(short_race.model, run.final_params(), moons, resolution=20)
    np.testing.assert_allclose(every.probs[-1], again.probs, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="2 input features"):
        boundary.decision_boundary(short_race.model, run.final_params(), datasets.make("glyphs"))


def test_the_slice_under_a_path_is_its_loss_when_the_path_lies_in_the_plane(
    short_race: RaceResult, moons: datasets.Dataset, pca: landscape.Plane
) -> None:
    coords = np.array([[0.0, 0.0], [0.4, -0.2], [-1.1, 0.7], [2.0, 1.5]])
    inside = {
        k: np.stack([pca.center[k] + a * pca.d1[k] + b * pca.d2[k] for a, b in coords])
        for k in pca.center
    }
    met = np.array(
        [
            float(
                mlp.loss(
                    short_race.model,
                    {k: jnp.asarray(v[i]) for k, v in inside.items()},
                    moons.x_train,
                    moons.y_train,
                )
            )
            for i in range(len(coords))
        ]
    )
    projected = landscape.project(pca, inside)
    np.testing.assert_allclose(projected, coords, atol=1e-4)
    on_plane = landscape.loss_at(short_race.model, pca, moons.x_train, moons.y_train, projected)
    np.testing.assert_allclose(on_plane, met, rtol=1e-4)
    fit = landscape.path_fit(on_plane, met)
    assert 1.0 <= fit.median < 1.001 and fit.worst < 1.001


def test_off_the_plane_the_slice_under_a_path_differs_from_its_loss(
    short_race: RaceResult, moons: datasets.Dataset, pca: landscape.Plane
) -> None:
    run = short_race["sgd"]
    path = landscape.project(pca, run.snapshots)
    on_plane = landscape.loss_at(short_race.model, pca, moons.x_train, moons.y_train, path)
    shown = [
        float(
            mlp.loss(
                short_race.model,
                {k: jnp.asarray(pca.center[k] + a * pca.d1[k] + b * pca.d2[k]) for k in pca.center},
                moons.x_train,
                moons.y_train,
            )
        )
        for a, b in path[[0, -1]]
    ]
    np.testing.assert_allclose(on_plane[[0, -1]], shown, rtol=1e-4)
    fit = landscape.path_fit(on_plane, run.train_loss)
    ratios = np.maximum(on_plane / run.train_loss, run.train_loss / on_plane)
    assert fit.worst == pytest.approx(ratios.max()) and fit.worst_frame == int(ratios.argmax())
    assert fit.median == pytest.approx(np.median(ratios)) and fit.worst > 1.01


def test_path_fit_takes_ratios_either_way_and_skips_bad_frames() -> None:
    fit = landscape.path_fit(np.array([1.0, 2.0, 0.25, np.nan]), np.array([1.0, 1.0, 1.0, 1.0]))
    assert fit == landscape.PathFit(2.0, 4.0, 2)
    empty = landscape.path_fit(np.array([np.inf, 0.0]), np.array([1.0, 1.0]))
    assert np.isnan(empty.median) and empty.worst_frame == -1


def _runs(short_race: RaceResult) -> dict[str, nets.NetRun]:
    return {run.optimizer: run for run in short_race.runs}


def test_a_random_race_landscape_passes_through_the_best_end_point(
    short_race: RaceResult, moons: datasets.Dataset
) -> None:
    runs = _runs(short_race)
    view = landscape.race_landscape(
        short_race.model, runs, moons.x_train, moons.y_train, kind="random", seed=4
    )
    best = min(runs, key=lambda n: float(runs[n].train_loss[-1]))
    end = runs[best].final_params()
    for name in end:
        np.testing.assert_array_equal(view.slice.plane.center[name], end[name])
    middle = RESOLUTION // 2
    assert view.slice.alphas[middle] == 0.0 and view.slice.betas[middle] == 0.0
    at_weights = float(mlp.loss(short_race.model, end, moons.x_train, moons.y_train))
    assert view.slice.loss[middle, middle] == pytest.approx(at_weights, rel=1e-5)
    np.testing.assert_allclose(view.paths[best][-1], 0.0, atol=1e-5)
    assert view.on_plane[best][-1] == pytest.approx(runs[best].train_loss[-1], rel=1e-4)
    drawn = landscape.random_plane(end, seed=4)
    for name in end:
        np.testing.assert_array_equal(view.slice.plane.d1[name], drawn.d1[name])
        np.testing.assert_array_equal(view.slice.plane.d2[name], drawn.d2[name])
    assert view.left_out == () and "end point" in view.center


def test_a_pca_race_landscape_starts_every_path_at_its_centre(
    short_race: RaceResult, moons: datasets.Dataset
) -> None:
    runs = _runs(short_race)
    view = landscape.race_landscape(short_race.model, runs, moons.x_train, moons.y_train)
    start = runs["adamw"].params_at(0)
    expected = landscape.pca_plane(start, [run.snapshots for run in runs.values()])
    for name in start:
        np.testing.assert_array_equal(view.slice.plane.d1[name], expected.d1[name])
        np.testing.assert_array_equal(view.slice.plane.d2[name], expected.d2[name])
    middle = RESOLUTION // 2
    at_start = float(mlp.loss(short_race.model, start, moons.x_train, moons.y_train))
    assert view.slice.loss[middle, middle] == pytest.approx(at_start, rel=1e-5)
    for name, run in runs.items():
        np.testing.assert_allclose(view.paths[name][0], 0.0, atol=1e-5)
        assert view.on_plane[name][0] == pytest.approx(run.train_loss[0], rel=1e-4)
        np.testing.assert_array_equal(view.met[name], run.train_loss)
        assert np.all(np.abs(view.paths[name][:, 0]) <= view.slice.alphas[-1])
        assert np.all(np.abs(view.paths[name][:, 1]) <= view.slice.betas[-1])
    assert f"{expected.explained.sum() * 100:.0f}% of the movement" in view.center
    fits = view.fits()
    worst = max(fits, key=lambda n: fits[n].worst)
    note = landscape.fit_note(view, runs["adamw"].frame_steps)
    assert f"worst ×{format_value(fits[worst].worst)}" in note
    assert (
        f"×{format_value(np.median([f.median for f in fits.values()]))} at the median frame" in note
    )


def test_a_diverged_run_is_projected_but_does_not_steer_the_plane(
    short_race: RaceResult, moons: datasets.Dataset
) -> None:
    runs = _runs(short_race)
    runs["sgd"] = dataclasses.replace(runs["sgd"], diverged_at=7)
    view = landscape.race_landscape(short_race.model, runs, moons.x_train, moons.y_train)
    healthy = [runs["adamw"].snapshots, runs["muon"].snapshots]
    expected = landscape.pca_plane(runs["adamw"].params_at(0), healthy)
    for name in expected.d1:
        np.testing.assert_array_equal(view.slice.plane.d1[name], expected.d1[name])
    assert view.left_out == ("sgd",) and set(view.met) == {"adamw", "muon"}
    np.testing.assert_allclose(
        view.paths["sgd"], landscape.project(expected, runs["sgd"].snapshots)
    )
    all_failed = {n: dataclasses.replace(r, diverged_at=1) for n, r in runs.items()}
    with pytest.raises(ValueError, match="every run diverged"):
        landscape.race_landscape(short_race.model, all_failed, moons.x_train, moons.y_train)
    with pytest.raises(ValueError, match="kind"):
        landscape.race_landscape(
            short_race.model, runs, moons.x_train, moons.y_train, kind="sideways"
        )
