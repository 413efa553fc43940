"""The public verification page's limit: checks per client address (its /64 for IPv6) and window, in the cache."""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

from accounts.client_address import client_ip, counted_as

logger = logging.getLogger(__name__)


def verify_allowed(request) -> bool:
    """Count one check from the request's client address; False once it is over the limit."""
    window = settings.RECEIPT_VERIFY_WINDOW_MINUTES * 60
    address = counted_as(client_ip(request)) or "unknown"
    key = f"receipt-verify:{hashlib.sha256(address.encode()).hexdigest()[:32]}:{int(time.time() // window)}"
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
            count = 1
    except Exception:
        logger.exception("Receipt verification: the cache is unreachable; not counting")
        return True
    return count <= settings.RECEIPT_VERIFY_PER_IP
