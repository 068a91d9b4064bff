"""Serving a class on several processes and machines: ``panel serve`` workers behind nginx.

* :mod:`.nginx` writes the front's configuration (a pure function) and runs Debian's nginx
  unprivileged, under a folder of its own;
* :mod:`.class_server` starts the workers and the front together (``make serve-class``,
  ``python -m rlx_lab_app.serving``).

Nothing here starts JAX: the workers are separate ``panel serve`` processes, each starting its
own (docs/serving.md, "Why nginx, not ``--num-procs``").
"""
