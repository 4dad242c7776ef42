"""Small, strict readers for environment variables.

Every setting that comes from the environment goes through one of these, so a
typo such as ``DEBUG=maybe`` stops the process with a clear message instead of
being guessed at.
"""

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def envint(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}.")
    return value


def envfloat(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a finite number.")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class DatabaseUrl:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @property
    def is_postgres(self) -> bool:
        return self.engine == "django.db.backends.postgresql"

    def as_django(self) -> dict:
        config = {
            "ENGINE": self.engine,
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "OPTIONS": dict(self.options),
        }
        if self.is_postgres:
            config["CONN_MAX_AGE"] = 60
            config["CONN_HEALTH_CHECKS"] = True
            config["OPTIONS"].setdefault("connect_timeout", "5")
        else:
            # The web server, the worker and beat write to one file at once. WAL lets readers go on
            # while one writes; IMMEDIATE takes the write lock when a transaction begins, so two
            # read-then-write transactions (a double-clicked Share) queue on the busy timeout instead
            # of one failing at once with "database is locked" when both try to upgrade their lock.
            config["OPTIONS"].setdefault("timeout", 20)
            config["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
            if self.name != ":memory:":
                config["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL")
        return config


def parse_database_url(url: str, *, base_dir) -> DatabaseUrl:
    """Parse ``sqlite:///relative/path``, ``sqlite:////absolute/path`` or ``postgres://…``."""
    if not url or "://" not in url:
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r} is malformed: expected sqlite:///path or postgres://user@host:port/name."
        )
    scheme, rest = url.split("://", 1)
    scheme = scheme.lower()
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r} is malformed: a SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db."
            )
        path = rest[1:]
        if path == ":memory:":
            return DatabaseUrl(engine="django.db.backends.sqlite3", name=":memory:")
        name = path if path.startswith("/") else str(base_dir / path)
        return DatabaseUrl(engine="django.db.backends.sqlite3", name=name)
    if scheme in ("postgres", "postgresql", "pgsql"):
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}.") from None
        name = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not name or "/" in name:
            raise ImproperlyConfigured(
                "DATABASE_URL is malformed: a PostgreSQL URL needs a host and a database name, "
                "e.g. postgres://user:password@host:5432/name."
            )
        return DatabaseUrl(
            engine="django.db.backends.postgresql",
            name=name,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname,
            port=str(port or ""),
            options=tuple(parse_qsl(parts.query)),
        )
    raise ImproperlyConfigured(f"DATABASE_URL uses the unsupported scheme {scheme!r}: use sqlite:// or postgres://.")


def validate_redis_url(name: str, url: str) -> str:
    if not url:
        return ""
    from advocacy.redis_urls import is_sentinel_url, parse_sentinel_url

    if is_sentinel_url(url):
        try:
            parse_sentinel_url(url)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} is malformed: {exc}.") from None
        return url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is malformed: {exc}.") from None
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name}={url!r} is malformed: expected redis://host:6379/0, rediss://… "
            "or redis+sentinel://sentinel1:26379,sentinel2:26379/mymaster/0"
        )
    return url


def browsable_url(addrport: str, *, name: str = "ADDRPORT") -> str:
    """``http://host:port`` a browser on this machine opens for a runserver address ("8001", "0.0.0.0:8001").

    A wildcard bind is not an address to open, so it becomes loopback.
    """
    host, _, port = addrport.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ImproperlyConfigured(f"{name}={addrport!r} must be a port or host:port, e.g. 127.0.0.1:8001.")
    if host in ("", "0.0.0.0", "[::]", "::"):  # noqa: S104 - read, not bound  # nosec B104
        host = "127.0.0.1"
    return f"http://{host}:{int(port)}"
