"""Widgets generated from metadata: a slider per hyperparameter, on its own scale.

A ``log`` slider moves through ``log10(value)`` and a ``log1m`` slider through
``−log10(1 − β)`` (so 0.9, 0.99, 0.999 are evenly spaced), while the label shows the value
itself — as stored, to :data:`~rlx_lab_app.state.scales.SLIDER_DIGITS` significant digits.
Sliders report on release (``value_throttled``), so a drag costs one recompute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import panel as pn
import param
from bokeh.models import CustomJSTickFormatter

from rlx_lab.optim import HParam
from rlx_lab_app.state.scales import (
    SLIDER_DIGITS,
    from_position,
    slider_track,
    to_position,
    unicode_symbol,
)
from rlx_lab_app.views import js


class FloatSlider(pn.widgets.FloatSlider):
    """A float slider whose release reaches the server at once.

    Panel batches incoming widget changes for 50 ms before applying them; a slider that
    reports only on release gains nothing from that wait, so its changes skip it.
    """

    _priority_changes: ClassVar[list[str]] = ["value", "value_throttled"]


class IntSlider(pn.widgets.IntSlider):
    """An integer slider whose release reaches the server at once (see :class:`FloatSlider`)."""

    _priority_changes: ClassVar[list[str]] = ["value", "value_throttled"]


TAG_NOTES = {"clip": " · clip", "inert": " · no effect in the lab", "paper": " · paper"}


def scaled_slider(
    value: float,
    scale: str,
    start: float,
    end: float,
    label: str,
    on_change: Callable[[float], None],
    **kwargs: Any,
) -> FloatSlider:
    """A slider over ``value`` on ``scale`` that calls ``on_change(new value)`` on release."""
    low, high, step = slider_track(start, end, scale)
    fmt = CustomJSTickFormatter(
        code=js.SLIDER_LABEL, args={"scale": scale, "digits": SLIDER_DIGITS}
    )  # the label shows the value as stored (from_position)
    slider = FloatSlider(
        label=label,
        start=low,
        end=high,
        step=step,
        format=fmt,
        value=min(max(to_position(value, scale), low), high),
        **kwargs,
    )

    def released(event: param.parameterized.Event) -> None:
        on_change(from_position(event.new, scale))

    slider.param.watch(released, "value_throttled")
    return slider


def param_slider(
    obj: param.Parameterized, name: str, scale: str, label: str, **kwargs: Any
) -> pn.widgets.FloatSlider:
    """A :func:`scaled_slider` linked both ways to ``obj.param[name]`` (bounds: soft bounds)."""
    parameter = obj.param[name]
    start, end = parameter.get_soft_bounds()
    slider = scaled_slider(
        getattr(obj, name), scale, start, end, label, lambda v: _set(obj, name, v), **kwargs
    )

    def follow(event: param.parameterized.Event) -> None:
        position = min(max(to_position(event.new, scale), slider.start), slider.end)
        if abs(position - slider.value) > 1e-9:
            slider.value = position

    obj.param.watch(follow, name)
    return slider


def _set(obj: param.Parameterized, name: str, value: float) -> None:
    parameter = obj.param[name]
    low, high = parameter.bounds or (None, None)
    low_in, high_in = parameter.inclusive_bounds
    if low is not None and (value < low or (value == low and not low_in)):
        value = low if low_in else getattr(obj, name)
    if high is not None and (value > high or (value == high and not high_in)):
        value = high if high_in else getattr(obj, name)
    if value != getattr(obj, name):
        setattr(obj, name, value)


def hparam_label(hp: HParam) -> str:
    """``β₁ beta1`` plus a note for clip / paper / inert fields."""
    symbol = unicode_symbol(hp.symbol)
    head = hp.name if symbol in (hp.name, "") else f"{symbol}  {hp.name}"
    return head + TAG_NOTES.get(hp.tag, "")


def switch(obj: param.Parameterized, name: str, label: str, **kwargs: Any) -> pn.widgets.Switch:
    """A switch for a boolean parameter, labelled ``label``."""
    return pn.widgets.Switch.from_param(obj.param[name], label=label, **kwargs)


def hparam_widget(
    settings: param.Parameterized,
    hp: HParam,
    css: str,
    on_slider: Callable[[FloatSlider, HParam], None] | None = None,
) -> pn.viewable.Viewable:
    """The control for one hyperparameter, chosen from its kind, scale and tag;
    ``on_slider(slider, hp)`` is told of each float slider built (to scrub it)."""
    label = hparam_label(hp)
    classes = [f"{css}-{hp.name}"]
    if hp.kind == "bool":
        return switch(settings, hp.name, label, css_classes=classes)
    if hp.kind == "tuple":
        return pn.widgets.LiteralInput.from_param(
            settings.param[hp.name], label=label, css_classes=classes
        )
    if hp.kind == "int":
        return IntSlider.from_param(
            settings.param[hp.name],
            label=label,
            throttled=True,
            css_classes=classes,
            disabled=hp.tag == "inert",
        )
    slider = param_slider(settings, hp.name, hp.scale, label, css_classes=classes)
    if on_slider is not None:
        on_slider(slider, hp)
    if hp.kind != "optional_float":
        return slider
    flag = hp.none_flag
    slider.disabled = getattr(settings, flag)
    settings.param.watch(lambda e: setattr(slider, "disabled", e.new), flag)
    return pn.Column(
        switch(
            settings,
            flag,
            f"{flag.replace('_', ' ')} ({hp.name}=None)",
            css_classes=[f"{css}-{flag}"],
        ),
        slider,
        margin=0,
    )


ESTIMATOR_LABELS = {"exact": "exact", "hutchinson": "Hutchinson", "gauss_newton": "Gauss–Newton"}
"""Button labels of Sophia's Hessian estimators."""


