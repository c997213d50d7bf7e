"""Gunicorn settings shared by every DTS service, natively and in Docker.

Threads rather than many processes: a request spends most of its time waiting on the database,
Redis or the quote server, and threads share one connection pool per process.
"""

import os

bind = os.environ.get("DTS_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("DTS_WORKERS", "2"))
threads = int(os.environ.get("DTS_THREADS", "8"))
worker_class = "gthread"
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
