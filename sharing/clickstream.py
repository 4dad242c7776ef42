"""The fast path of a click: one Redis round trip, no SQL.

One Lua script reads the cached link, applies the per-visitor rate limit, decides
what the click is (counted, repeat, the sharer's own, bot) and appends it to a
stream; the drain task (services.clicks_drain) moves the stream into PostgreSQL.
Every click carries an event id made here, so writing it twice is a no-op.

When Redis is unreachable the caller writes the click to the database instead;
after a refused connection Redis is left alone for a second so redirects stay fast.
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

from advocacy.redis_urls import redis_from_url

STREAM_KEY = "sharing:clicks"
GROUP = "sharing-drain"
LINK_KEY = "sharing:link:{code}"
REFRESH_KEY = "sharing:refresh:{code}"
SEEN_KEY = "sharing:seen:{code}:{visitor}"
RATE_KEY = "sharing:rate:{visitor}:{window}"
ADDRESS_RATE_KEY = "sharing:arate:{address}:{window}"
ADDRESS_COUNT_KEY = "sharing:addr:{code}:{address}"
# The Lua script builds this one from the cached entry's post id (post_stamp_publish sets it).
POST_STAMP_KEY = "sharing:post:{post}"
DEDUP_SECONDS = 24 * 3600
MISSING_LINK_SECONDS = 60
DOWN_BACKOFF_SECONDS = 1.0

# KEYS: link, visitor rate, seen today, seen yesterday, stream, address rate, address count, refresh lock
# ARGV: 1 visitor rate limit, 2 rate window, 3 is bot, 4 visitor today, 5 visitor yesterday,
#       6 ",sharer ids,", 7 event id, 8 now (unix seconds), 9 dedup seconds,
#       10 entry read from the database just now ("" if none), 11 link key lifetime,
#       12 address hash, 13 address rate limit, 14 human clicks per address per link per day,
#       15 "stale" to use a cached entry past its freshness (the database is unreachable)
# Returns one string, "status|detail|link entry", which is cheaper to parse than an array.
# A cached entry names its post (p) and the post's stamp (v) when it was read; once the post
# changes (archived, rejected, expiry moved...) sharing:post:<p> holds another stamp and the
# entry is dropped at once. Past its freshness (f) one request re-reads the database while the
# others keep using it, and it outlives freshness so links still work while the database is down.
_CAPTURE = """
local link = redis.call('GET', KEYS[1])
local entry
if ARGV[10] ~= '' then
  link = ARGV[10]
  entry = cjson.decode(link)
  local stamp = redis.call('GET', 'sharing:post:' .. tostring(entry['p']))
  if (not stamp) or stamp == entry['v'] then
    redis.call('SET', KEYS[1], link, 'EX', ARGV[11])
  end
  redis.call('DEL', KEYS[8])
else
  if not link then return 'miss||' end
  entry = cjson.decode(link)
  if entry['p'] ~= 0 then
    local stamp = redis.call('GET', 'sharing:post:' .. tostring(entry['p']))
    if stamp and stamp ~= entry['v'] then
      redis.call('DEL', KEYS[1])
      return 'miss||'
    end
  end
  if ARGV[15] ~= 'stale' and tonumber(ARGV[8]) >= (entry['f'] or 0)
      and redis.call('SET', KEYS[8], '1', 'NX', 'EX', 5) then
    return 'miss||'
  end
end
local hits = redis.call('INCR', KEYS[2])
if hits == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
if hits > tonumber(ARGV[1]) then return 'limited|' .. redis.call('TTL', KEYS[2]) .. '|' .. link end
hits = redis.call('INCR', KEYS[6])
if hits == 1 then redis.call('EXPIRE', KEYS[6], ARGV[2]) end
if hits > tonumber(ARGV[13]) then return 'limited|' .. redis.call('TTL', KEYS[6]) .. '|' .. link end
if entry['state'] ~= 'ok' then return 'done||' .. link end
if entry['x'] > 0 and tonumber(ARGV[8]) >= entry['x'] then return 'done||' .. link end
local kind
if ARGV[3] == '1' then
  kind = 'bot'
elseif string.find(ARGV[6], ',' .. entry['u'] .. ',', 1, true)
    or (entry['h'] ~= '' and (entry['h'] == ARGV[4] or entry['h'] == ARGV[5])) then
  kind = 'self'
