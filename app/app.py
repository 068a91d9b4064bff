"""rlx_lab app entry point (``panel serve app/app.py``).

For now a catalogue page: every optimizer with its update rule and RLX defaults, read from the
registry. The trajectory app replaces it.
"""

from __future__ import annotations

import panel as pn

from rlx_lab import optim


def optimizer_card(name: str) -> pn.Card:
    """One optimizer: summary, update rule, and a table of its hyperparameters."""
    opt = optim.get(name)
    rows = "\n".join(
        f"| `{p.name}` | ${p.symbol}$ | `{p.default!r}` | {p.interval()} | {p.meaning} |"
        for p in opt.spec
    )
    table = "| field | | default | valid | meaning |\n|---|---|---|---|---|\n" + rows
    parts = [pn.pane.Markdown(opt.summary), pn.pane.LaTeX(f"${opt.rule_latex}$"),
             pn.pane.Markdown(table)]  # fmt: skip
    if opt.departures:
        parts.append(pn.pane.Alert(f"RLX vs paper: {opt.departures}", alert_type="info"))
    return pn.Card(*parts, title=opt.title, collapsed=False, sizing_mode="stretch_width")


def build() -> pn.template.BaseTemplate:
    """The page: one card per optimizer."""
    pn.extension("katex")
    template = pn.template.FastListTemplate(title="rlx_lab — the 14 RLX optimizers")
    template.main.extend(optimizer_card(name) for name in optim.names())
    return template


if pn.state.served:
    build().servable()
