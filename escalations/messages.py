"""The notifications a red flag sends, as ``notify_many`` requests (written in the caller's transaction).

One template family (``escalations/email/flag``) renders every kind in the recipient's language; the stored context
holds codes and names, never translated words. Staff and client people get separate requests because their links
differ (staff page, portal page). Event names identify the occurrence, so writing the same one twice is a no-op.
"""

import functools

from django.urls import reverse

from notifications.services import NotifyRequest

from .models import RedFlag

TEMPLATE = "escalations/email/flag"
RED_FLAG = "red_flag"
ESCALATION = "escalation"


@functools.cache
def _url_pattern(name: str) -> str:
    # A sweep notifies thousands of flags: resolve the URL once, then put each flag's id in it.
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def flag_url(name: str, pk: int) -> str:
    return _url_pattern(name).format(pk)


def _context(flag: RedFlag, kind: str, **extra) -> dict:
    return {
        "kind": kind,
        "title": flag.title,
        "engagement_name": flag.engagement.name,
        "severity": flag.severity,
        "level": flag.level,
        **extra,
    }


def requests_for(
    flag: RedFlag,
    *,
    event: str,
    kind: str,
    staff=(),
    clients=(),
    category: str = RED_FLAG,
    **context,
) -> list[NotifyRequest]:
    """One request for the staff recipients (link to the staff page) and one for the client recipients (link to
    the portal), for the occurrence ``event`` of ``flag``."""
    requests = []
    staff = [person for person in staff if person is not None and not person.is_client_user]
    clients = [person for person in clients if person is not None and person.is_client_user]
    if staff:
        requests.append(
            NotifyRequest(
                event=f"{event}:staff",
                recipients=staff,
                category=category,
                template=TEMPLATE,
                context=_context(flag, kind, **context),
                target=flag,
                url=flag_url("escalations:flag", flag.pk),
            )
        )
    if clients:
        client_kind = {"escalated": "escalated_client", "raised": "received"}.get(kind, kind)
        requests.append(
            NotifyRequest(
                event=f"{event}:client",
                recipients=clients,
                category=category,
                template=TEMPLATE,
                context=_context(flag, client_kind, **context),
                target=flag,
                url=flag_url("portal:flag", flag.pk),
            )
        )
    return requests
