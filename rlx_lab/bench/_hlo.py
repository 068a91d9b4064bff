"""Whether two compiled programs do the same work: the same XLA operations on the same shapes.

Where ours and optax's transformation compile to the same operations, their timing ratio is 1
by construction and any departure from it is machine noise; the core benchmark says so rather
than let a 1.01 read as a slower optimizer.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_INSTRUCTION = re.compile(r"^\s*(?:ROOT\s+)?%[\w.\-]+\s*=\s*(\S+)\s+([\w\-]+)\(")
"""``%name = shape opcode(`` (a tuple shape has no spaces in optimised HLO text)."""


def operations(text: str) -> Counter[tuple[str, str]]:
    """How often each (opcode, result shape) occurs in HLO ``text``, fused computations
    included: the program's work without its names, constants, metadata and operand order."""
    found = (_INSTRUCTION.match(line) for line in text.splitlines())
    return Counter((m.group(2), m.group(1)) for m in found if m)


def same_operations(a: Any, b: Any) -> bool:
    """True when compiled programs ``a`` and ``b`` (``jit(...).lower(...).compile()``) consist
    of the same operations on the same shapes, each as often (see :func:`operations`)."""
    return operations(a.as_text()) == operations(b.as_text())
