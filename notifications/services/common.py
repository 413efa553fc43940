"""What the notifications services share: the template names, the back-off between attempts, and rendering in
the recipient's zone."""

import time
import zoneinfo
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

DIGEST_KIND = "notifications.daily_digest"
DIGEST_TEMPLATE = "notifications/email/digest"
GENERIC_TEMPLATE = "notifications/email/generic"


def zone_for(user) -> zoneinfo.ZoneInfo:
    """The recipient's zone (the user model's ``zone``, its one lookup); the server's for an address alone."""
    return user.zone if user is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)


def revive(context):
    """Context is stored as JSON; values under keys ending in ``_at`` come back as aware datetimes (so templates
    show them in the recipient's time zone) and under ``_on`` as dates, also inside lists and nested dicts (a
    digest's items)."""
    if isinstance(context, list):
        return [revive(value) for value in context]
    if not isinstance(context, dict):
        return context
    revived = {}
    for key, value in context.items():
        if key.endswith("_on") and isinstance(value, str):
            revived[key] = parse_date(value) or value
        elif key.endswith("_at") and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is None:
                revived[key] = value
            else:
                revived[key] = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, ZoneInfo("UTC"))
        else:
            revived[key] = revive(value)
    return revived


def render_plain(name: str, context: dict) -> str:
    """Render a plain-text template (subject, text body) without HTML escaping."""
    return get_template(name).template.render(Context(context, autoescape=False))


def backoff(attempts: int) -> timedelta:
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


def drain(step, *, budget: float) -> int:
    """Run ``step()`` batch after batch until nothing more is due or ``budget`` seconds are spent (the next beat
    tick continues). ``step`` returns (rows it claimed, rows it counts as done); returns the total done."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget:
        claimed, done = step()
        if not claimed:
            break
        total += done
    return total


def drain_batches(batch, *, now=None, budget: float) -> int:
    """``drain`` for a service whose ``batch(now=...)`` returns how many rows it claimed and did."""

    def step():
        done = batch(now=now)
        return done, done

    return drain(step, budget=budget)
