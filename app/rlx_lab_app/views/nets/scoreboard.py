"""The small-nets scoreboard: η, losses, test accuracy and divergence of each optimizer shown,
as the HTML table the tab displays (pure: rows in, markup out).
"""

from __future__ import annotations

import html
from typing import Any

from rlx_lab_app.state.scales import format_value


def scoreboard_table(rows: list[dict[str, Any]], colors: dict[str, str]) -> str:
    """The small-nets scoreboard as an HTML table: one row per optimizer of
    :meth:`~rlx_lab_app.state.nets.model.NetsModel.summary`, in its colour ``colors[name]``."""
    body = "".join(
        f"<tr><td><span style='color:{colors[r['name']]}'>●</span> "
        f"{html.escape(r['optimizer'])}</td><td>{html.escape(r['lr'])}</td>"
        f"<td>{format_value(r['train_loss'])}</td><td>{format_value(r['test_loss'])}</td>"
        f"<td>{100 * r['test_acc']:.1f}%</td>"
        f"<td>{_diverged(r)}</td></tr>"
        for r in rows
    )
    seeds = rows[0]["seeds"] if rows else 1
    note = f" (mean over {seeds} seeds)" if seeds > 1 else ""
    return (
        "<table style='font-size:0.85em;border-collapse:collapse' cellpadding='3'>"
        f"<tr><th align='left'>optimizer</th><th>η</th><th>train loss{note}</th>"
        "<th>test loss</th><th>test accuracy</th><th>diverged</th></tr>"
        f"{body}</table>"
    )


def _diverged(row: dict[str, Any]) -> str:
    """How many seeds diverged, or at which step the one run did ("—": none)."""
    if row["diverged_runs"] == 0:
        return "—"
    if row["seeds"] > 1:
        return f"✕ {row['diverged_runs']} of {row['seeds']} seeds"
    return f"✕ step {row['diverged_at']}"
