"""The optimizer chips: shown in the order the optimizers race, not the registry's.

Bokeh's ``MultiChoice`` draws the chips of a value set from the server (a link, Back, Tune) in
the order of its *options*, so ``opt=lion,adam`` came back as Adam, Lion while the plots and
the scoreboard said Lion, Adam. The options here list the chosen optimizers first, in the
model's order, then the others in the registry's order (the dropdown shows only those).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import panel as pn
import param

from rlx_lab import optim


def chip_options(chosen: Sequence[str]) -> dict[str, str]:
    """Title → name of every optimizer: ``chosen`` first (in its order), then the rest."""
    names = [n for n in chosen if n in optim.names()]
    names += [n for n in optim.names() if n not in names]
    return {optim.get(n).title: n for n in names}


def optimizer_choice(
    model: param.Parameterized, label: str, **kwargs: Any
) -> pn.widgets.MultiChoice:
    """A chip per racing optimizer of ``model.optimizers``, in the order they race."""
    widget = pn.widgets.MultiChoice.from_param(
        model.param.optimizers, options=chip_options(model.optimizers), label=label, **kwargs
    )

    def follow(event: param.parameterized.Event) -> None:
        options = chip_options(event.new)
        if list(options.values()) != list(widget.options.values()):
            widget.options = options
            widget.param.trigger("options")  # param sees equal dicts: no event of its own

    model.param.watch(follow, "optimizers")
    return widget
