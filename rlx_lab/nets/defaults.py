"""Lab-default hyperparameters for training small nets, read from the optimizer registry.

RLX gives most optimizers no learning rate, and the surface lab's defaults are tuned for 2-D
test functions; the nets world's were tuned on an MLP 2-32-32-2 (ReLU) on two moons, batch 64,
300 steps, seeds 0–3 (lr swept over 1e-4…1 in half-decades): each value sits inside the range
where every seed trains well, about 3–10× below where training degrades. They live beside the
RLX defaults in each optimizer's module (``Optimizer.net_defaults``, with the reason for each).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .. import optim

NET_DEFAULTS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {name: optim.get(name).net_defaults for name in optim.names()}
)
"""Optimizer name → the hyperparameters whose lab value for nets differs from RLX's."""
