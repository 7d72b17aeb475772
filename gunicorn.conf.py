"""Gunicorn settings for serving Tinyforge: `gunicorn --config gunicorn.conf.py`.

The values that vary come from the process environment, never from
TINYFORGE_ENV_FILE; docs/operations.md lists them.
"""

import os


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise SystemExit(f"{name}={raw!r} is invalid: set it to a whole number of at least 1.")
    return value


wsgi_app = "tinyforge.wsgi:application"
bind = [os.environ.get("TINYFORGE_BIND", "127.0.0.1:8000")]

# Worker processes, each running `threads` threads. Every thread uses its own
# database connection, so one server opens up to workers × threads connections.
workers = _positive_int("WEB_CONCURRENCY", 2)
threads = _positive_int("TINYFORGE_THREADS", 4)

# Seconds a request may run before the worker is killed and replaced. A sync
# from the admin fetches from a git server for up to TINYFORGE_GIT_TOTAL_TIMEOUT
# (30 s by default), so the default leaves room for that.
timeout = _positive_int("TINYFORGE_WORKER_TIMEOUT", 60)
# Seconds workers get to finish open requests after SIGTERM or a restart.
graceful_timeout = _positive_int("TINYFORGE_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection from a proxy or load balancer stays open.
keepalive = 5

# Gunicorn 25.1+ opens a control socket at one fixed path per user by default,
# so two servers on one host would clash. Signals and systemd manage the server.
control_socket_disable = True

# Gunicorn's own messages and the access log go to stderr as JSON lines, in
# the same format as the application's log. Setting logconfig_dict also turns
# the access log on.
_log_level = os.environ.get("LOG_LEVEL", "INFO").upper()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tinyforge.logformat.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"handlers": ["stderr"], "level": _log_level},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": _log_level, "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
