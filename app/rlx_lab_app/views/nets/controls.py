"""The small-nets tab's sidebar: Train, data, network, training settings and optimizer cards.

Widgets come from :class:`~rlx_lab_app.state.nets.model.NetsModel`'s parameters (``from_param``), so
bounds and docs live in one place; sliders report on release. The optimizer cards are the surface
tab's (:class:`~rlx_lab_app.views.optimizer_cards.OptimizerCards`, generated from the registry) over
the nets model, whose settings start at the *nets lab defaults*; each card says which values those
are, and Sophia's card also holds the curvature-estimate run settings.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import panel as pn
import param

from rlx_lab import optim
from rlx_lab.nets.datasets import DATASETS
from rlx_lab.nets.folds import FOLDS, MIN_POINTS
from rlx_lab.nets.tuning import HELD_OUT, MIN_VALIDATION, NET_TUNE_LRS
from rlx_lab_app.state.nets.model import BOUNDARY_DATASETS, USER_DATA, NetsModel
from rlx_lab_app.state.nets.search import NET_SEARCH_SAMPLES, NetsSearchModel
from rlx_lab_app.state.nets.tuning import NetsTuningModel
from rlx_lab_app.state.scales import format_value
from rlx_lab_app.views.nets.user_data_view import UserDataBox
from rlx_lab_app.views.optimizer_cards import OptimizerCards
from rlx_lab_app.views.optimizer_choice import optimizer_choice
from rlx_lab_app.views.tuning_view import TuneButton
from rlx_lab_app.views.widgets import ScheduleControls, param_slider, sophia_controls, switch

LAB_DEFAULTS = (
    "Sliders start at the **nets lab defaults** — tuned for these small MLPs (2-32-32-2 on two "
    "moons, batch 64, 300 steps) — not at RLX's defaults. *Reset* returns to them."
)


def dataset_options() -> dict[str, str]:
    """Picker labels → dataset names."""

    def label(name: str) -> str:
        k = DATASETS[name].n_classes
        return name.replace("_", " ").capitalize() + (f" ({k} classes)" if k > 2 else "")

    return {**{label(n): n for n in BOUNDARY_DATASETS}, "Your points (CSV)": USER_DATA}


class NetsCards(OptimizerCards):
    """The surface tab's optimizer cards, over a :class:`NetsModel`."""

    model = param.ClassSelector(class_=NetsModel)


