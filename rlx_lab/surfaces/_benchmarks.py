"""Classic optimisation benchmarks in 2-D (Rosenbrock, Beale, Himmelblau, …).

Reference values follow the Virtual Library of Simulation Experiments (Surjanovic & Bingham,
https://www.sfu.ca/~ssurjano/optimization.html); irrational minimisers were refined with Newton's
method in float64.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._surface import Params, Surface

_TWO_PI = 2.0 * jnp.pi


def rosenbrock(xy: jax.Array, params: Params) -> jax.Array:
    """(1 - x)² + 100 (y - x²)²: a curved, flat-bottomed valley."""
    del params
    x, y = xy[0], xy[1]
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def beale(xy: jax.Array, params: Params) -> jax.Array:
    """Three squared residuals; flat plateau, steep walls, sharp corners."""
    del params
    x, y = xy[0], xy[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def himmelblau(xy: jax.Array, params: Params) -> jax.Array:
    """(x² + y - 11)² + (x + y² - 7)²: four equal minima."""
    del params
    x, y = xy[0], xy[1]
    return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2


def rastrigin(xy: jax.Array, params: Params) -> jax.Array:
    """A bowl covered with a regular lattice of local minima."""
    del params
    return 20.0 + jnp.sum(xy**2 - 10.0 * jnp.cos(_TWO_PI * xy))


def ackley(xy: jax.Array, params: Params) -> jax.Array:
    """Nearly flat outer region, many ripples, and a sharp cone at the origin.

    The radius uses a safe square root, so the gradient at the origin is 0 (a valid subgradient
    of the cone) instead of NaN.
    """
    del params
    r2 = 0.5 * jnp.sum(xy**2)
    positive = r2 > 0.0
    r = jnp.where(positive, jnp.sqrt(jnp.where(positive, r2, 1.0)), 0.0)
    ripples = 0.5 * jnp.sum(jnp.cos(_TWO_PI * xy))
    return -20.0 * jnp.exp(-0.2 * r) - jnp.exp(ripples) + jnp.e + 20.0


def goldstein_price(xy: jax.Array, params: Params) -> jax.Array:
    """A polynomial with a huge dynamic range and several local minima."""
    del params
    x, y = xy[0], xy[1]
    a = 1.0 + (x + y + 1.0) ** 2 * (
        19.0 - 14.0 * x + 3.0 * x**2 - 14.0 * y + 6.0 * x * y + 3.0 * y**2
    )
    b = 30.0 + (2.0 * x - 3.0 * y) ** 2 * (
        18.0 - 32.0 * x + 12.0 * x**2 + 48.0 * y - 36.0 * x * y + 27.0 * y**2
    )
    return a * b


def six_hump_camel(xy: jax.Array, params: Params) -> jax.Array:
    """Six local minima, two of them global, separated by saddles."""
    del params
    x, y = xy[0], xy[1]
    return (4.0 - 2.1 * x**2 + x**4 / 3.0) * x**2 + x * y + (-4.0 + 4.0 * y**2) * y**2


def styblinski_tang(xy: jax.Array, params: Params) -> jax.Array:
    """Separable quartic: per coordinate one global and one local minimum."""
    del params
    return 0.5 * jnp.sum(xy**4 - 16.0 * xy**2 + 5.0 * xy)


def booth(xy: jax.Array, params: Params) -> jax.Array:
    """A plain, moderately conditioned quadratic bowl."""
    del params
    x, y = xy[0], xy[1]
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def matyas(xy: jax.Array, params: Params) -> jax.Array:
    """A quadratic with a long, shallow diagonal valley (Hessian eigenvalues 0.04 and 1)."""
    del params
    x, y = xy[0], xy[1]
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


_STYBLINSKI_X = -2.903534027771177

BENCHMARKS: tuple[Surface, ...] = (
    Surface(
        name="rosenbrock",
        title="Rosenbrock",
        loss=rosenbrock,
        minima=((1.0, 1.0),),
        min_value=0.0,
        window=((-2.0, 2.0), (-1.0, 3.0)),
        start=(-1.5, 2.0),
        latex=r"(1 - x)^2 + 100\,(y - x^2)^2",
        description="Finding the curved valley is easy; crawling along its flat floor is not.",
    ),
    Surface(
        name="beale",
        title="Beale",
        loss=beale,
        minima=((3.0, 0.5),),
        min_value=0.0,
        window=((-4.5, 4.5), (-4.5, 4.5)),
        start=(1.0, 1.5),
        latex=r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        description="Gradients span orders of magnitude: steep walls around a flat basin.",
    ),
    Surface(
        name="himmelblau",
        title="Himmelblau",
        loss=himmelblau,
        minima=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.283185991286169),
            (3.5844283403304917, -1.8481265269644034),
        ),
        min_value=0.0,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        start=(-0.5, -1.0),
        latex=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        description="Four equal minima: which one you reach depends on the optimizer's path.",
        # The local maximum between the four basins.
        stationary=((-0.2708445906673476, -0.9230385564799816),),
    ),
    Surface(
        name="rastrigin",
        title="Rastrigin",
        loss=rastrigin,
        minima=((0.0, 0.0),),
        min_value=0.0,
        window=((-5.12, 5.12), (-5.12, 5.12)),
        start=(3.3, -2.7),
        latex=r"20 + \sum_{i} \left(x_i^2 - 10 \cos(2\pi x_i)\right)",
        description="A lattice of local minima traps small steps; momentum may hop out.",
    ),
    Surface(
        name="ackley",
        title="Ackley",
        loss=ackley,
        minima=((0.0, 0.0),),
        min_value=0.0,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        start=(-3.2, 2.7),
        latex=(r"-20\,e^{-0.2\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"),
        description="Ripples everywhere and a sharp (non-smooth) cone at the global minimum.",
        smooth_minima=False,
    ),
    Surface(
        name="goldstein_price",
        title="Goldstein–Price",
        loss=goldstein_price,
        minima=((0.0, -1.0),),
        min_value=3.0,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        start=(1.0, -1.5),
        latex=(
            r"\left[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
            r"\left[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]"
        ),
        description="Values span six orders of magnitude: a test of step-size robustness.",
    ),
    Surface(
        name="six_hump_camel",
        title="Six-hump camel",
        loss=six_hump_camel,
        minima=(
            (0.08984201310031806, -0.7126564030207396),
            (-0.08984201310031806, 0.7126564030207396),
        ),
        min_value=-1.0316284534898774,
        window=((-2.0, 2.0), (-1.2, 1.2)),
        start=(-1.5, 0.9),
        latex=r"\left(4 - 2.1x^2 + \tfrac{x^4}{3}\right) x^2 + xy + (4y^2 - 4)\, y^2",
        description="Two global minima among six humps; local minima sit at the sides.",
    ),
    Surface(
        name="styblinski_tang",
        title="Styblinski–Tang",
        loss=styblinski_tang,
        minima=((_STYBLINSKI_X, _STYBLINSKI_X),),
        min_value=-78.33233140754282,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        start=(4.0, 4.0),
        latex=r"\tfrac{1}{2} \sum_{i} \left(x_i^4 - 16 x_i^2 + 5 x_i\right)",
        description="Each axis has a shallow and a deep well; greedy descent takes the nearer.",
    ),
    Surface(
        name="booth",
        title="Booth",
        loss=booth,
        minima=((1.0, 3.0),),
        min_value=0.0,
        window=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-7.0, -8.0),
        latex=r"(x + 2y - 7)^2 + (2x + y - 5)^2",
        description="A well-behaved quadratic bowl: the baseline every optimizer should solve.",
    ),
    Surface(
        name="matyas",
        title="Matyas",
        loss=matyas,
        minima=((0.0, 0.0),),
        min_value=0.0,
        window=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-8.0, -5.0),
        latex=r"0.26\,(x^2 + y^2) - 0.48\,xy",
        description="A long diagonal valley: fast across, slow along (condition number 25).",
    ),
)
