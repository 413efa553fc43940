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


# What a kind is called on the client's side, where its words differ.
_CLIENT_KINDS = {"escalated": "escalated_client", "raised": "received", "merged": "duplicate"}
STAFF, CLIENT = "staff", "client"


def client_kind(kind: str) -> str:
    return _CLIENT_KINDS.get(kind, kind)


def side_event(event: str, side: str) -> str:
    """The event of one side's notification (staff and client people get separate ones: their links differ)."""
    return f"{event}:{side}"


def escalation_event(flag_id: int, cycle: int, level: int, round: int = 0) -> str:
    """The occurrence of an escalation: its timeline line's ``once_key`` and its notifications' event."""
    return f"escalation:{flag_id}:{cycle}:{level}:{round}"


def context_for(kind: str, *, severity: str, level: int, **extra) -> dict:
    """What a notification of ``kind`` stores, but the flag's own words (``words``): codes and names, never
    translated text, so a sweep works it out once for every flag of a group."""
    return {"kind": kind, "severity": severity, "level": level, **extra}


def words(*, title: str, engagement_name: str) -> dict:
    """The flag's own words in a notification."""
    return {"title": title, "engagement_name": engagement_name}


def escalated(*, reason: str, level_name, due_at) -> dict:
    """What an escalation's notification says besides ``context_for``'s: why, the level's name, its deadline."""
    return {"reason": str(reason), "level_name": str(level_name), "due_at": due_at}


def grouped(kind: str, *, level: int, level_name, reason: str, due_at) -> dict:
    """A group notice (many flags of one engagement entering one level at once); the count and titles are added
    per recipient."""
    return {"kind": kind, "level": level, "level_name": str(level_name), "reason": str(reason), "due_at": due_at}


def _context(flag: RedFlag, kind: str, **extra) -> dict:
    return {
        **context_for(kind, severity=flag.severity, level=flag.level, **extra),
        **words(title=flag.title, engagement_name=flag.engagement.name),
    }


def escalation_requests(flag: RedFlag, *, staff, clients, reason: str, level_name) -> list[NotifyRequest]:
    """What the flag entering its (new) level tells: every path that escalates sends these."""
    return requests_for(
        flag,
        event=escalation_event(flag.pk, flag.cycle, flag.level),
        kind="escalated",
        staff=staff,
        clients=clients,
        category=ESCALATION,
        **escalated(reason=reason, level_name=level_name, due_at=flag.ack_due_at),
    )


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
                event=side_event(event, STAFF),
                recipients=staff,
                category=category,
                template=TEMPLATE,
                context=_context(flag, kind, **context),
                target=flag,
                url=flag_url("escalations:flag", flag.pk),
            )
        )
    if clients:
        requests.append(
            NotifyRequest(
                event=side_event(event, CLIENT),
                recipients=clients,
                category=category,
                template=TEMPLATE,
                context=_context(flag, client_kind(kind), **context),
                target=flag,
                url=flag_url("portal:flag", flag.pk),
            )
        )
    return requests
