"""Celery beat that sends each periodic job once, however many beat processes are started.

Every beat process runs this scheduler; only the one holding the leader lock sends anything.
The lock is a key that the leader renews on every tick, so a second beat started by mistake
(two deploys, a scaled-up service) stays idle, and takes over within `CELERY_BEAT_LOCK_SECONDS`
when the leader dies, counted from the moment it died: the key lives 70% of that, the leader
renews it every fifth, and a follower asks for it every tenth, so the worst case (the leader
dies right after renewing, the follower asked just before the key lapsed) is 0.7 + 0.1 of it,
which leaves room for a busy machine. With Redis the lock is a
`SET NX PX` plus a compare-and-renew script (atomic); on the embedded setup it lives in the
shared file cache.
"""

import logging
import os
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from django.core.cache import cache

from advocacy.redis_urls import redis_from_url

logger = logging.getLogger(__name__)

LOCK_KEY = "beat:leader"

# KEYS: lock; ARGV: token, ttl ms. 1 when this token holds the lock afterwards.
_CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class BeatLock:
    """The leader lock; `claim()` takes or renews it and says whether this process holds it."""

    def __init__(self, *, seconds: float, redis_url: str = ""):
        self.seconds = seconds
        self.ttl = seconds * 0.7
        self.renew_every = seconds / 5
        self.poll_every = seconds / 10
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self._redis = redis_from_url(redis_url, socket_timeout=2, socket_connect_timeout=2) if redis_url else None

    def claim(self) -> bool:
        try:
            if self._redis is not None:
                return bool(self._redis.eval(_CLAIM, 1, LOCK_KEY, self.token, int(self.ttl * 1000)))
            if cache.add(LOCK_KEY, self.token, self.ttl):
                return True
            if cache.get(LOCK_KEY) == self.token:
                cache.touch(LOCK_KEY, self.ttl)
                return True
        except Exception:  # lock store unreachable: sending nothing is the safe side
            logger.warning("Beat cannot reach its lock store; not sending periodic jobs.", exc_info=True)
        return False

    def release(self) -> None:
        try:
            if self._redis is not None:
                self._redis.eval(_RELEASE, 1, LOCK_KEY, self.token)
            elif cache.get(LOCK_KEY) == self.token:
                cache.delete(LOCK_KEY)
        except Exception:
            logger.warning("Beat could not release its lock; it expires by itself.", exc_info=True)


class SingleBeatScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self.lock = BeatLock(seconds=settings.CELERY_BEAT_LOCK_SECONDS, redis_url=settings.REDIS_URL)
        self.leading = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        leading = self.lock.claim()
        if leading != self.leading:
            logger.info("Beat %s leader.", "is now" if leading else "is no longer")
            self.leading = leading
        if not leading:
            return self.lock.poll_every
        return min(super().tick(*args, **kwargs), self.lock.renew_every)

    def close(self):
        super().close()
        if self.leading:
            self.lock.release()
