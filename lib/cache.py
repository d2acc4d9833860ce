"""The cache Relay's app servers share, chosen by `CACHE_URL`, and kept out of the way when down.

Unset, the cache is Django's default: in memory, per process, which is right for one process
(`make run`, a small install). With several app processes (gunicorn workers, several servers)
each would keep its own copy of every results page and count throttles apart, so production
names a Redis server: `CACHE_URL=redis://127.0.0.1:6379/0`.

Everything Relay keeps in the cache can be made again (a page body is rendered anew, a
throttle's count starts over), so a Redis that is down or unreachable must not turn pages into
errors: `ForgivingRedisCache` answers as an empty cache would, logs the outage once, and logs
again when Redis answers.
"""

import functools
import logging
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("relay.cache")

LOCAL_DEFAULT = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
SHARED_BACKENDS = ("django.core.cache.backends.redis.RedisCache", "lib.cache.ForgivingRedisCache")
REDIS_SCHEMES = ("redis", "rediss", "unix")
# A cache that does not answer within this many seconds counts as down: a page waits at most
# about this long per cache call (twice: one retry, for a pooled connection Redis has closed).
TIMEOUT_SECONDS = 0.5


def cache_from_url(url: str) -> dict:
    """The `CACHES["default"]` setting for a `CACHE_URL` value ("" for the local default)."""
    if not url:
        return dict(LOCAL_DEFAULT)
    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            f"CACHE_URL must start with redis://, rediss:// or unix://, not {scheme or url!r}."
        )
    return {
        "BACKEND": "lib.cache.ForgivingRedisCache",
        "LOCATION": url,
        # Several Relays (staging beside production, say) may share one Redis server.
        "KEY_PREFIX": "relay",
        "OPTIONS": {
            "socket_connect_timeout": TIMEOUT_SECONDS,
            "socket_timeout": TIMEOUT_SECONDS,
        },
    }


def is_shared(cache_setting: dict) -> bool:
    """Whether every app process reading this cache setting sees the same entries."""
    return cache_setting.get("BACKEND") in SHARED_BACKENDS


class _Outage:
    """Whether the last cache call failed, so that an outage is logged once, not per call."""

    down = False

    @classmethod
    def failed(cls, error: Exception) -> None:
        if not cls.down:
            cls.down = True
            logger.warning(
                "The cache is unreachable (%s): pages are rendered without it until it answers.",
                error,
            )

    @classmethod
    def answered(cls) -> None:
        if cls.down:
            cls.down = False
            logger.warning("The cache answers again.")


def _answers_when_down(fallback):
    """Run a cache call; if Redis cannot be reached, log it once and answer `fallback(*args)`."""

    def decorate(method):
        @functools.wraps(method)
        def forgiving(self, *args):
            try:
                result = method(self, *args)
            except self._lib.RedisError as error:
                _Outage.failed(error)
                return fallback(*args)
            _Outage.answered()
            return result

        return forgiving

    return decorate


def _nothing(*args):
    return None


class ForgivingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, answering as an empty cache would when Redis cannot be reached."""

    def __init__(self, servers, **options):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # redis-py retries three times with a growing pause by default: with Redis down,
        # every cache call of every page would wait for all four attempts.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(servers, **options)

    @_answers_when_down(lambda key, default: default)
    def get(self, key, default):
        return super().get(key, default)

    @_answers_when_down(lambda keys: {})
    def get_many(self, keys):
        return super().get_many(keys)

    @_answers_when_down(lambda key: False)
    def has_key(self, key):
        return super().has_key(key)

    @_answers_when_down(lambda key, value, timeout: False)
    def add(self, key, value, timeout):
        return super().add(key, value, timeout)

    @_answers_when_down(_nothing)
    def set(self, key, value, timeout):
        return super().set(key, value, timeout)

    @_answers_when_down(lambda data, timeout: [])
    def set_many(self, data, timeout):
        return super().set_many(data, timeout)

    @_answers_when_down(lambda key, timeout: False)
    def touch(self, key, timeout):
        return super().touch(key, timeout)

    # As if the counter had just started: a throttle lets people through while the cache is
    # down rather than refusing everyone.
    @_answers_when_down(lambda key, delta: delta)
    def incr(self, key, delta):
        return super().incr(key, delta)

    @_answers_when_down(lambda key: False)
    def delete(self, key):
        return super().delete(key)

    @_answers_when_down(_nothing)
    def delete_many(self, keys):
        return super().delete_many(keys)

    @_answers_when_down(lambda: False)
    def clear(self):
        return super().clear()


class ForgivingRedisCache(RedisCache):
    """`CACHE_URL`'s backend: Django's Redis cache that degrades to no cache while Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
