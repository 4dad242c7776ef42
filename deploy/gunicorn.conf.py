"""Gunicorn settings for every web process (Dockerfile, docker-compose.yml, the scale battery).

The access log leaves out the client address (`%(h)s`) and the query string: the README
promises no raw address anywhere, and the reverse proxy in front logs the same way.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Slow clients are the proxy's problem; a worker is never held longer than this by one request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Restart each worker now and then so a slow leak never grows without bound.
max_requests = 10000
max_requests_jitter = 1000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# time, method, path (no query string), protocol, status, bytes, milliseconds. No %(h)s, %(r)s, %(q)s, %(a)s, %(f)s.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
