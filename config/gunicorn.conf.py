"""Gunicorn settings for Report Archive, in one place, read from the environment.

Run: gunicorn -c config/gunicorn.conf.py config.wsgi
"""

import multiprocessing
import os

# Where to listen: GUNICORN_BIND, else HOST:PORT (the Makefile's names).
bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
# Synchronous workers: the app is short database-bound requests. The usual
# 2 x cores + 1, unless WEB_CONCURRENCY says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Requests a worker may refuse outright: long request lines and header floods.
limit_request_line = 8190
limit_request_fields = 100
# Logs to standard output/error, for the process supervisor to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Proxies whose X-Forwarded-* headers gunicorn believes; loopback by default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
