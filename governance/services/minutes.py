"""Sharing minutes with the client as fixed versions, what changed between two, and the key user's answer.

``minutes_publish`` freezes what the client may read of the meeting (agenda items, their minutes and outcomes,
attendance; never internal items, outcomes or notes) as the next ``MinutesVersion`` and tells the client's
participants and key user. A later edit is published as a new version; ``minutes_changes`` lists what changed, so
the client reads the difference instead of hunting for it. A vendor-internal meeting's minutes are finalised the
same way, for the team only.
"""

import difflib
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements import policy
from engagements.figures import figures_refresh
from engagements.models import Side
from notifications.services import NotifyRequest, notify_many
from webhooks.services import emit

from .. import permissions
from ..models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    MinutesAcknowledgement,
    MinutesComment,
    MinutesVersion,
    Outcome,
)
from ..receipts import minutes_receipt
from . import lifecycle
from .constants import CATEGORY

SHARED_TEMPLATE = "governance/email/minutes_shared"
COMMENT_TEMPLATE = "governance/email/minutes_comment"


def _outcome(outcome: Outcome) -> dict:
    return {
        "id": outcome.pk,
        "kind": outcome.kind,
        "text": outcome.text,
        "owner": str(outcome.owner) if outcome.owner else "",
        "side": outcome.owner_side,
        "due_on": outcome.due_on.isoformat() if outcome.due_on else None,
        "status": outcome.status,
    }


def minutes_content(meeting: Meeting) -> dict:
    """What a version freezes: for a client meeting only what the client may read."""
    internal_too = meeting.is_internal
    outcomes = Outcome.objects.order_by("created_at", "pk").select_related("owner")
    if not internal_too:
        outcomes = outcomes.filter(is_internal=False)
    items = list(AgendaItem.objects.filter(meeting=meeting).prefetch_related(Prefetch("outcomes", queryset=outcomes)))
    visible = [item for item in items if internal_too or not item.is_internal]
    seen = {item.pk for item in visible}

    def row(item):
        data = {
            "id": item.pk,
            "title": item.title,
            "detail": item.detail,
            "minutes": item.minutes,
            "outcomes": [_outcome(o) for o in item.outcomes.all()],
        }
        if internal_too:
            data["notes"] = item.internal_notes
        return data

    sections = []
    for item in visible:
        if item.parent_id is None:
            sections.append({**row(item), "entries": [row(e) for e in visible if e.parent_id == item.pk]})
    loose = outcomes.filter(meeting=meeting).exclude(agenda_item_id__in=seen)
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "attendees": [{"name": a.name, "side": a.side, "attendance": a.attendance} for a in meeting.attendees.all()],
        "sections": sections,
        "other_outcomes": [_outcome(o) for o in loose],
    }


@transaction.atomic
def minutes_publish(*, by, meeting: Meeting, change_note: str = "", now: datetime | None = None) -> MinutesVersion:
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("engagement", "series").get(pk=meeting.pk)
    if not permissions.may_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    if now < meeting.starts_at:
        raise ValidationError(_("Minutes are shared once the meeting has started."))
    if meeting.agenda_prepared_at is None:
        raise ValidationError(_("Prepare the agenda and write the minutes first."))
    content = minutes_content(meeting)
    previous = meeting.minutes_versions.order_by("-number").first()
    if previous is not None and previous.content == content:
        raise ValidationError(_("Nothing changed since version %(number)s.") % {"number": previous.number})
    if previous is not None and not (change_note or "").strip():
        raise ValidationError({"change_note": _("Say what changed: the client reads it with the new version.")})
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=meeting.minutes_version + 1,
        content=content,
        change_note=(change_note or "").strip()[:300],
        published_at=now,
        published_by=by,
    )
    meeting.minutes_version = version.number
    meeting.minutes_published_at = meeting.minutes_published_at or now
    if meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.MISSED):
        meeting.status = MeetingStatus.HELD
        meeting.held_at = meeting.held_at or now
    meeting.updated_at = now
    meeting.save()
    if not meeting.is_internal:
        Outcome.objects.filter(meeting=meeting, is_internal=False, published_at__isnull=True).update(published_at=now)
        notify_many(_shared_requests(meeting, version), now=now)
        _emit_shared(meeting, version, now)
    lifecycle.schedule_many([meeting], now=now)
    figures_refresh([meeting.engagement_id], now=now)
    return version


