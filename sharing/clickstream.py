"""The fast path of a click: one Redis round trip, no SQL.

One Lua script reads the cached link, applies the per-visitor rate limit, decides
what the click is (counted, repeat, the sharer's own, bot) and appends it to a
stream; the drain task (services.clicks_drain) moves the stream into PostgreSQL.
Every click carries an event id made here, so writing it twice is a no-op.

When Redis is unreachable the caller writes the click to the database instead;
after a failure Redis is left alone for a few seconds so redirects stay fast.
"""

import functools
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

STREAM_KEY = "sharing:clicks"
GROUP = "sharing-drain"
LINK_KEY = "sharing:link:{code}"
SEEN_KEY = "sharing:seen:{code}:{visitor}"
RATE_KEY = "sharing:rate:{visitor}:{window}"
DEDUP_SECONDS = 24 * 3600
MISSING_LINK_SECONDS = 60
DOWN_BACKOFF_SECONDS = 5.0

# KEYS: link, rate, seen today, seen yesterday, stream
# ARGV: rate limit, rate window, is bot, visitor today, visitor yesterday, ",sharer ids,",
#       event id, now (unix seconds), dedup seconds, link entry to cache on a miss ("" if none), link ttl
# Returns one string, "status|detail|link entry", which is cheaper to parse than an array.
_CAPTURE = """
local link = redis.call('GET', KEYS[1])
if not link then
  if ARGV[10] == '' then return 'miss||' end
  link = ARGV[10]
  redis.call('SET', KEYS[1], link, 'EX', ARGV[11])
end
local hits = redis.call('INCR', KEYS[2])
if hits == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
if hits > tonumber(ARGV[1]) then return 'limited|' .. redis.call('TTL', KEYS[2]) .. '|' .. link end
local entry = cjson.decode(link)
if entry['state'] ~= 'ok' then return 'done||' .. link end
if entry['x'] > 0 and tonumber(ARGV[8]) >= entry['x'] then return 'done||' .. link end
local kind
if ARGV[3] == '1' then
  kind = 'bot'
elseif string.find(ARGV[6], ',' .. entry['u'] .. ',', 1, true)
    or (entry['h'] ~= '' and (entry['h'] == ARGV[4] or entry['h'] == ARGV[5])) then
  kind = 'self'
elseif redis.call('EXISTS', KEYS[4]) == 1 then
  kind = 'duplicate'
elseif redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[9]) then
  kind = 'human'
else
  kind = 'duplicate'
end
redis.call('XADD', KEYS[5], '*', 'e', ARGV[7], 's', tostring(entry['s']), 'v', ARGV[4], 'k', kind, 't', ARGV[8])
return 'ok|' .. kind .. '|' .. link
"""
_CAPTURE_SHA = hashlib.sha1(_CAPTURE.encode(), usedforsecurity=False).hexdigest()  # Redis names scripts by SHA-1

_clients: dict[str, redis.Redis] = {}
_down_until: dict[str, float] = {}
# The hot path talks to Redis over one connection per thread, without the client's pool
# (which polls the socket before every command) or its per-command bookkeeping.
_local = threading.local()


def client() -> redis.Redis | None:
    """The click Redis, or None on the embedded setup or while it is known to be down."""
    url = settings.REDIS_URL
    if not url or _down_until.get(url, 0.0) > time.monotonic():
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=0.3, socket_timeout=0.5)
    return _clients[url]


def mark_down() -> None:
    _down_until[settings.REDIS_URL] = time.monotonic() + DOWN_BACKOFF_SECONDS
    _forget_connection()


def _forget_connection() -> None:
    connection = getattr(_local, "connection", None)
    if connection is not None:
        connection.disconnect()
    _local.connection = None


def _hot_connection(conn: redis.Redis) -> redis.connection.AbstractConnection:
    key = (os.getpid(), id(conn))
    if getattr(_local, "connection", None) is None or _local.key != key:
        pool = conn.connection_pool
        _local.connection = pool.connection_class(**pool.connection_kwargs)
        _local.key = key
    return _local.connection


def _pack(*parts) -> bytes:
    chunks = [b"*%d\r\n" % len(parts)]
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        chunks.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(chunks)


