"""How many cores one XLA computation may use — chosen once, before JAX starts its backend.

Serving a class, the app runs the race that sliders drive and one heavy job (a sweep, a
training) side by side. By default XLA's CPU backend spreads every computation over all cores,
so the heavy job's operations fill the shared thread pool and a slider's small race waits behind
them (measured with ``python -m rlx_lab_app.bench contention`` on 2 cores: a slider move took 49× as
long at p95 while a training ran). With one core per computation each job owns a core.
"""

from __future__ import annotations

import os

THREADS_ENV = "RLX_LAB_JOB_THREADS"
"""``1`` (the default when serving): one core per computation; anything else: XLA's default."""
ONE_CORE_FLAGS = ("--xla_cpu_multi_thread_eigen=false", "intra_op_parallelism_threads=1")


def one_core_per_computation(environ: dict[str, str] | None = None) -> bool:
    """Ask XLA for one core per computation unless ``$RLX_LAB_JOB_THREADS`` says otherwise.

    Call before the first JAX computation of the process (XLA reads its flags when the backend
    starts; later calls change nothing). Returns whether the flags are set.
    """
    env = os.environ if environ is None else environ
    if env.get(THREADS_ENV, "1").strip() != "1":
        return False
    flags = env.get("XLA_FLAGS", "").split()
    env["XLA_FLAGS"] = " ".join([*flags, *(f for f in ONE_CORE_FLAGS if f not in flags)])
    return True
