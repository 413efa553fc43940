"""The public verification page's limit: checks per client address (its /64 for IPv6) and window, counted as the
mail limits are (``accounts.throttle.window_hit``)."""

import hashlib
import time

from django.conf import settings

from accounts.client_address import client_ip, counted_as
from accounts.throttle import window_hit


def verify_allowed(request) -> bool:
    """Count one check from the request's client address; False once it is over the limit (True while the cache
    cannot count: the limit lapses, loudly, rather than the page)."""
    window = settings.RECEIPT_VERIFY_WINDOW_MINUTES * 60
    address = counted_as(client_ip(request)) or "unknown"
    key = f"receipt-verify:{hashlib.sha256(address.encode()).hexdigest()[:32]}:{int(time.time() // window)}"
    return window_hit(key, window) <= settings.RECEIPT_VERIFY_PER_IP
