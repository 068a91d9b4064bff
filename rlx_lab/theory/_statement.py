r"""The local quadratic model in words: what theory says about SGD near a point, in Markdown.

:func:`statement` states the curvatures λ₁ ≤ λ₂ at the model's point (with κ = λ₂/λ₁ at a
minimum), gradient descent's stability limit η < 2/λ₂ and best step η = 2/(λ₁+λ₂), heavy-ball
momentum's best (η, μ) (Polyak), and, for a given SGD setting, each direction's regime and
factor ρ per step (:func:`~._quadratic.factor`, :func:`~._quadratic.regime`) with the verdict
they imply. Every number comes from :mod:`._quadratic`; this module only words them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..formatting import format_value
from ._quadratic import (
    LocalModel,
    Tuned,
    best_gd,
    best_heavy_ball,
    factor,
    is_flat,
    regime,
    stable_lr,
    steps_per_decade,
)

ERROR = {
    "converges": "the error shrinks",
    "oscillates": "the error shrinks, oscillating,",
    "neutral": "the error neither shrinks nor grows,",
    "grows": "the error grows",
}
"""Each :data:`~._quadratic.Regime` as the start of a sentence about the error."""


class Statement(NamedTuple):
    """What :func:`statement` says, and the setting it recommends."""

    text: str
    """Markdown: a bold opening sentence, then one bullet per claim."""
    best: Tuned | None
    """Polyak's best heavy-ball (η, μ) at a minimum with two positive curvatures, else None."""


def statement(
    local: LocalModel,
    at_start: LocalModel | None = None,
    *,
    title: str,
    sgd: Mapping[str, Any] | None = None,
    scheduled: bool = False,
) -> Statement:
    """Theory's statement about the loss ``title`` near ``local``'s point.

    ``at_start``: the curvature at the start, when ``local`` is a minimum elsewhere (flagged
    when it is steeper: an η tuned for the minimum may diverge on the way). ``sgd``: a setting
    (``lr``, ``momentum``, ``nesterov``, optional ``weight_decay``) to judge, if any.
    ``scheduled``: that setting's η follows a schedule (its factors are for the peak η).
    """
    lines = [_opening(local, title)]
    tuned, best = _tuned_lines(local)
    lines += tuned
    steeper = (
        at_start if at_start is not None and at_start.curvatures[1] > local.curvatures[1] else None
    )
    if steeper is not None:
        lines.append(_steeper_start(steeper))
    if sgd is not None and not is_flat(local):  # a vanishing Hessian says nothing of a setting
        lines.append(_your_sgd(local, sgd, steeper))
        if scheduled:
            lines.append(
                "- The race runs an η schedule: these factors are for η itself, the "
                "schedule's peak (η_t is smaller while it warms up and as it decays)."
            )
    return Statement("\n".join(lines), best)


def _n(value: float, digits: int = 3) -> str:
    return format_value(float(value), digits)


def _point(point: tuple[float, float]) -> str:
    return f"({_n(point[0])}, {_n(point[1])})"


def _times(rho: float) -> str:
    return f"×{format_value(rho, 4)} per step"


def _pace(rho: float) -> str:
    steps = steps_per_decade(rho)
    unit = "step" if round(steps) == 1 else "steps"
    return f"{_times(rho)} ({steps:,.0f} {unit} per tenfold)"


def _setting(lr: float, momentum: float, nesterov: bool) -> str:
    return f"η = {_n(lr)}, μ = {_n(momentum)}" + (", Nesterov" if nesterov else "")


def _opening(model: LocalModel, title: str) -> str:
    low, high = model.curvatures
    curv = f"curvatures λ₁ = {_n(low, 4)} and λ₂ = {_n(high, 4)}"
    if model.where == "minimum":
        shape = f" (condition number κ = {_n(model.condition, 4)})" if low > 0 else ""
        found = " (found by Newton's method from the start)" if model.searched else ""
        return (
            f"**Near the minimum {_point(model.point)}**{found} of {title} the loss has "
            f"{curv}{shape}."
        )
    if model.where == "stationary point":
        if is_flat(model):
            return (
                f"**At the stationary point {_point(model.point)}** the Hessian vanishes: the "
                "quadratic model is empty there and higher-order terms decide what SGD does."
            )
        kind = "a saddle" if low < 0 < high else "a stationary point"
        return f"**At the stationary point {_point(model.point)}** ({kind}) the loss has {curv}."
    return (
        f"**At the start {_point(model.point)}** the loss has {curv}. No minimum of this surface "
        "is known, so this describes the first steps, not where the race ends."
    )


def _tuned_lines(model: LocalModel) -> tuple[list[str], Tuned | None]:
    low, high = model.curvatures
    if model.where != "minimum" or low <= 0:
        return [], None
    gd, ball = best_gd(low, high), best_heavy_ball(low, high)
    return [
        f"- **Gradient descent** is stable only for η < 2/λ₂ = {_n(stable_lr(high), 4)}. "
        f"Its best step, η = 2/(λ₁+λ₂) = {_n(gd.lr, 4)}, shrinks the error {_pace(gd.factor)}.",
        f"- **Heavy-ball momentum** at its best, {_setting(ball.lr, ball.momentum, False)}, "
        f"shrinks it {_pace(ball.factor)}: its pace depends on √κ, not κ.",
    ], ball


def _steeper_start(at_start: LocalModel) -> str:
    low, high = at_start.curvatures
    return (
        f"- **At the start {_point(at_start.point)}** the curvatures are {_n(low, 4)} and "
        f"{_n(high, 4)}: steeper than at the minimum, so an η tuned for the minimum may "
        "diverge on the way there."
    )


def _your_sgd(model: LocalModel, values: Mapping[str, Any], at_start: LocalModel | None) -> str:
    lr, mu, nesterov = float(values["lr"]), float(values["momentum"]), bool(values["nesterov"])
    setting = _setting(lr, mu, nesterov)
    parts = []
    for name, lam in zip(("λ₁", "λ₂"), model.curvatures, strict=True):
        error = ERROR[regime(lr, mu, nesterov, lam)]
        parts.append(f"along {name} {error} {_times(factor(lr, mu, nesterov, lam))}")
    slowest = max(factor(lr, mu, nesterov, lam) for lam in model.curvatures)
    low, high = model.curvatures
    limit = stable_lr(high, mu, nesterov) if high > 0 else 0.0
    if slowest < 1:
        verdict = (
            f"it settles {_pace(slowest)}"
            if model.where == "minimum"
            else "stable at this curvature"
        )
    elif model.where == "stationary point" and low < 0:
        verdict = "it escapes the saddle"
    elif high > 0 and lr >= limit:
        verdict = f"η is too large for this curvature: stable for η < {_n(limit)}"
    else:
        verdict = "it does not settle here"
    if at_start is not None and slowest < 1:
        start_limit = stable_lr(at_start.curvatures[1], mu, nesterov)
        if lr >= start_limit:
            verdict += (
                f"; but at the start it is stable only for η < {_n(start_limit)}, "
                "so it may diverge before it gets there"
            )
    decay = float(values.get("weight_decay", 0.0))
    caveat = f" (ignoring its weight decay {_n(decay)})" if decay else ""
    return f"- **Your SGD** ({setting}){caveat}: {'; '.join(parts)} — {verdict}."
