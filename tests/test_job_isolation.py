"""Any exception in any job kind leaves the session usable: busy cleared, the error shown in
words, and the same button or slider starts the job again (here twice, each failing anew)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import rlx_lab.engine
import rlx_lab.nets
from rlx_lab_app.state import CACHE, RaceModel, SweepModel
from rlx_lab_app.state.jobs import SessionJobs
from rlx_lab_app.state.nets.model import USER_DATA, NetsModel
from rlx_lab_app.state.nets.tuning import NetsTuningModel
from rlx_lab_app.state.surfaces.gallery import GalleryModel
from rlx_lab_app.state.surfaces.search import SearchModel
from rlx_lab_app.state.surfaces.tuning import TuningModel

ERRORS = [RuntimeError("injected failure"), MemoryError()]
Kind = tuple[Any, Callable[[], None], Callable[[], str]]
"""(the injected function and the slot, how to start the job again, what the page says)"""


def words_for(error: Exception) -> str:
    return "ran out of memory" if isinstance(error, MemoryError) else "injected failure"


class Injected:
    """Replaces a library function: raises ``error`` and counts the calls."""

    def __init__(self, error: Exception) -> None:
        self.error, self.calls = error, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        raise self.error


def race_kind(monkeypatch: Any, error: Exception) -> Kind:
    from rlx_lab_app.views.live import race_recompute

    CACHE.clear()  # another test's default race must not spare this one its run
    monkeypatch.setattr(rlx_lab.engine, "run", injected := Injected(error))
    model = RaceModel(optimizers=["adam"])
    live = race_recompute(model, SessionJobs())
    moves = iter(range(1, 100))

    def again() -> None:  # a slider move
        model.settings["adam"].lr = 0.001 * next(moves)

    live.request()
    return (injected, model), again, lambda: model.message


def nets_kind(monkeypatch: Any, error: Exception) -> Kind:
    from rlx_lab_app.views.live import nets_recompute

    monkeypatch.setattr(rlx_lab.nets, "race", injected := Injected(error))
    model = NetsModel(optimizers=["adam"], steps=20)
    live = nets_recompute(model, SessionJobs())
    live.request()

    def again() -> None:
        model.steps += 1

    return (injected, model), again, lambda: model.message


def button(view: Any, model: Any, injected: Injected, text: Callable[[], str]) -> Any:
    view.run()
    return (injected, model), view.run, text


def tuning_kind(
    monkeypatch: Any, error: Exception, cls: type = TuningModel, target: str = "tune_lr"
) -> Any:
    from rlx_lab_app.views.tuning_view import TuneButton

    monkeypatch.setattr(rlx_lab.engine, target, injected := Injected(error))
    model = cls(RaceModel(optimizers=["adam"]))
    view = TuneButton(model)
    return button(view, model, injected, lambda: view.note.object)


def search_kind(monkeypatch: Any, error: Exception) -> Any:
    return tuning_kind(monkeypatch, error, SearchModel, "search")


def gallery_kind(monkeypatch: Any, error: Exception) -> Any:
    from rlx_lab_app.views.surfaces.gallery_view import GalleryView

    monkeypatch.setattr(rlx_lab.engine, "tune_lr", injected := Injected(error))
    model = GalleryModel(RaceModel())
    view = GalleryView(model)
    return button(view, model, injected, lambda: view.note.object)


def sweep_kind(monkeypatch: Any, error: Exception) -> Any:
    from rlx_lab_app.views.surfaces.sweep_view import SweepView

    monkeypatch.setattr(rlx_lab.engine, "sweep", injected := Injected(error))
    model = SweepModel(RaceModel(), resolution=4)
    view = SweepView(model)
    view._run()
    return (injected, model), view._run, lambda: view.info.object


def nets_tuning_kind(monkeypatch: Any, error: Exception) -> Any:
    from rlx_lab_app.views.tuning_view import TuneButton

    monkeypatch.setattr(rlx_lab.nets.tuning, "race", injected := Injected(error))  # trains there
    model = NetsTuningModel(NetsModel(optimizers=["adam"], steps=20))
    view = TuneButton(model)
    return button(view, model, injected, lambda: view.note.object)


def points_kind(monkeypatch: Any, error: Exception) -> Any:
    from rlx_lab_app.views.nets.user_data_view import UserDataBox

    model = NetsModel(optimizers=["adam"], dataset=USER_DATA)
    monkeypatch.setattr(model, "parse", injected := Injected(error))
    box = UserDataBox(model)
    box.submit("0,0,a\n1,1,b")
    return (
        (injected, box.reading),
        lambda: box.submit("0,0,a\n1,1,b\n2,2,a"),
        (lambda: box.verdict.object),
    )


KINDS = {
    "race": race_kind,
    "nets race": nets_kind,
    "tuning": tuning_kind,
    "search": search_kind,
    "gallery": gallery_kind,
    "sweep": sweep_kind,
    "nets tuning": nets_tuning_kind,
    "reading points": points_kind,
}


@pytest.mark.parametrize("error", ERRORS, ids=["RuntimeError", "MemoryError"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_failing_job_leaves_the_session_usable(
    kind: str, error: Exception, monkeypatch: Any
) -> None:
    (injected, slot), again, shown = KINDS[kind](monkeypatch, error)
    assert injected.calls >= 1, "the job ran"
    assert not slot.busy, "busy is cleared"
    assert words_for(error) in shown(), f"the error is shown in words: {shown()!r}"
    calls = injected.calls
    again()
    assert injected.calls > calls, "the same control starts the job again"
    assert not slot.busy and words_for(error) in shown()
