"""Gunicorn settings shared by every DTS service, natively and in Docker.

gevent's worker by default (`DTS_WORKER_CLASS=gevent`, up to `DTS_WORKER_CONNECTIONS` requests at
once): a request spends most of its time waiting on the database, Redis or the quote server, and
one thread switching between requests whenever one waits costs less than a thread per request. On
the final-shaped workload it served 20 % more commands per second than threads (same-hour A/B,
4574d14 against 2ef1d64 on 2026-12-07, bench/results/ab/). It runs as dts.web.gevent_worker, which
stops without waiting on NGINX's idle keep-alive connections; dts.cooperative keeps long work
(password hashing, a DUMPLOG's stream) from holding up the other requests.
`DTS_WORKER_CLASS=gthread` runs `DTS_THREADS` threads per process instead.

One process per service by default: the machine's cores are shared with the database, NGINX,
Redis and the clients, and a second process per service makes the batches of
dts.adapters.group_commit smaller.
"""

import os

bind = os.environ.get("DTS_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("DTS_WORKERS", "1"))
# "gevent" is gunicorn's gevent worker made to stop promptly (dts.web.gevent_worker says why).
_WORKER_CLASSES = {"gevent": "dts.web.gevent_worker.Worker"}
worker_class = os.environ.get("DTS_WORKER_CLASS", "gevent")
worker_class = _WORKER_CLASSES.get(worker_class, worker_class)
worker_connections = int(os.environ.get("DTS_WORKER_CONNECTIONS", "256"))  # gevent
threads = int(os.environ.get("DTS_THREADS", "16"))  # gthread
keepalive = 75
timeout = 30
graceful_timeout = 20
max_requests = 0
accesslog = None
errorlog = "-"
loglevel = os.environ.get("DTS_LOG_LEVEL", "info")
# Gunicorn's control socket lives at one path per user by default, so several services on one
# machine would fight over it; DTS does not use it.
control_socket_disable = True
# Each worker touches its heartbeat file on every turn of its event loop (about twice a request):
# in memory that costs less than on a journalled disk (3.68-3.71 against 3.79-3.85 ms of service
# CPU per command, user10's first 4,000 commands).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
