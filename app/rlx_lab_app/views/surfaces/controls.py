"""The race's shared controls: surface (or formula), optimizers, run settings, display.

Widgets come from the model's parameters (``from_param``), so bounds and docs live in one
place; sliders report on release. The formula box shows parser errors inline, with a caret
under the offending character.
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param

from rlx_lab import surfaces
from rlx_lab_app.state import CUSTOM, RaceModel
from rlx_lab_app.state.scales import to_position
from rlx_lab_app.state.surfaces.surface_source import surface_names
from rlx_lab_app.views.optimizer_choice import optimizer_choice
from rlx_lab_app.views.widgets import (
    FloatSlider,
    IntSlider,
    ScheduleControls,
    param_slider,
    scaled_slider,
    switch,
)

VIEW_LABELS = {"(2,) vector": "vector", "(1,2) row": "row", "(2,1) column": "column"}


def surface_options() -> dict[str, str]:
    """Picker labels → surface names."""
    titles = {name: surfaces.get(name).title for name in surfaces.names()}
    return {**{titles[n]: n for n in surface_names() if n != CUSTOM}, "Custom formula…": CUSTOM}


class Controls(pn.viewable.Viewer):
    """Surface picker and formula box, optimizer choice, steps, view, noise, clip, starts."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(self, model: RaceModel, **params: Any) -> None:
        super().__init__(model=model, **params)
        m = model.param
        self.surface = pn.widgets.Select.from_param(
            m.surface, options=surface_options(), label="Surface", css_classes=["surface-choice"]
        )
        self.formula = pn.widgets.TextInput.from_param(
            m.formula,
            label="f(x, y) =",
            css_classes=["formula-input"],
            placeholder="e.g. (1 - x)**2 + 100*(y - x^2)**2",
            description=(
                "+ − * / ** ^, sin cos tan exp log sqrt abs tanh sinh cosh arctan, min max, "
                "pi, e; press Enter to apply"
            ),
        )
        self.window = pn.widgets.LiteralInput.from_param(m.window, label="window (x0, x1, y0, y1)")
        self.error = pn.pane.HTML(
            "", css_classes=["formula-error"], visible=False, styles={"color": "#b00020"}
        )
        self.latex = pn.pane.LaTeX("", styles={"font-size": "1.1em"}, margin=(0, 10))
        self.description = pn.pane.HTML(
            "", styles={"color": "#555", "font-size": "0.9em"}, margin=(0, 10)
        )
        self.surface_params = pn.Column(margin=0)
        self.optimizers = optimizer_choice(
            model, "Optimizers (all start together, same steps)", css_classes=["optimizer-choice"]
        )
        self.steps = IntSlider.from_param(
            m.steps, throttled=True, step=10, label="Steps", css_classes=["race-steps"]
        )
        self.view = pn.widgets.RadioButtonGroup.from_param(
            m.view, options=VIEW_LABELS, color="light"
        )
        self.noise = FloatSlider.from_param(
            m.noise, throttled=True, step=0.05, label="Gradient noise σ"
        )
        self.seed = pn.widgets.IntInput.from_param(m.seed, label="Noise seed", width=100)
        self.repeats = IntSlider.from_param(
            m.repeats,
            throttled=True,
            label="Runs each (noise draws)",
            width=170,
            css_classes=["noise-repeats"],
        )
        self.schedule = ScheduleControls(model)
        self.clip = pn.Column(
            switch(model, "clip_on", "Global gradient clip"),
            param_slider(model, "clip_norm", "log", "max norm"),
            margin=0,
        )
        self.starts = pn.Row(
            switch(model, "many_starts", "Many starts"),
            IntSlider.from_param(m.grid_size, label="grid n×n", throttled=True, width=120),
            margin=0,
        )
        self.display = pn.Column(
            switch(model, "log_color", "Log colour scale", css_classes=["log-color"]),
            switch(model, "ghosts_on", "Ghosts of the previous setting"),
            switch(model, "arrows", "Arrows: −gradient (dashed) and step, at the playhead"),
            switch(model, "lecture", "Lecture mode: larger race (a link opens it folded)"),
            margin=0,
        )
        self._custom = pn.Column(self.formula, self.error, self.window, margin=0)
        self._params_for: object = None
        self._param_sliders: dict[str, Any] = {}
        self._show_surface()
        self._show_error()
        self._show_repeats()

    @param.depends("model.noise", watch=True)
    def _show_repeats(self) -> None:
        """Noise draws mean something only with noise."""
        self.repeats.disabled = self.model.noise == 0

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.surface,
            self._custom,
            self.latex,
            self.description,
            self.surface_params,
            self.optimizers,
            pn.pane.Markdown("**Run**", margin=(8, 10, 0, 10)),
            self.steps,
            pn.pane.Markdown("Parameter shape", margin=(0, 10)),
            self.view,
            self.noise,
            pn.Row(self.seed, self.repeats, margin=0),
            self.schedule,
            self.clip,
            self.starts,
            pn.pane.Markdown("**Display**", margin=(8, 10, 0, 10)),
            self.display,
            pn.pane.Markdown(
                "Tap the surface to move the start point.", styles={"color": "#555"}, margin=(4, 10)
            ),
            sizing_mode="stretch_width",
            margin=0,
        )

    @param.depends(
        "model.surface", "model.formula", "model.window", "model.surface_params", watch=True
    )
    def _show_surface(self) -> None:
        surface = self.model.current_surface
        self._custom.visible = self.model.surface == CUSTOM
        self.latex.object = f"${surface.latex}$"
        self.description.object = html.escape(surface.description)
        if surface is not self._params_for:  # one slider per surface parameter
            self._params_for = surface
            self._param_sliders = {
                name: scaled_slider(
                    self.model.surface_params.get(name, surface.params[name]),
                    "log" if info.log_scale else "linear",
                    info.low,
                    info.high,
                    f"{name}: {info.doc}",
                    self._set_param(name),
                    css_classes=[f"sp-{name}"],
                )
                for name, info in surface.param_info.items()
            }
            self.surface_params.objects = list(self._param_sliders.values())
        for name, slider in self._param_sliders.items():  # follow URL loads and resets
            info = surface.param_info[name]
            value = self.model.surface_params.get(name, surface.params[name])
            position = to_position(value, "log" if info.log_scale else "linear")
            if abs(slider.value - position) > 1e-9:
                slider.value = position

    def _set_param(self, name: str) -> Any:
        def apply(value: float) -> None:
            self.model.surface_params = {**self.model.surface_params, name: value}

        return apply

    @param.depends("model.formula_error", watch=True)
    def _show_error(self) -> None:
        text = self.model.formula_error
        self.error.object = f"<pre style='margin:0;white-space:pre-wrap'>{html.escape(text)}</pre>"
        self.error.visible = bool(text)