def sophia_controls(model: param.Parameterized) -> list[pn.viewable.Viewable]:
    """Sophia's curvature run settings of a lab model (``hessian`` — the estimators it offers —
    ``hessian_every`` and ``probes``), for the extra part of Sophia's card."""
    m = model.param
    return [
        pn.pane.Markdown("**Curvature estimate** (run setting)", margin=(6, 8, 0, 8)),
        pn.widgets.RadioButtonGroup.from_param(
            m.hessian,
            color="light",
            options={ESTIMATOR_LABELS[k]: k for k in m.hessian.objects},
        ),
        IntSlider.from_param(
            m.hessian_every, throttled=True, label="k: a fresh estimate every k steps"
        ),
        IntSlider.from_param(m.probes, throttled=True, label="Hutchinson probes"),
    ]


class ScheduleControls(pn.viewable.Viewer):
    """The η schedule of a lab model (``schedule``, ``warmup``, ``floor``): the kind, the
    warm-up and — for a decay — its final fraction, with the schedule in words."""

    model = param.ClassSelector(class_=param.Parameterized)

    def __init__(self, model: param.Parameterized, **params: Any) -> None:
        super().__init__(model=model, **params)
        m = model.param
        self.kind = pn.widgets.RadioButtonGroup.from_param(
            m.schedule, color="light", css_classes=["schedule-kind"]
        )
        self.warmup = IntSlider.from_param(
            m.warmup, throttled=True, step=5, label="warm-up steps", css_classes=["schedule-warmup"]
        )
        self.floor = FloatSlider.from_param(
            m.floor, throttled=True, step=0.05, label="final fraction of η"
        )
        self.summary = pn.pane.Markdown(
            "", styles={"color": "#555", "font-size": "0.9em"}, margin=(0, 10)
        )
        model.param.watch(self._show, ["schedule", "warmup", "floor"])
        self._show()

    def _show(self, *events: Any) -> None:
        schedule = self.model.lr_schedule()
        self.floor.visible = schedule.kind != "constant"
        self.summary.object = schedule.describe() or "η is the same at every step."

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.pane.Markdown("η schedule (every optimizer)", margin=(0, 10)),
            self.kind,
            self.warmup,
            self.floor,
            self.summary,
            margin=0,
        )
