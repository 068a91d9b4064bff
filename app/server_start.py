"""What a server does once, when it starts: ``panel serve app/app.py --setup app/server_start.py``
(``make serve`` does). It computes the default race, then starts the worker process, in the
background (:mod:`rlx_lab_app.state.warm_up`), so the first visitor does not wait for either."""

from rlx_lab_app.state import warm_up

warm_up.start()