MINUTES_DRAFT_FIELDS = ("minutes", "internal_notes")


@transaction.atomic
def minutes_drafts_save(*, by, meeting: Meeting, drafts: dict[int, dict[str, str]]) -> int:
    """Save the minutes typed in the page's open editors but not saved yet (``{item id: {"minutes": ...,
    "internal_notes": ...}}``), so that sharing a version never loses them. Entries of another meeting are left
    alone. Returns how many entries changed."""
    if not drafts:
        return 0
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("engagement", "series").get(pk=meeting.pk)
    if not permissions.may_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    items = list(AgendaItem.objects.select_for_update().filter(meeting=meeting, pk__in=list(drafts)).order_by("pk"))
    changed = []
    for item in items:
        fields = {name: value for name, value in drafts[item.pk].items() if name in MINUTES_DRAFT_FIELDS}
        if all(getattr(item, name) == value for name, value in fields.items()):
            continue
        for name, value in fields.items():
            setattr(item, name, value)
        item.full_clean()
        changed.append(item)
    if changed:
        AgendaItem.objects.bulk_update(changed, list(MINUTES_DRAFT_FIELDS))
    return len(changed)


def minutes_share(
    *, by, meeting: Meeting, change_note: str = "", drafts: dict | None = None, now: datetime | None = None
) -> MinutesVersion:
    """ "Share" on the meeting page: what is typed in the minutes and not saved yet is saved first (and stays saved
    when the version is refused, say for a missing change note), then the version is shared with it."""
    saved = minutes_drafts_save(by=by, meeting=meeting, drafts=drafts or {})
    try:
        return minutes_publish(by=by, meeting=meeting, change_note=change_note, now=now)
    except ValidationError as error:
        if not saved:
            raise
        raise ValidationError([*error.messages, _("What you typed in the minutes is saved.")]) from error


def _emit_shared(meeting, version, now) -> None:
    """``meeting.minutes_shared`` once per version: ids, the version and times, not the minutes themselves."""
    engagement = meeting.engagement
    data = {
        "meeting": {
            "id": meeting.pk,
            "starts_at": meeting.starts_at.astimezone(UTC).isoformat(),
            "minutes_version": version.number,
            "shared_at": now.astimezone(UTC).isoformat(),
        },
        "engagement": {"id": engagement.pk},
        "client": {"id": engagement.client_id},
    }
    key = f"meeting:{meeting.pk}:minutes:{version.number}"
    emit("meeting.minutes_shared", data, organization=engagement.client_id, engagement=engagement, key=key, now=now)


def _client_readers(meeting) -> list:
    """The client's participants with an account, and the key user."""
    people = {
        a.user_id: a.user for a in meeting.attendees.filter(side=Side.CLIENT, user__isnull=False).select_related("user")
    }
    if not people:
        people = {
            p.user_id: p.user
            for p in meeting.series.participants.filter(side=Side.CLIENT, user__isnull=False).select_related("user")
        }
    key_user = policy.key_user_of(meeting.engagement)
    if key_user is not None:
        people[key_user.pk] = key_user
    return [user for user in people.values() if user.is_active and user.is_client_user]


def _shared_requests(meeting, version) -> list[NotifyRequest]:
    readers = _client_readers(meeting)
    if not readers:
        return []
    return [
        NotifyRequest(
            event=f"governance.minutes:{meeting.pk}:v{version.number}",
            recipients=readers,
            category=CATEGORY,
            template=SHARED_TEMPLATE,
            context={
                "title": meeting.title,
                "engagement_name": meeting.engagement.name,
                "starts_at": meeting.starts_at,
                "number": version.number,
                "change_note": version.change_note,
            },
            target=meeting,
            url=reverse("portal:meeting", args=[meeting.pk]) + f"?version={version.number}",
        )
    ]


# --- What changed -----------------------------------------------------------------------------------------------


def _flatten(content: dict) -> dict:
    rows = {}
    for section in content.get("sections", []):
        rows[section["id"]] = section
        for entry in section.get("entries", []):
            rows[entry["id"]] = entry
    return rows


def _outcome_line(outcome: dict) -> str:
    line = outcome["text"]
    if outcome.get("kind") == "action":
        line += f" [{outcome.get('owner') or '—'}, {outcome.get('due_on') or '—'}, {outcome.get('status')}]"
    return line


