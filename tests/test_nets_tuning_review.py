"""A nets tuning checked afterwards (rlx_lab_app.state.nets.review), without a browser: the test
figures before → after, a warning when worse, Undo, and the data the values belong to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlx_lab.cost import Cost, nothing
from rlx_lab_app.state.nets.model import USER_DATA, NetsModel, read_points
from rlx_lab_app.state.nets.review import NetsTuningJob, comparison, worse
from rlx_lab_app.state.nets.tuning import tune_plan
from rlx_lab_app.state.tuning import Tuning
from rlx_lab_app.views.tuning_view import TuneButton, note_html


@dataclass(frozen=True)
class Fixed:
    """A tuner that 'tunes' to fixed values at once (the review is what is tested here)."""

    values: dict[str, float]
    what: str = "tuning η"
    stale_after: tuple[str, ...] = ("dataset", "samples", "noise", "data_seed")

    def cost(self, model: Any) -> Cost:
        return nothing(self.what)

    def run(self, model: Any) -> Tuning:
        return Tuning(dict(self.values), (), "η tuned on Two moons (a stand-in).")

    def task(self, model: Any) -> None:
        return None


def small_model() -> NetsModel:
    return NetsModel(optimizers=["adam"], steps=40, width=8, depth=1, samples=128, auto=False)


def test_worse_figures_are_named_with_both_values_and_what_undo_puts_back() -> None:
    assert worse((0.1, 1.0), (0.2, 1.0)) and worse((0.1, 1.0), (0.1, 0.35))
    assert not worse((0.1, 0.9), (0.105, 0.898)) and worse((0.1, 0.9), (float("nan"), 0.9))
    words = comparison(
        {"adam": (0.05, 0.98), "muon": (0.01, 1.0)},
        {"adam": (0.04, 0.99), "muon": (3.2, 0.35)},
        {"muon": {"lr": 0.02}},
        "classification",
    )
    first, warning = words.split("\n")
    assert first.startswith("Test loss (accuracy) before → after tuning: Adam 0.05 → 0.04")
    assert warning == (
        "⚠ Tuning made Muon worse on the test set: loss 0.01 → 3.2, accuracy 100% → 35%. "
        "Undo tuning puts back η 0.02."
    )


def test_a_tuning_that_hurts_the_test_set_says_so_and_undo_puts_eta_back() -> None:
    model = small_model()
    model.train()
    before = model.settings["adam"].lr
    job = NetsTuningJob(model, Fixed({"adam": 1e-4}))
    button = TuneButton(job, undo=True)
    assert not button.undo.visible, "nothing to undo yet"
    job.compute()
    assert button.undo.visible
    assert model.settings["adam"].lr == 1e-4 and job.previous == {"adam": {"lr": before}}
    assert "Test loss" not in job.note, "no race of the tuned η yet"
    model.train()
    assert "Test loss (accuracy) before → after tuning: Adam" in job.note
    assert "⚠ Tuning made Adam worse on the test set" in job.note, job.note
    button.undo.clicks += 1
    assert model.settings["adam"].lr == before and job.previous == {}
    assert not button.undo.visible
    assert job.note == f"Tuning undone: Adam η {before:g}."


def test_tuned_values_belong_to_their_data() -> None:
    model = small_model()
    job = NetsTuningJob(model, Fixed({"adam": 0.02}))
    job.compute()
    model.dataset = "spirals"
    assert job.stale and job.caveat == (
        "η was tuned on Two moons; the data is now Spirals — tune again, or undo the tuning."
    )
    shown = note_html(False, "", job.stale, job.note, "", job.caveat)
    assert "⚠ η was tuned on Two moons" in shown and "(before the last change)" in shown
    model.dataset = "two_moons"
    assert job.caveat == ""
    model.samples = 256
    assert "Two moons (128 points, noise 0.1, data seed 0)" in job.caveat
    assert "the data is now Two moons (256 points" in job.caveat
    model.settings["adam"].lr = 0.05  # no longer the tuned value: nothing to warn about
    model.data_seed = 3
    assert job.caveat == ""


def test_too_few_points_to_judge_is_refused_in_the_note() -> None:
    lines = [f"{x},{y},{'a' if x < 0 else 'b'}" for x, y in [(-1, 0), (-2, 1), (-1, 2)] * 2]
    lines += [f"{x},{y},b" for x, y in [(1, 0), (2, 1), (1, 2)] * 2]
    model = NetsModel(optimizers=["adam"], steps=20, dataset=USER_DATA, batch_size=4)
    model.user_points = read_points("\n".join(lines)).points
    tuning = tune_plan(model.plan(), "validation")
    assert tuning.values == {}
    assert tuning.note.startswith("Not tuned: tuning: your data has 6 training points")
    assert "needs at least 10" in tuning.note
