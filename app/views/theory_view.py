"""The theory card: what the local quadratic model predicts for SGD, beside the race.

Collapsed at first, and its model computes nothing until it is opened; open, it restates the
theory whenever the surface, the start or SGD's sliders move. Its button races SGD at the best
heavy-ball setting, so the prediction can be watched against the real run.
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn

from ..state.theory import TheoryModel


class TheoryCard(pn.viewable.Viewer):
    """A collapsible card with :class:`TheoryModel`'s statement and a "race the best" button."""

    def __init__(self, theory: TheoryModel, **params: Any) -> None:
        super().__init__(**params)
        self.theory = theory
        self.text = pn.pane.Markdown("", css_classes=["theory-text"], sizing_mode="stretch_width")
        self.button = pn.widgets.Button(
            label="Race SGD at the best momentum setting",
            css_classes=["theory-best"],
            description="Add SGD to the race with the heavy-ball η and μ the theory names",
            disabled=True,
        )
        self.note = pn.pane.HTML("", css_classes=["theory-note"], styles={"color": "#a33"})
        self.card = pn.Card(
            self.text,
            pn.Row(self.button, self.note, margin=0),
            title="Theory: what the quadratic model predicts for SGD",
            collapsed=True,
            css_classes=["theory-card"],
            sizing_mode="stretch_width",
        )
        self.card.param.watch(self._toggle, "collapsed")
        self.button.on_click(self._race_best)
        theory.param.watch(self.render, ["text", "best"])
        self.render()

    def __panel__(self) -> pn.viewable.Viewable:
        return self.card

    def render(self, *_: Any) -> None:
        """Show the model's statement; the button works when there is a best setting."""
        self.text.object = self.theory.text
        self.button.disabled = self.theory.best is None

    def _toggle(self, event: Any) -> None:
        self.theory.active = not event.new

    def _race_best(self, _: Any) -> None:
        problems = self.theory.race_best()
        self.note.object = f"<small>{html.escape(' '.join(problems))}</small>" if problems else ""
