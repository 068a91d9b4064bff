"""Benchmarks of the web app (``python -m rlx_lab_app.bench app|contention``): they serve
the app and drive it, so they live beside it, not in the library (``python -m rlx_lab.bench``
has the library's own: ``core``, ``engine``, ``nets``)."""
