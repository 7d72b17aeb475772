"""Health check for load balancers and uptime monitors: ``GET /healthz``."""

import logging
import threading

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("tinyforge.health")

# The endpoint needs no login, so the response never carries the database
# error itself (it can name hosts and users). The log line does.
DATABASE_UNAVAILABLE_MESSAGE = "SELECT 1 on the database failed. The error is in the server log."


class _OutageLog:
    """Outage tracker that logs when the database starts failing, changes error, and recovers.

    A load balancer probes every few seconds, so failed probes in between are
    counted instead of logged one by one. The state is per process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._error_text: str | None = None
        self._failed_probes = 0

    def record_failure(self, error: DatabaseError) -> None:
        error_text = f"{type(error).__name__}: {error}".strip()
        with self._lock:
            self._failed_probes += 1
            if error_text == self._error_text:
                return
            self._error_text = error_text
            failed_probes = self._failed_probes
        logger.error(
            "Health check failed: SELECT 1 on the database raised an error.",
            extra={"error": error_text, "failed_probes": failed_probes},
        )

    def record_success(self) -> None:
        with self._lock:
            if self._error_text is None:
                return
            failed_probes = self._failed_probes
            self._error_text = None
            self._failed_probes = 0
        logger.info(
            "Health check passed again: SELECT 1 on the database succeeded.",
            extra={"failed_probes": failed_probes},
        )


_outage_log = _OutageLog()


@require_safe
@never_cache
def healthz(request):
    """Run ``SELECT 1`` on the default database and return 200, or 503 when it fails."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        _outage_log.record_failure(error)
        return JsonResponse(
            {"status": "error", "database": DATABASE_UNAVAILABLE_MESSAGE}, status=503
        )

    _outage_log.record_success()
    return JsonResponse({"status": "ok", "database": "ok"})
