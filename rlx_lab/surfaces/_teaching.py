"""Surfaces built to teach one idea each: saddles, ill-conditioning, plateaus."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._surface import Params, Surface, SurfaceParam


def saddle(xy: jax.Array, params: Params) -> jax.Array:
    """x² - y²: a non-degenerate saddle at the origin; unbounded below."""
    del params
    return xy[0] ** 2 - xy[1] ** 2


def monkey_saddle(xy: jax.Array, params: Params) -> jax.Array:
    """x³ - 3xy²: a degenerate saddle (zero Hessian) with three downhill valleys."""
    del params
    x, y = xy[0], xy[1]
    return x**3 - 3.0 * x * y**2


def rotated_quadratic(xy: jax.Array, params: Params) -> jax.Array:
    """½ (u² + κ v²) in coordinates rotated by ``angle`` degrees.

    ``u`` runs along the shallow axis (Hessian eigenvalue 1), at ``angle`` degrees from the x
    axis; ``v`` along the steep axis (eigenvalue ``condition`` = κ), perpendicular to it.
    """
    kappa = jnp.asarray(params["condition"], dtype=xy.dtype)
    theta = jnp.deg2rad(jnp.asarray(params["angle"], dtype=xy.dtype))
    c, s = jnp.cos(theta), jnp.sin(theta)
    u = c * xy[0] + s * xy[1]
    v = -s * xy[0] + c * xy[1]
    return 0.5 * (u**2 + kappa * v**2)


def plateau(xy: jax.Array, params: Params) -> jax.Array:
    """1 - exp(-r² / 2w²): a Gaussian well in a vast, almost flat plateau."""
    width = jnp.asarray(params["width"], dtype=xy.dtype)
    return 1.0 - jnp.exp(-jnp.sum(xy**2) / (2.0 * width**2))


TEACHING: tuple[Surface, ...] = (
    Surface(
        name="saddle",
        title="Saddle",
        loss=saddle,
        minima=(),
        min_value=None,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-1.8, 0.01),
        latex=r"x^2 - y^2",
        description="Started almost on the ridge, gradient descent stalls before it escapes.",
        stationary=((0.0, 0.0),),
    ),
    Surface(
        name="monkey_saddle",
        title="Monkey saddle",
        loss=monkey_saddle,
        minima=(),
        min_value=None,
        window=((-1.5, 1.5), (-1.5, 1.5)),
        start=(1.2, 0.05),
        latex=r"x^3 - 3xy^2",
        description="A flat, degenerate saddle: the gradient vanishes quadratically near it.",
        stationary=((0.0, 0.0),),
    ),
    Surface(
        name="rotated_quadratic",
        title="Rotated ill-conditioned quadratic",
        loss=rotated_quadratic,
        minima=((0.0, 0.0),),
        min_value=0.0,
        window=((-3.0, 3.0), (-3.0, 3.0)),
        start=(-2.5, 2.0),
        latex=(
            r"\tfrac{1}{2}\left(u^2 + \kappa v^2\right),\quad"
            r" \begin{pmatrix} u \\ v \end{pmatrix} ="
            r" \begin{pmatrix} \cos\theta & \sin\theta \\ -\sin\theta & \cos\theta \end{pmatrix}"
            r" \begin{pmatrix} x \\ y \end{pmatrix}"
        ),
        description="Off-axis ill-conditioning: zig-zags, and why per-axis scaling falls short.",
        params={"condition": 10.0, "angle": 30.0},
        param_info={
            "condition": SurfaceParam(
                1.0, 1e6, "Ratio of the Hessian's eigenvalues", r"\kappa", log_scale=True
            ),
            "angle": SurfaceParam(
                -180.0, 180.0, "Rotation of the shallow axis (degrees)", r"\theta"
            ),
        },
    ),
    Surface(
        name="plateau",
        title="Plateau",
        loss=plateau,
        minima=((0.0, 0.0),),
        min_value=0.0,
        window=((-4.0, 4.0), (-4.0, 4.0)),
        start=(2.5, 2.0),
        latex=r"1 - \exp\left(-\frac{x^2 + y^2}{2w^2}\right)",
        description="Tiny gradients far from the well: plain steps crawl, normalised steps don't.",
        params={"width": 1.0},
        param_info={"width": SurfaceParam(0.1, 5.0, "Width of the well", "w", log_scale=True)},
    ),
)
