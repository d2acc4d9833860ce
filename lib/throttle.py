"""A fixed-window counter in Django's cache: at most `limit` attempts per key per window.

For emails Relay sends to an address a stranger types (password resets) and for accounts they
create (sign-ups), and for failed logins from one address (django-axes counts them per email
and address). A fixed window lets a burst of twice the limit
through across a window's edge, which is fine for stopping a flood.
"""

import hashlib
import time

from django.core.cache import cache


def _cache_key(scope: str, key: str, window: int) -> str:
    # Hashed: an email or address may hold characters some cache backends refuse in keys.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}:{int(time.time() // window)}"


def allow(scope: str, key: str, *, limit: int, window: int = 3600) -> bool:
    """Count an attempt for `key`; False once more than `limit` were made in this window."""
    cache_key = _cache_key(scope, key, window)
    cache.add(cache_key, 0, timeout=window)  # add, then incr: atomic in every real backend
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between the two calls
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= limit


def count(scope: str, key: str, *, window: int = 3600) -> int:
    """The attempts counted for `key` in this window so far, counting none."""
    return cache.get(_cache_key(scope, key, window), 0)
