"""Rate limits for forms that can be flooded or used to guess (registration, feedback,
coupon codes): a fixed-window counter per key in the shared cache."""

from django.core.cache import cache


def throttle_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `key` within `scope`; True while still within `limit`.

    The window starts with the first attempt and is not extended by later ones, so a
    blocked client is free again `window_seconds` after it began.
    """
    cache_key = f"throttle:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def throttle_blocked(scope: str, key: str, *, limit: int) -> bool:
    """Whether `key` has already used up its attempts, without counting one more."""
    return (cache.get(f"throttle:{scope}:{key}") or 0) >= limit


def client_ip(request) -> str:
    """The client's address, read as the login throttle reads it (X-Forwarded-For
    only behind PROXY_COUNT trusted proxies), so every limit agrees on who is who."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"
