"""Tuning a race, for either lab: the outcome (:class:`Tuning`), how it is worded, how it moves
the sliders, and the one job that runs it (:class:`TuningJob`).

What differs between the labs — what a candidate is (a path on a surface, a trained network),
what a tuning costs, which inputs it reads — is a :class:`Tuner` the world passes in:
:data:`rlx_lab_app.state.surfaces.tuning.ETA` and ``surfaces.search.SEARCH`` for the surfaces,
:data:`rlx_lab_app.state.nets.tuning.ETA` and ``nets.search.SEARCH`` for the small nets. Each
world names its jobs (``TuningModel``, ``SearchModel``, ``NetsTuningModel``,
``NetsSearchModel``) by binding its tuner, nothing else.

The rule is the same everywhere: for each racing optimizer, the candidate whose run ends lowest
without diverging wins; the note states what was tried, the winner, and a winner at an end of
the range (where the best may lie beyond it). A tuning keeps the values it replaced
(:attr:`TuningJob.previous`), so :meth:`TuningJob.undo` puts them back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import param

from rlx_lab import optim
from rlx_lab.cost import Cost
from rlx_lab_app.state.race_job import RaceJob
from rlx_lab_app.state.scales import format_value, unicode_symbol


@dataclass(frozen=True)
class Tuning:
    """The outcome of a tuning."""

    values: dict[str, float]
    """optimizer → tuned learning rate."""
    failed: tuple[str, ...]
    """Optimizers with no usable η (every run diverged, or a bad setting), in words."""
    note: str
    """What was tuned, how, and the result, for the page."""
    runs: dict[str, Any] = field(default_factory=dict)
    """optimizer → its run at the tuned η (out of the scan's own call), where kept."""
    others: dict[str, dict[str, Any]] = field(default_factory=dict)
    """optimizer → the other hyperparameters tuned with η (a search beyond η)."""


class Tuner(Protocol):
    """What a world supplies to tune its race (``model``: that world's lab model)."""

    what: str
    """The job in words (``"tuning η"``), for its progress and its refusals."""
    stale_after: Sequence[str]
    """The model's inputs after whose change the last tuning no longer describes the race."""

    def cost(self, model: Any) -> Cost:
        """What tuning ``model``'s race will take."""
        ...

    def run(self, model: Any) -> Tuning:
        """Tune, reading ``model`` only (safe on a worker thread)."""
        ...

    def task(self, model: Any) -> Callable[[], Tuning] | None:
        """:meth:`run` as a picklable call for a worker process, where it is worth one."""
        ...


class TuningJob(RaceJob):
    """A tuning of a lab's race: whether it runs, what it last did, and whether that still
    holds. ``tuner`` (or the class's :attr:`tuner`) says what it is."""

    note = param.String(default="", precedence=-1, doc="What the last tuning did, in words")
    previous = param.Dict(
        default={},
        precedence=-1,
        doc="optimizer → the fields the last tuning moved, at their values before it (Undo)",
    )
    caveat = param.String(
        default="",
        precedence=-1,
        doc="Why the tuned values may not fit the race any more, in words (shown while stale)",
    )

    tuner: Tuner
    """The world's tuning: passed in, or bound by a subclass (``tuner = ETA``)."""

    def __init__(
        self, race: param.Parameterized, tuner: Tuner | None = None, **params: Any
    ) -> None:
        chosen = tuner or getattr(type(self), "tuner", None)
        if chosen is None:
            raise TypeError(f"{type(self).__name__} needs a tuner")
        super().__init__(race, chosen.stale_after, **params)
        self.tuner = chosen

    @property
    def what(self) -> str:
        """The job in words (its tuner's)."""
        return self.tuner.what

    def cost(self) -> Cost:
        return self.tuner.cost(self.race)

    def run(self) -> Tuning:
        """Tune without touching any parameter (safe on a worker thread)."""
        return self.tuner.run(self.race)

    def task(self) -> Callable[[], Tuning] | None:
        return self.tuner.task(self.race)

    def show(self, tuning: Tuning) -> None:
        """Move the sliders to ``tuning`` (keeping the values they leave in :attr:`previous`)
        and publish its note."""
        previous = replaced(self.race, tuning)
        problems = apply_tuning(self.race, tuning)
        self.param.update(
            note=" ".join([tuning.note, *problems]),
            previous=previous,
            caveat="",
            busy=False,
            stale=False,
            error="",
        )

    def undo(self) -> None:
        """Put back the values the last tuning replaced, and say so."""
        if not self.previous:
            return
        restored = Tuning(
            {n: v["lr"] for n, v in self.previous.items()},
            (),
            "",
            others={n: {k: x for k, x in v.items() if k != "lr"} for n, v in self.previous.items()},
        )
        problems = apply_tuning(self.race, restored)
        words = ", ".join(
            f"{optim.get(n).title} {describe(n, v, list(v))}" for n, v in self.previous.items()
        )
        self.param.update(
            note=" ".join([f"Tuning undone: {words}.", *problems]),
            previous={},
            caveat="",
            stale=False,
        )

    def has_result(self) -> bool:
        return bool(self.note)


def replaced(race: Any, tuning: Tuning) -> dict[str, dict[str, Any]]:
    """optimizer → the fields ``tuning`` moves, at their current values (``race``: either lab's
    model), for :meth:`TuningJob.undo`."""
    out: dict[str, dict[str, Any]] = {}
    for name in tuning.values:
        now = race.settings[name].overrides()
        out[name] = {k: now[k] for k in ("lr", *tuning.others.get(name, {})) if k in now}
    return out


def apply_tuning(race: Any, tuning: Tuning) -> list[str]:
    """Move each tuned optimizer's η slider (and any other tuned field) to its value; return
    any problems in words (``race``: either lab's model)."""
    problems: list[str] = []
    for name, lr in tuning.values.items():
        problems.extend(race.settings[name].apply({**tuning.others.get(name, {}), "lr": lr}))
    return problems


def not_tuned(problems: Sequence[str]) -> Tuning:
    """No tuning: nothing to tune, for the ``problems`` given."""
    return Tuning({}, (), "Not tuned: " + "; ".join(problems or ("nothing to tune",)))


def tuning_note(
    head: str, values: dict[str, float], failed: Sequence[str], lrs: Sequence[float]
) -> str:
    """``head`` + the range tried + each tuned η (flagged at an end of the range, where the
    best may lie outside it) + what could not be tuned."""

    def value(lr: float) -> str:
        edge = (
            " (the top of the range: a larger η may do better)"
            if lr == lrs[-1]
            else " (the bottom of the range: a smaller η may do better)"
            if lr == lrs[0]
            else ""
        )
        return format_value(lr) + edge

    found = ", ".join(f"{optim.get(n).title} {value(v)}" for n, v in values.items())
    note = (
        f"{head} {len(lrs)} values from {format_value(lrs[0])} to {format_value(lrs[-1])}"
        f"{' — ' + found if found else ''}."
    )
    return note + (f" Not tuned: {'; '.join(failed)}." if failed else "")


def search_note(head: str, lines: Sequence[str], failed: Sequence[str]) -> str:
    """``head``, then a line per tuned optimizer, then what could not be tuned."""
    note = "\n".join([head, *(line + "." for line in lines)])
    return note + (f"\nNot tuned: {'; '.join(failed)}." if failed else "")


def compare_line(
    optimizer: str,
    losses: tuple[float | None, float | None, float | None],
    lr_alone: float | None,
    setting: dict[str, Any],
    fields: Sequence[str],
) -> str:
    """The best loss as given, with η alone tuned and with every field searched (None:
    diverged), and the searched setting."""
    # (+ 0.0: a perfect fit's loss can come out as −0.0)
    given, alone, searched = ("diverged" if v is None else format_value(v + 0.0) for v in losses)
    return " → ".join(
        [
            f"as given {given}",
            f"η alone {alone}" + (f" (η {format_value(lr_alone)})" if lr_alone is not None else ""),
            f"searched {searched} ({describe(optimizer, setting, fields)})",
        ]
    )


def describe(optimizer: str, setting: dict[str, Any], fields: Sequence[str]) -> str:
    """``η 0.141, β₁ 0.93, nesterov on``: ``fields`` of ``setting`` by their symbols."""
    specs = {p.name: p for p in optim.get(optimizer).spec}
    out = []
    for name in fields:
        spec = specs[name]
        value = setting.get(name, spec.default)  # a field not in the setting is at its default
        shown = (
            f"{value:.6g}"
            if spec.scale == "log1m" and isinstance(value, float)
            else (format_value(value))
        )
        out.append(f"{unicode_symbol(spec.symbol)} {shown}")
    return ", ".join(out)
