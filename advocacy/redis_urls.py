"""Redis URLs that may name a Sentinel group instead of one server, for high availability.

``REDIS_URL=redis+sentinel://[:password@]sentinel1:26379,sentinel2:26379/mymaster/0`` lists the
Sentinels, the name of the group they watch and the database number. Every Redis user follows it:
the cache (through `SentinelPool`), the Celery broker (kombu's ``sentinel://`` transport with
``master_name``), the beat lock and the click stream (through `redis_from_url`). The password, if
any, is the Redis servers' own; Sentinels are expected to accept connections without one.
"""

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import redis
from redis.sentinel import Sentinel, SentinelConnectionPool

SENTINEL_SCHEME = "redis+sentinel"
DEFAULT_SENTINEL_PORT = 26379


@dataclass(frozen=True)
class SentinelUrl:
    sentinels: tuple[tuple[str, int], ...]
    service_name: str
    db: int = 0
    username: str = ""
    password: str = ""

    def kombu_broker_url(self) -> str:
        """kombu's form: one ``sentinel://`` URL per Sentinel, joined by semicolons."""
        auth = ""
        if self.password:
            auth = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}@"
        return ";".join(f"sentinel://{auth}{host}:{port}/{self.db}" for host, port in self.sentinels)


def is_sentinel_url(url: str) -> bool:
    return url.lower().startswith(f"{SENTINEL_SCHEME}://")


def parse_sentinel_url(url: str) -> SentinelUrl:
    """Parse ``redis+sentinel://[user:password@]host[:port],host2[:port]/service[/db]``.

    Raises ValueError saying what is wrong.
    """
    example = "redis+sentinel://sentinel1:26379,sentinel2:26379/mymaster/0"
    if not is_sentinel_url(url):
        raise ValueError(f"a Sentinel URL starts with {SENTINEL_SCHEME}://, e.g. {example}")
    rest = url.split("://", 1)[1]
    location, _, path = rest.partition("/")
    auth, _, hosts = location.rpartition("@")
    username, _, password = auth.partition(":")
    sentinels = []
    for item in hosts.split(","):
        parts = urlsplit(f"//{item.strip()}")
        try:
            port = parts.port or DEFAULT_SENTINEL_PORT
        except ValueError:
            raise ValueError(f"{item.strip()!r} has a port that is not a number (e.g. {example})") from None
        if not parts.hostname:
            raise ValueError(f"every Sentinel needs a host name (e.g. {example})")
        sentinels.append((parts.hostname, port))
    service, _, db = path.strip("/").partition("/")
    if not service:
        raise ValueError(f"name the Sentinel group (the master name) after the hosts, e.g. {example}")
    if db and not db.isdigit():
        raise ValueError(f"the database after the group name must be a number, e.g. {example}")
    return SentinelUrl(
        sentinels=tuple(sentinels),
        service_name=unquote(service),
        db=int(db or 0),
        username=unquote(username),
        password=unquote(password),
    )


def _sentinel(parsed: SentinelUrl, options: dict) -> Sentinel:
    timeouts = {key: options[key] for key in ("socket_timeout", "socket_connect_timeout") if key in options}
    return Sentinel(list(parsed.sentinels), sentinel_kwargs=timeouts, **timeouts)


def redis_from_url(url: str, **options) -> redis.Redis:
    """`redis.Redis.from_url`, which also understands a ``redis+sentinel://`` URL (then: the group's master)."""
    if not is_sentinel_url(url):
        return redis.Redis.from_url(url, **options)
    parsed = parse_sentinel_url(url)
    return _sentinel(parsed, options).master_for(
        parsed.service_name,
        db=parsed.db,
        username=parsed.username or None,
        password=parsed.password or None,
        **options,
    )


class SentinelPool(SentinelConnectionPool):
    """Connection pool for Django's RedisCache when REDIS_URL names a Sentinel group.

    Django splits a cache LOCATION at commas, so settings pass the Sentinel URL in OPTIONS
    (``sentinel_url``) and a comma-free LOCATION; this pool asks the Sentinels for the master.
    """

    @classmethod
    def from_url(cls, url: str, *, sentinel_url: str, **options):
        parsed = parse_sentinel_url(sentinel_url)
        return cls(
            parsed.service_name,
            _sentinel(parsed, options),
            db=parsed.db,
            username=parsed.username or None,
            password=parsed.password or None,
            **options,
        )
