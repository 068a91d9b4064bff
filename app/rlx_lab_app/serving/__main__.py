"""``python -m rlx_lab_app.serving``: :func:`rlx_lab_app.serving.class_server.main`."""

from rlx_lab_app.serving.class_server import main

raise SystemExit(main())