elseif redis.call('EXISTS', KEYS[4]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then
  kind = 'duplicate'
elseif tonumber(redis.call('GET', KEYS[7]) or '0') >= tonumber(ARGV[14]) then
  kind = 'address'
else
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[9])
  if redis.call('INCR', KEYS[7]) == 1 then redis.call('EXPIRE', KEYS[7], ARGV[9]) end
  kind = 'human'
end
redis.call('XADD', KEYS[5], '*', 'e', ARGV[7], 's', tostring(entry['s']), 'v', ARGV[4], 'y', ARGV[5],
  'a', ARGV[12], 'k', kind, 't', ARGV[8])
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
        # A redis+sentinel:// URL gives the group's master, so the click path follows a failover.
        _clients[url] = redis_from_url(url, socket_connect_timeout=0.3, socket_timeout=0.5)
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
    """One round trip: EVALSHA on this thread's connection (EVAL the first time Redis sees the script).

    A connection that worked before may be a dead socket now (Redis restarted since): that
    is retried once, at once, on a new connection, so a restart costs no request a trip to
    the database. Only a Redis that refuses a new connection too counts as down.
    """
    packed = _pack("EVALSHA", _CAPTURE_SHA, len(keys), *keys, *args)
    for attempt in (1, 2):
        fresh = getattr(_local, "connection", None) is None
        connection = _hot_connection(conn)
        try:
            connection.send_packed_command([packed])
            try:
                return connection.read_response()
            except redis.exceptions.NoScriptError:
                connection.send_packed_command([_pack("EVAL", _CAPTURE, len(keys), *keys, *args)])
                return connection.read_response()
        except redis.exceptions.ResponseError:
            raise
        except (redis.RedisError, OSError) as exc:
            _forget_connection()
            if fresh or attempt == 2:
                raise redis.ConnectionError(str(exc)) from exc
    raise AssertionError("unreachable")


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
    address: str,
    is_bot: bool,
    sharer_ids: list[int],
    event_id: str,
    now: float,
    entry: dict | None = None,
    stale_ok: bool = False,
) -> Capture | None:
    """Run the capture script once; None means the link needs reading from the database.

    That is: not cached, cached for a post that has changed since, or cached past its
    freshness (then this request refreshes it). Call again with the `entry` read from the
    database, or with `stale_ok=True` when the database cannot be reached.
    """
    window = int(now // 60)
    keys = [
        LINK_KEY.format(code=code),
        RATE_KEY.format(visitor=visitor_today, window=window),
        SEEN_KEY.format(code=code, visitor=visitor_today),
        SEEN_KEY.format(code=code, visitor=visitor_yesterday),
        STREAM_KEY,
        ADDRESS_RATE_KEY.format(address=address, window=window),
        ADDRESS_COUNT_KEY.format(code=code, address=address),
        REFRESH_KEY.format(code=code),
    ]
    cached_entry = ""
    lifetime = MISSING_LINK_SECONDS
    if entry is not None:
        found = entry["state"] != "missing"
        fresh = settings.SHARE_LINK_CACHE_SECONDS if found else MISSING_LINK_SECONDS
        lifetime = max(settings.SHARE_LINK_STALE_SECONDS, fresh) if found else MISSING_LINK_SECONDS
        cached_entry = json.dumps({**entry, "f": int(now) + fresh}, separators=(",", ":"))
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
        lifetime,
        address,
        settings.SHARE_REDIRECT_ADDRESS_RATE_LIMIT,
        settings.SHARE_CLICKS_PER_ADDRESS,
        "stale" if stale_ok else "",
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
    """Drop a cached link so the next click reads the database (after a share changed)."""
    conn = client()
    if conn is None:
        return
    try:
        conn.delete(LINK_KEY.format(code=code))
    except redis.RedisError:
        mark_down()


def post_stamp_publish(*, post_id: int, stamp: str) -> bool:
    """Tell every cached link of this post that the post is now `stamp`; stale entries drop at once.

    Returns False when Redis could not be told (its entries are then re-read once their
    freshness, SHARE_LINK_CACHE_SECONDS, runs out).
    """
    conn = client()
    if conn is None:
        return not settings.REDIS_URL
    lifetime = max(settings.SHARE_LINK_STALE_SECONDS, settings.SHARE_LINK_CACHE_SECONDS) + 60
    try:
        conn.set(POST_STAMP_KEY.format(post=post_id), stamp, ex=lifetime)
    except redis.RedisError:
        mark_down()
        return False
    return True


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