class NetsControls(pn.viewable.Viewer):
    """Train button and auto switch, then data, network, training and the optimizers."""

    model = param.ClassSelector(class_=NetsModel)

    def __init__(
        self, model: NetsModel, on_train: Callable[[], None], doc: Any = None, **params: Any
    ) -> None:
        super().__init__(model=model, **params)
        m = model.param
        w = pn.widgets
        self.train = w.Button(label="Train", color="light", width=90, css_classes=["nets-train"])
        self.train.on_click(lambda _: on_train())
        self.auto = switch(model, "auto", "Train after every change")
        self.architecture = pn.pane.HTML("", styles={"color": "#555"}, margin=(0, 10))
        throttled = {"throttled": True}
        self.generated = pn.Column(
            w.FloatSlider.from_param(m.noise, step=0.01, label="Noise", **throttled),
            w.RadioButtonGroup.from_param(m.samples, color="light"),
            pn.pane.HTML(
                "<small>training points (and as many test points)</small>", margin=(0, 10)
            ),
            margin=0,
            sizing_mode="stretch_width",
        )
        self.controls = pn.Column(
            pn.pane.Markdown("**Data**", margin=(6, 10, 0, 10)),
            w.Select.from_param(
                m.dataset, options=dataset_options(), label="Dataset", css_classes=["nets-dataset"]
            ),
            self.generated,
            UserDataBox(model),
            pn.pane.Markdown("**Network**", margin=(6, 10, 0, 10)),
            pn.Row(
                w.IntSlider.from_param(m.depth, label="Hidden layers", width=160, **throttled),
                w.IntInput.from_param(
                    m.width, label="Units per layer", width=120, css_classes=["nets-width"]
                ),
                margin=0,
            ),
            w.RadioButtonGroup.from_param(m.activation, color="light"),
            self.architecture,
            pn.pane.Markdown("**Training**", margin=(6, 10, 0, 10)),
            pn.Row(
                w.IntInput.from_param(
                    m.batch_size, label="Batch size", width=120, css_classes=["nets-batch"]
                ),
                w.IntInput.from_param(m.data_seed, label="Data seed", width=110),
                margin=0,
            ),
            w.IntSlider.from_param(m.steps, step=10, label="Steps", **throttled),
            pn.Row(
                w.IntInput.from_param(m.seed, label="Run seed", width=110),
                w.IntSlider.from_param(
                    m.n_seeds, label="Seeds", width=160, margin=(12, 10, 5, 10), **throttled
                ),
                margin=0,
            ),
            ScheduleControls(model),
            switch(model, "clip_on", "Global gradient clip"),
            param_slider(model, "clip_norm", "log", "max norm"),
            sizing_mode="stretch_width",
            margin=0,
        )
        self.choice = optimizer_choice(
            model, "Optimizers (a new selection compiles once)", css_classes=["nets-optimizers"]
        )
        self.tuning = NetsTuningModel(model)
        self.tune = TuneButton(
            self.tuning,
            doc,
            label="Tune η on this data",
            description="Set each racing optimizer's η to the one of 9 (1e-4 … 1, half-decades) "
            "whose runs end with the lowest loss that tuning judges (averaged over the run seeds), "
            "same network, batches and steps",
            busy_text="Tuning η… (9 runs per optimizer and seed, all in one training call)",
            css="nets-tune-lr",
            note_css="nets-tune-note",
            undo=True,
        )
        self.tune_by = w.Select.from_param(
            m.tune_by,
            options={
                f"validation loss ({HELD_OUT:.0%} held out, or 5-fold)": "validation",
                "training loss": "training",
            },
            name="Tuning judges by",
            description="Validation: each candidate trains without a held-out part of the "
            "training set and is judged on it, so a setting that memorises the training points "
            f"does not win; where that part would hold fewer than {MIN_VALIDATION} points, "
            f"{FOLDS}-fold cross-validation judges instead (fewer than {MIN_POINTS} training "
            "points: not tuned). Training: judged on the loss it is trained on. The test set "
            "never plays a part in the choice; the note compares the test figures after.",
            css_classes=["nets-tune-by"],
        )
        self.search = NetsSearchModel(model)
        self.search_button = TuneButton(
            self.search,
            doc,
            label="Tune every hyperparameter",
            description="Search η, the β's, ε and the other tunable fields at once: "
            f"{NET_SEARCH_SAMPLES} random settings per optimizer (drawn from seed 0) beside its "
            "settings as given and its η scan, same network, batches, steps and run seeds",
            busy_text=f"Searching… ({1 + len(NET_TUNE_LRS) + NET_SEARCH_SAMPLES} runs per "
            "optimizer and seed, all in one training call)",
            css="nets-tune-all",
            note_css="nets-tune-all-note",
            undo=True,
        )
        extras = {name: self._extras(name) for name in optim.names()}
        self.cards = NetsCards(model, extras=extras)
        model.param.watch(self._show_architecture, ["dataset", "user_points", "depth", "width"])
        self._show_architecture()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.Row(self.train, self.auto, margin=(4, 0)),
            self.controls,
            pn.pane.Markdown("### Optimizers", margin=(10, 10, 0, 10)),
            self.tune_by,
            self.tune,
            self.search_button,
            self.choice,
            pn.pane.Alert(
                LAB_DEFAULTS, alert_type="info", margin=(2, 8), styles={"font-size": "0.85em"}
            ),
            self.cards,
            sizing_mode="stretch_width",
        )

    @param.depends("model.stale", "model.auto", watch=True)
    def _highlight(self) -> None:
        self.train.color = "primary" if self.model.stale and not self.model.auto else "light"

    def _show_architecture(self, *events: Any) -> None:
        self.architecture.object = f"<small>{html.escape(self.model.architecture())}</small>"
        self.generated.visible = self.model.dataset != USER_DATA

    def _extras(self, name: str) -> Any:
        def build() -> list[pn.viewable.Viewable]:
            parts: list[pn.viewable.Viewable] = [_lab_default_note(name)]
            if name == "sophia":
                parts += sophia_controls(self.model)
            return parts

        return build


def lab_default_note(name: str) -> str:
    """``lr=0.03 (RLX: 0.01)`` for every hyperparameter the nets lab sets."""
    opt = optim.get(name)
    rlx = opt.defaults()
    parts = []
    for key, value in opt.net_defaults.items():
        same = value == rlx[key]
        theirs = "relative step" if rlx[key] is None else format_value(rlx[key])
        parts.append(
            f"{key}={format_value(value)}" + (", as RLX's" if same else f" (RLX: {theirs})")
        )
    text = "; ".join(parts) if parts else "RLX's defaults"
    return f"Nets lab defaults (tuned on a 2-32-32-2 MLP): {text}."


def _lab_default_note(name: str) -> pn.viewable.Viewable:
    return pn.pane.HTML(
        f"<small>{html.escape(lab_default_note(name))}</small>",
        margin=(0, 8),
        styles={"color": "#555"},
    )