def _evaluate(conn: redis.Redis, keys: list[str], args: list) -> bytes:
    """One round trip: EVALSHA on this thread's connection (EVAL the first time Redis sees the script)."""
    connection = _hot_connection(conn)
    try:
        connection.send_packed_command([_pack("EVALSHA", _CAPTURE_SHA, len(keys), *keys, *args)])
        try:
            return connection.read_response()
        except redis.exceptions.NoScriptError:
            connection.send_packed_command([_pack("EVAL", _CAPTURE, len(keys), *keys, *args)])
            return connection.read_response()
    except redis.exceptions.ResponseError:
        raise
    except (redis.RedisError, OSError) as exc:
        _forget_connection()
        raise redis.ConnectionError(str(exc)) from exc


def reset_state() -> None:
    """Forget clients and back-offs (tests switch REDIS_URL between cases)."""
    _forget_connection()
    _clients.clear()
    _down_until.clear()


@dataclass(frozen=True)
class Capture:
    status: str  # "ok" (click appended), "done" (nothing to record), "limited"
    entry: dict
    kind: str = ""
    retry_after: int = 0


def capture(
    conn: redis.Redis,
    *,
    code: str,
    visitor_today: str,
    visitor_yesterday: str,
    is_bot: bool,
    sharer_ids: list[int],
    event_id: str,
    now: float,
    entry: dict | None = None,
) -> Capture | None:
    """Run the capture script once; None means the link is not cached (call again with `entry`)."""
    window = int(now // 60)
    keys = [
        LINK_KEY.format(code=code),
        RATE_KEY.format(visitor=visitor_today, window=window),
        SEEN_KEY.format(code=code, visitor=visitor_today),
        SEEN_KEY.format(code=code, visitor=visitor_yesterday),
        STREAM_KEY,
    ]
    cached_entry = json.dumps(entry, separators=(",", ":")) if entry is not None else ""
    ttl = settings.SHARE_LINK_CACHE_SECONDS if entry and entry["state"] != "missing" else MISSING_LINK_SECONDS
    args = [
        settings.SHARE_REDIRECT_RATE_LIMIT,
        60,
        "1" if is_bot else "0",
        visitor_today,
        visitor_yesterday,
        "," + ",".join(str(i) for i in sharer_ids) + ",",
        event_id,
        f"{now:.6f}",
        DEDUP_SECONDS,
        cached_entry,
        ttl,
    ]
    reply = _evaluate(conn, keys, args)
    status, detail, link = reply.split(b"|", 2)
    if status == b"miss":
        return None
    entry_out = _parse_entry(link)
    if status == b"limited":
        return Capture(status="limited", entry=entry_out, retry_after=max(1, int(detail)))
    return Capture(status=status.decode(), entry=entry_out, kind=detail.decode())


@functools.lru_cache(maxsize=4096)
def _parse_entry(raw: bytes) -> dict:
    # The same few thousand cached links come back again and again. Callers only read the dict.
    return json.loads(raw)


def link_forget(code: str) -> None:
    """Drop a cached link so the next click reads the database (after a share or a post change)."""
    conn = client()
    if conn is None:
        return
    try:
        conn.delete(LINK_KEY.format(code=code))
    except redis.RedisError:
        mark_down()


def stream_read(conn: redis.Redis, *, consumer: str, count: int, min_idle_ms: int = 60_000) -> list:
    """Entries for this consumer: first any another consumer took and never acknowledged, then new ones."""
    try:
        conn.xgroup_create(STREAM_KEY, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    reclaimed = conn.xautoclaim(STREAM_KEY, GROUP, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count)
    if reclaimed[1]:
        return reclaimed[1]
    response = conn.xreadgroup(GROUP, consumer, {STREAM_KEY: ">"}, count=count)
    return response[0][1] if response else []


def stream_ack(conn: redis.Redis, ids: list) -> None:
    if ids:
        pipe = conn.pipeline(transaction=True)
        pipe.xack(STREAM_KEY, GROUP, *ids)
        pipe.xdel(STREAM_KEY, *ids)
        pipe.execute()
