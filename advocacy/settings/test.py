"""Fast, deterministic settings for the test suite.

The database still comes from DATABASE_URL, so the same suite runs on SQLite
and on PostgreSQL.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from advocacy.redis_urls import is_sentinel_url

from .base import *  # noqa: F403
from .env import envbool

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks go nowhere unless a test runs them on purpose (eager mode or a real worker).
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def worker_redis_url(url: str) -> str:
    """The Redis database this test process owns: parallel pytest-xdist workers (gw0, gw1, …) each get
    their own (15, 14, …) so one worker's flush or click stream never reaches another's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or is_sentinel_url(url):
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{15 - int(worker.removeprefix('gw') or 0)}"))


REDIS_URL = worker_redis_url(REDIS_URL)  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# PostgreSQL is used when DATABASE_URL points at a reachable server. On a machine
# without one the suite falls back to SQLite, unless REQUIRE_SERVICES=1 says its
# absence is a failure (as in CI).
REQUIRE_SERVICES = envbool("REQUIRE_SERVICES", False)
if DATABASE_IS_POSTGRES:  # noqa: F405
    import psycopg2

    _db = DATABASES["default"]  # noqa: F405
    try:
        psycopg2.connect(
            dbname="postgres",
            user=_db["USER"],
            password=_db["PASSWORD"],
            host=_db["HOST"],
            port=_db["PORT"] or 5432,
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as exc:
        if REQUIRE_SERVICES:
            raise ImproperlyConfigured(f"REQUIRE_SERVICES=1 but PostgreSQL is unreachable: {exc}") from None
        import warnings

        warnings.warn(f"PostgreSQL unreachable ({exc}); running the suite on SQLite.", stacklevel=1)
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
        DATABASE_IS_POSTGRES = False
