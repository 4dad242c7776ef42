"""Status of the services the platform depends on, for /healthz."""

import contextlib
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "health:worker-heartbeat"


def check_database() -> str | None:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the reason goes in the report
        # Drop the broken connection so the next request reconnects: no restart needed.
        with contextlib.suppress(Exception):
            connection.close()
        return type(exc).__name__
    return None


def check_cache() -> str | None:
    key = f"health:probe:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        if cache.get(key) != "ok":
            return "value not stored"
        cache.delete(key)
    except Exception as exc:
        return type(exc).__name__
    return None


def check_broker() -> str | None:
    from advocacy.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_BROKER_TIMEOUT)
    except Exception as exc:
        return type(exc).__name__
    return None


def worker_heartbeat_record() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), 60 * 60)


def worker_last_seen() -> str | None:
    try:
        seen = cache.get(HEARTBEAT_KEY)
    except Exception:
        return None
    if seen is None:
        return None
    return datetime.fromtimestamp(seen, tz=UTC).isoformat()


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    report = {name: ("ok" if problem is None else f"down: {problem}") for name, problem in checks.items()}
    report["worker_last_seen"] = worker_last_seen()
    return all(problem is None for problem in checks.values()), report
