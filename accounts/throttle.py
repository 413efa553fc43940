"""Limits on the mail that people can make the portal send: password resets, invitations, address confirmations.

Without them, anyone could have the portal mail-bomb an address, or spend its sending reputation, from one
script. Each kind of mail is counted per recipient address and per client address in fixed windows of
``MAIL_LIMIT_WINDOW_MINUTES``, in Django's cache (Redis in production, so every web process shares the counts).
A request over either limit is refused as a whole: nothing is written and nothing is sent.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .client_address import counted_as
from .models import email_key

logger = logging.getLogger(__name__)


class MailThrottled(ValidationError):
    """Too much mail of one kind for one address, or from one client address, in the current window."""


def window_hit(key: str, window: int) -> int:
    """Count one request in ``key``'s window and return the count so far (0 when the cache cannot count). The one
    fixed-window counter of the project: the mail limits here, the receipt verification page's limit."""
    try:
        # add() is a no-op when the key exists; incr() is atomic in Redis and in the local-memory cache alike.
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
            return 1
    except Exception:
        # A cache outage must not stop people resetting their passwords: the limit lapses, loudly, until it is back.
        logger.exception("Limits: the cache is unreachable; not counting %s", key.split(":", 2)[:2])
        return 0


def _digest(value: str) -> str:
    # Addresses are personal data: the cache sees only a hash of them.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def mail_throttle(*, kind: str, email: str, client_ip: str | None, signed_in: bool = False) -> None:
    """Count one mail of ``kind`` to ``email`` requested from ``client_ip``; raise ``MailThrottled`` over a limit.

    Every request is counted whether or not the address has an account, so the answer never tells which
    addresses do. Signed-in people (staff inviting a client's whole team from one office) get a higher
    per-client-address limit than anonymous visitors.
    """
    window = settings.MAIL_LIMIT_WINDOW_MINUTES * 60
    slot = int(time.time() // window)
    per_ip = settings.MAIL_LIMIT_PER_IP_SIGNED_IN if signed_in else settings.MAIL_LIMIT_PER_IP
    over = window_hit(f"mail-limit:{kind}:to:{_digest(email_key(email))}:{slot}", window) > (
        settings.MAIL_LIMIT_PER_ADDRESS
    )
    if client_ip:
        # Per client block: an IPv6 client could otherwise take a fresh address of its /64 for every mail.
        over = window_hit(f"mail-limit:{kind}:from:{_digest(counted_as(client_ip))}:{slot}", window) > per_ip or over
    if over:
        raise MailThrottled(
            _("Too many emails of this kind were asked for. Please try again in %(minutes)s minutes."),
            code="throttled",
            params={"minutes": settings.MAIL_LIMIT_WINDOW_MINUTES},
        )
