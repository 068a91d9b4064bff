"""The *drawn* columns for one frame: the Python twin of the browser's ``js.FRAME``, which
rebuilds them on every frame from the full columns (:mod:`.sources`). The Python version gives
the first render and makes the logic testable (numpy only, no Bokeh or Panel).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rlx_lab_app.views.surfaces.sources import Columns, Style, append_row


def drawn(fulls: Sequence[tuple[Style, Columns, Columns]], frame: int) -> dict[str, Columns]:
    """What the browser draws at ``frame``: the Python twin of ``js.FRAME``.

    ``fulls`` lists (style, full columns, ghost full columns) in race order.
    """
    out: dict[str, Columns] = {
        "paths": {"xs": [], "ys": [], "color": [], "name": []},
        "gpaths": {"xs": [], "ys": [], "color": []},
        "heads": {"x": [], "y": [], "step": [], "loss": [], "color": [], "marker": [], "name": []},
        "crosses": {"x": [], "y": [], "color": [], "at": [], "name": []},
        "pts": {"x": [], "y": [], "step": [], "loss": [], "angle": [], "color": [], "name": []},
        "nows": {"x": [], "loss": [], "step_plot": [], "color": []},
        "grads": {"x0": [], "y0": [], "x1": [], "y1": [], "color": []},
        "moves": {"x0": [], "y0": [], "x1": [], "y1": [], "color": []},
    }
    for style, f, g in fulls:
        for i, last in enumerate(f["last"]):
            m = min(frame, int(last))
            _add_arrows(out, f, i, m, style.color)
            end = int(f["cut"][i][m]) + 1
            append_row(
                out["paths"],
                xs=f["xs"][i][:end],
                ys=f["ys"][i][:end],
                color=style.color,
                name=style.title,
            )
            append_row(
                out["heads"],
                x=float(f["hx"][i][m]),
                y=float(f["hy"][i][m]),
                step=m,
                loss=float(f["loss"][i][m]),
                color=style.color,
                marker=style.marker,
                name=style.title,
            )
            if 0 <= f["div"][i] <= frame:
                append_row(
                    out["crosses"],
                    x=float(f["cross_x"][i]),
                    y=float(f["cross_y"][i]),
                    color=style.color,
                    at=int(f["div"][i]),
                    name=style.title,
                )
        _add_points(out["pts"], style, f, frame)
        if len(f["xs"]):
            m = min(frame, len(f["loss"][0]) - 1)
            append_row(
                out["nows"],
                x=m,
                loss=float(f["plot_loss"][0][m]),
                step_plot=float(f["plot_step"][0][m]),
                color=style.color,
            )
        if style.ghost:
            for i, last in enumerate(g["last"]):
                end = int(g["cut"][i][min(frame, int(last))]) + 1
                append_row(
                    out["gpaths"], xs=g["xs"][i][:end], ys=g["ys"][i][:end], color=style.color
                )
    return out


def _add_arrows(out: dict[str, Columns], f: Columns, i: int, m: int, color: str) -> None:
    """Start ``i``'s arrows at point ``m`` (when its columns carry arrows and it is shown)."""
    if "gx" not in f:
        return
    x, y = float(f["hx"][i][m]), float(f["hy"][i][m])
    for key, dx, dy in (("grads", f["gx"], f["gy"]), ("moves", f["sx"], f["sy"])):
        ex, ey = x + float(dx[i][m]), y + float(dy[i][m])
        if np.isfinite(ex) and np.isfinite(ey):
            append_row(out[key], x0=x, y0=y, x1=ex, y1=ey, color=color)


def _add_points(columns: Columns, style: Style, f: Columns, frame: int) -> None:
    """Hover points up to ``frame``, step-major (as the browser builds them)."""
    if not len(f["hx"]):
        return
    count = min(frame, len(f["hx"][0]) - 1) + 1
    valid = np.arange(count)[:, None] <= np.asarray(f["last"])[None, :]  # (steps, starts)
    for key, rows in (("x", f["hx"]), ("y", f["hy"]), ("loss", f["loss"]), ("angle", f["angle"])):
        columns[key].extend(np.stack([r[:count] for r in rows], axis=1)[valid].tolist())
    steps = np.broadcast_to(np.arange(count)[:, None], valid.shape)[valid]
    columns["step"].extend(steps.tolist())
    columns["color"].extend([style.color] * steps.size)
    columns["name"].extend([style.title] * steps.size)
