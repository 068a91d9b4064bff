"""One collapsible card per racing optimizer, generated from the registry's metadata.
A card's controls are built when it is first opened.

A card holds the update rule (LaTeX), a control per hyperparameter (grouped: step size, the
rest, clip thresholds, paper switches, inert fields), where RLX departs from the paper next to
the switches that restore the paper's behaviour, and a reset-to-defaults button. Sophia's card
also holds the curvature-estimate controls, which are run settings.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import panel as pn
import param

from rlx_lab import optim
from rlx_lab.optim import HParam
from rlx_lab_app.state import RaceModel, color
from rlx_lab_app.views.widgets import hparam_widget

GROUPS = (
    ("lr", "Step size"),
    ("", "Hyperparameters"),
    ("clip", "Clip"),
    ("paper", "RLX or the paper"),
    ("inert", "Accepted for RLX compatibility"),
)
Extras = dict[str, Callable[[], list[pn.viewable.Viewable]]]
OnSlider = Callable[[str, Any, HParam], None]
"""Told of each float hyperparameter slider built: (optimizer, the slider, its field)."""


class OptimizerCards(pn.viewable.Viewer):
    """The cards of the selected optimizers, in selection order (built once, then reused)."""

    model = param.ClassSelector(class_=RaceModel)

    def __init__(
        self,
        model: RaceModel,
        extras: Extras | None = None,
        on_slider: OnSlider | None = None,
        **params: Any,
    ) -> None:
        super().__init__(model=model, **params)
        self._extras = extras or {}
        self._on_slider = on_slider
        self._cards: dict[str, pn.Card] = {}
        self._headers: dict[str, pn.pane.HTML] = {}
        self.column = pn.Column(sizing_mode="stretch_width", margin=0)
        self._update()

    def __panel__(self) -> pn.viewable.Viewable:
        return self.column

    @param.depends("model.optimizers", "model.colors", watch=True)
    def _update(self) -> None:
        for name in self.model.optimizers:
            self._header(name).object = self._title(name)
        self.column.objects = [self.card(name) for name in self.model.optimizers]

    def _title(self, name: str) -> str:
        c = color(self.model.colors.get(name, 0))
        return f"<span style='color:{c};font-size:1.3em'>●</span> <b>{optim.get(name).title}</b>"

    def _header(self, name: str) -> pn.pane.HTML:
        if name not in self._headers:
            self._headers[name] = pn.pane.HTML(self._title(name), margin=(0, 4))
        return self._headers[name]

    def card(self, name: str) -> pn.Card:
        """The card of optimizer ``name`` (created on first use)."""
        if name not in self._cards:
            self._cards[name] = self._build(name)
        return self._cards[name]

    def _build(self, name: str) -> pn.Card:
        """A card whose controls are built when it is first opened (a lighter page)."""
        first = not self._cards
        card = pn.Card(
            header=self._header(name),
            collapsed=not first,
            sizing_mode="stretch_width",
            css_classes=[f"card-{name}"],
            margin=(4, 0),
        )
        if first:
            card.objects = self._contents(name)
            return card

        def fill(event: param.parameterized.Event) -> None:
            if not event.new and not card.objects:
                card.objects = self._contents(name)

        card.param.watch(fill, "collapsed")
        return card

    def _contents(self, name: str) -> list[Any]:
        opt = optim.get(name)
        settings = self.model.settings[name]
        css = f"hp-{name}"
        parts: list[Any] = [
            pn.pane.Markdown(opt.summary, margin=(0, 8)),
            pn.pane.LaTeX(f"${opt.rule_latex}$", margin=(0, 8), styles={"font-size": "1.15em"}),
        ]
        for tag, heading in GROUPS:
            specs = [hp for hp in opt.spec if hp.tag == tag]
            if not specs:
                continue
            parts.append(pn.pane.Markdown(f"**{heading}**", margin=(6, 8, 0, 8)))
            if tag == "paper" and opt.departures:
                parts.append(_departures(opt.departures))
            on_slider = partial(self._on_slider, name) if self._on_slider else None
            parts.extend(hparam_widget(settings, hp, css, on_slider) for hp in specs)
        if opt.departures and not any(hp.tag == "paper" for hp in opt.spec):
            parts.append(_departures(opt.departures))
        if name in self._extras:
            parts.extend(self._extras[name]())
        reset = pn.widgets.Button(
            label="Reset to defaults", color="light", css_classes=[f"{css}-reset"]
        )
        reset.on_click(lambda _: self.model.reset(name))
        parts.append(reset)
        return parts


def _departures(text: str) -> pn.pane.Alert:
    return pn.pane.Alert(
        f"**Where RLX departs from the paper.** {text}",
        alert_type="info",
        margin=(2, 8),
        styles={"font-size": "0.85em"},
    )
