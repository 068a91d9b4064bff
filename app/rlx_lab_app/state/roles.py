"""What a model's parameter is for, declared on the parameter itself rather than in lists of
names kept beside it.

Each control of a lab's inputs carries ``metadata={"role": …}``:

- :data:`RUN`: a change calls for a new run (the live recompute watches it, results go stale)
  and the page's link records it;
- :data:`LINK`: the link records it, but nothing runs again (how results are shown, what
  tuning judges);
- :data:`LOCAL`: neither (the playback position, the auto-train switch).

:func:`names` reads the roles back, so the recompute's triggers
(``INPUTS = names(RaceInputs, RUN)``) and the link's watched fields follow the declarations;
``tests/test_roles.py`` fails on a control that declares none.

A parameter the link writes under a key of its own also declares that key
(``metadata={"role": RUN, "query": "steps"}``); :func:`query_keys` reads them back for the
codec (:mod:`rlx_lab_app.state.query`). The rest of the link (the optimizers, the surface, the
dataset…) each lab writes its own way.
"""

from __future__ import annotations

from typing import Literal

import param

Role = Literal["run", "link", "local"]
RUN: Role = "run"
LINK: Role = "link"
LOCAL: Role = "local"


def role(parameter: param.Parameter) -> Role | None:
    """``parameter``'s declared role (None where it declares none)."""
    return (parameter.metadata or {}).get("role")


def names(owner: type[param.Parameterized] | param.Parameterized, *roles: Role) -> tuple[str, ...]:
    """``owner``'s parameters with one of ``roles``, in declaration order (inherited first)."""
    return tuple(n for n, p in owner.param.objects("existing").items() if role(p) in roles)


def query_keys(owner: type[param.Parameterized] | param.Parameterized) -> dict[str, str]:
    """Link key → parameter name of ``owner``'s parameters that declare one
    (``metadata={"query": key}``), in declaration order (inherited first)."""
    return {
        p.metadata["query"]: n
        for n, p in owner.param.objects("existing").items()
        if "query" in (p.metadata or {})
    }
