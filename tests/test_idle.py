"""Idle pages are closed (``RLX_LAB_IDLE_MINUTES``): the clock, its budget, its glue.

The served behaviour (a real page closed, its session let go) is in ``test_serving.py``."""

from __future__ import annotations

from typing import Any

import pytest

from rlx_lab_app.state.budget import Budgets
from rlx_lab_app.state.idle import IdleClock
from rlx_lab_app.views.idle import close_session, close_when_idle, closed_words


class Clock:
    """A hand-wound clock."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_page_is_idle_once_unused_for_its_limit_and_any_use_resets_it() -> None:
    now = Clock()
    clock = IdleClock(60, now)
    now.t += 59.5
    assert not clock.expired() and clock.idle_s() == pytest.approx(59.5)
    clock.touch()
    now.t += 59.5
    assert not clock.expired()
    now.t += 0.5
    assert clock.expired()


def test_no_limit_is_never_idle_and_checks_are_bounded() -> None:
    now = Clock()
    never = IdleClock(0, now)
    now.t += 1e9
    assert not never.expired()
    assert IdleClock(1800).check_every_s() == 60
    assert IdleClock(30).check_every_s() == 3
    assert IdleClock(1).check_every_s() == 1


def test_the_idle_limit_is_a_budget_that_may_be_off() -> None:
    assert Budgets().idle_minutes == 30
    assert Budgets.from_env({"RLX_LAB_IDLE_MINUTES": "0"}, []).idle_minutes == 0
    assert Budgets.from_env({}, ["--idle-minutes", "7.5"]).idle_minutes == 7.5
    with pytest.raises(ValueError, match="idle_minutes"):
        Budgets.from_env({"RLX_LAB_IDLE_MINUTES": "-1"}, [])


class FakeDoc:
    """What :func:`close_when_idle` uses of a served Bokeh document."""

    def __init__(self) -> None:
        self.session_context = object()
        self.on_change_callbacks: list[Any] = []
        self.periodic: list[Any] = []
        self.timeouts: list[Any] = []

    def on_change(self, callback: Any) -> None:
        self.on_change_callbacks.append(callback)

    def add_periodic_callback(self, callback: Any, period: float) -> str:
        self.periodic.append((callback, period))
        return "ticker"

    def remove_periodic_callback(self, ticker: str) -> None:
        assert ticker == "ticker"
        self.periodic.clear()

    def add_timeout_callback(self, callback: Any, delay: float) -> None:
        self.timeouts.append(callback)


def test_an_idle_page_says_goodbye_once_then_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    doc, said = FakeDoc(), []
    monkeypatch.setattr("rlx_lab_app.views.idle.in_document", lambda doc, callback: callback)
    clock = close_when_idle(60, lambda: said.append("bye"), doc)
    assert clock is not None and len(doc.periodic) == 1 and doc.periodic[0][1] == 6000
    check = doc.periodic[0][0]
    clock.last -= 59
    doc.on_change_callbacks[0](object())  # a change to the page: used now
    check()
    assert said == [] and not doc.timeouts
    clock.last -= 61
    check()
    assert said == ["bye"] and len(doc.timeouts) == 1 and not doc.periodic


def test_no_limit_or_no_served_page_means_no_clock() -> None:
    assert close_when_idle(0, lambda: None, FakeDoc()) is None
    assert close_when_idle(60, lambda: None) is None  # no session here


def test_closing_a_session_closes_its_sockets_and_asks_bokeh_to_discard_it() -> None:
    class Socket:
        closed = False

        def close(self) -> None:
            self.closed = True

    class Connection:
        def __init__(self) -> None:
            self._socket = Socket()

    class Session:
        expiring = False

        def __init__(self) -> None:
            self._subscribed_connections = {Connection(), Connection()}

        def request_expiration(self) -> None:
            self.expiring = True

    class Context:
        session = Session()

    doc = FakeDoc()
    doc.session_context = Context()  # type: ignore[assignment]
    close_session(doc)
    assert Context.session.expiring
    assert all(c._socket.closed for c in Context.session._subscribed_connections)


def test_the_goodbye_names_the_limit() -> None:
    assert "30 minutes" in closed_words(1800) and "Reload" in closed_words(1800)
