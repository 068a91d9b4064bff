"""The "Small nets" tab on its own page: ``panel serve app/nets_page.py`` (browser tests).

Same import dance as ``app/app.py``: ``panel serve`` puts app/ first on sys.path, where this
folder would shadow the ``app`` package.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import panel as pn

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE]
if getattr(sys.modules.get("app"), "__file__", None) == __file__:
    del sys.modules["app"]
try:
    from app.state.jobs import warm_workers
    from app.views.nets_tab import NetsTab
except ImportError:
    sys.path.insert(0, str(_HERE.parent))
    from app.state.jobs import warm_workers
    from app.views.nets_tab import NetsTab

from rlx_lab import engine  # noqa: E402

engine.one_core_per_computation()  # before the first computation: a core per job (README)

TITLE = "rlx_lab — small nets"


def build() -> pn.template.BaseTemplate:
    """The page for one session: the tab's controls in the sidebar, its plots in main."""
    pn.extension("katex", notifications=False)
    engine.enable_compilation_cache()
    warm_workers()
    tab = NetsTab()
    template = pn.template.BootstrapTemplate(
        title=TITLE, sidebar_width=380, header_background="#2f4f6f"
    )
    template.sidebar.append(tab.sidebar)
    template.main.append(tab.main)
    return template


if pn.state.served:
    build().servable()