def _text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Line by line: ("-", removed), ("+", added), (" ", kept)."""
    lines = []
    for line in difflib.ndiff((before or "").splitlines(), (after or "").splitlines()):
        if line.startswith(("- ", "+ ", "  ")):
            lines.append((line[0], line[2:]))
    return lines


def minutes_changes(old: dict, new: dict) -> list[dict]:
    """What changed from version ``old`` to ``new``, per agenda item: added, removed, or its title, minutes or
    outcomes changed; and the attendance."""
    before, after = _flatten(old), _flatten(new)
    changes = []
    for key, item in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append({"kind": "added", "title": item["title"], "lines": _text_diff("", item.get("minutes", ""))})
            continue
        lines = []
        if previous["title"] != item["title"]:
            lines += [("-", previous["title"]), ("+", item["title"])]
        if previous.get("minutes", "") != item.get("minutes", ""):
            lines += _text_diff(previous.get("minutes", ""), item.get("minutes", ""))
        old_outcomes = [_outcome_line(o) for o in previous.get("outcomes", [])]
        new_outcomes = [_outcome_line(o) for o in item.get("outcomes", [])]
        if old_outcomes != new_outcomes:
            lines += [("-", line) for line in old_outcomes if line not in new_outcomes]
            lines += [("+", line) for line in new_outcomes if line not in old_outcomes]
        if lines:
            changes.append({"kind": "changed", "title": item["title"], "lines": lines})
    for key, item in before.items():
        if key not in after:
            changes.append({"kind": "removed", "title": item["title"], "lines": []})
    old_people = [f"{a['name']}: {a['attendance']}" for a in old.get("attendees", [])]
    new_people = [f"{a['name']}: {a['attendance']}" for a in new.get("attendees", [])]
    if old_people != new_people:
        changes.append(
            {
                "kind": "attendance",
                "title": "",
                "lines": [("-", p) for p in old_people if p not in new_people]
                + [("+", p) for p in new_people if p not in old_people],
            }
        )
    return changes


# --- The client's answer ----------------------------------------------------------------------------------------


@transaction.atomic
def minutes_acknowledge(*, by, version: MinutesVersion, now=None, context=None) -> MinutesAcknowledgement:
    """The key user confirms they read this version (the latest); the first acknowledgement's signed receipt is
    written with it (``context``: how they signed in and from where)."""
    now = now or timezone.now()
    meeting = version.meeting
    if not permissions.may_acknowledge_minutes(by, meeting):
        raise PermissionDenied
    if version.number != meeting.minutes_version:
        raise ValidationError(_("A newer version of these minutes was shared: read that one."))
    acknowledgement, created = MinutesAcknowledgement.objects.get_or_create(
        version=version, user=by, defaults={"at": now}
    )
    if created:
        minutes_receipt(acknowledgement, context=context)
    return acknowledgement


@transaction.atomic
def minutes_comment_add(*, by, meeting: Meeting, body: str, now=None) -> MinutesComment:
    """A comment on the latest shared version: the key user's, told to the owner and the CSM; or the team's
    answer, told to the key user."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("engagement__csm", "owner").get(pk=meeting.pk)
    if not permissions.may_comment_minutes(by, meeting):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    version = meeting.minutes_versions.order_by("-number").first()
    comment = MinutesComment.objects.create(meeting=meeting, version=version, author=by, body=body, created_at=now)
    if by.is_client_user:
        recipients = [meeting.owner, meeting.engagement.csm]
        url = reverse("governance:meeting", args=[meeting.pk]) + "#minutes-comments"
    else:
        recipients = [policy.key_user_of(meeting.engagement)]
        url = reverse("portal:meeting", args=[meeting.pk]) + "#minutes-comments"
    recipients = [u for u in recipients if u is not None and u.is_active and u.pk != by.pk]
    if recipients:
        notify_many(
            [
                NotifyRequest(
                    event=f"governance.minutes_comment:{comment.pk}",
                    recipients=recipients,
                    category=CATEGORY,
                    template=COMMENT_TEMPLATE,
                    context={
                        "title": meeting.title,
                        "engagement_name": meeting.engagement.name,
                        "by_name": str(by),
                        "body": body,
                    },
                    target=meeting,
                    url=url,
                )
            ],
            now=now,
        )
    return comment
