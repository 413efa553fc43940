"""The promise ledger, on engagements' one ``Commitment`` model: promises recorded in meetings and conversations,
reminded before they are due, marked broken once when they pass unkept, and the kept-on-time rate.

- ``promise_record`` adds a commitment the vendor (or the client) made *to the other side* in a meeting or a
  conversation, usually shown to the client (``shown_to_client``), with its source object (the meeting).
- Every open commitment with a due time (the handoff's sales commitments too: engagements tells governance of
  each change through ``hooks.on_commitment_changed``) has a reminder row (kind ``governance.commitment``) due
  ``GOVERNANCE_PROMISE_REMIND_HOURS`` before; it reminds the owner once.
- ``promises_mark_broken`` is the sweep: a periodic tick claims open commitments past their due time that are not
  marked yet (``SKIP LOCKED``, a partial index), sets ``broken_at`` with a conditional update, so each breaks once,
  and tells the owner, the acting PM and the CSM. A broken promise is on the next meetings' agenda (the
  ``commitments`` agenda source) and in the engagement's health (``governance.health``). It can still be kept,
  late: the ledger says so.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements import policy
from engagements.models import Commitment, CommitmentStatus, Engagement, Side
from engagements.services import commitment_add
from notifications.models import Reminder, ReminderStatus
from notifications.services import NotifyRequest, notifications_withdraw, notify_many, reminder_schedule

from .lifecycle import CATEGORY

PROMISE_KIND = "governance.commitment"
MEETING_SOURCE = "meeting"
CONVERSATION_SOURCE = "conversation"
DUE_TEMPLATE = "governance/email/promise_due"
BROKEN_TEMPLATE = "governance/email/promise_broken"


def _key(commitment_pk: int) -> str:
    return f"governance-promise:{commitment_pk}"


def remind_before() -> timedelta:
    return timedelta(hours=settings.GOVERNANCE_PROMISE_REMIND_HOURS)


@transaction.atomic
def promise_record(
    *,
    by,
    engagement: Engagement,
    description: str,
    owner,
    due_at: datetime,
    source: str = CONVERSATION_SOURCE,
    source_object=None,
    side: str = Side.VENDOR,
    shown_to_client: bool = True,
    now: datetime | None = None,
) -> Commitment:
    """Record a promise ("we will send an update by Friday 12:00") with its owner, due time and source."""
    now = now or timezone.now()
    policy.require_work(by, engagement)
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be aware")
    if due_at <= now:
        raise ValidationError({"due_at": _("A promise is due at a time still to come.")})
    if not (description or "").strip():
        raise ValidationError({"description": _("Write what was promised.")})
    commitment = commitment_add(
        by=by,
        engagement=engagement,
        description=description,
        owner=owner,
        due_at=due_at,
        source=source,
        side=side,
        now=now,
    )
    commitment.shown_to_client = shown_to_client
    if source_object is not None:
        commitment.source_type = ContentType.objects.get_for_model(source_object)
        commitment.source_id = str(source_object.pk)
    commitment.save(update_fields=["shown_to_client", "source_type", "source_id"])
    return commitment


def commitment_reminder_sync(commitment: Commitment, *, now: datetime | None = None) -> None:
    """Keep a commitment's reminder row right after any change (called by engagements' hook)."""
    now = now or timezone.now()
    key = _key(commitment.pk)
    if commitment.status != CommitmentStatus.OPEN:
        # Kept or dropped: the "due" and "broken" notices nobody read or got yet are no longer needed.
        notifications_withdraw(target=commitment, category=CATEGORY, now=now)
    if commitment.status != CommitmentStatus.OPEN or commitment.due_at <= now:
        Reminder.objects.filter(key=key, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED, updated_at=now
        )
        return
    reminder_schedule(
        key=key,
        kind=PROMISE_KIND,
        due_at=max(commitment.due_at - remind_before(), now),
        target=commitment,
        payload={"due_at": commitment.due_at.isoformat()},
        now=now,
    )


def _recipients(commitment, *, extra_managers: bool):
    engagement = commitment.engagement
    people = [commitment.owner]
    if extra_managers:
        people += [engagement.pm, engagement.csm]
    seen, result = set(), []
    for person in people:
        if person is not None and person.is_active and person.pk not in seen:
            seen.add(person.pk)
            result.append(person)
    return result


def _url_for(user, commitment) -> str:
    if user.is_client_user:
        return reverse("portal:promises")
    return reverse("governance:plan", args=[commitment.engagement_id]) + "#promises"


def _requests(commitments, *, event, template, extra_managers, now) -> list[NotifyRequest]:
    requests = []
    for commitment in commitments:
        for user in _recipients(commitment, extra_managers=extra_managers):
            requests.append(
                NotifyRequest(
                    event=f"{event}:{commitment.pk}",
                    recipients=[user],
                    category=CATEGORY,
                    template=template,
                    context={
                        "description": commitment.description,
                        "engagement_name": commitment.engagement.name,
                        "due_at": commitment.due_at,
                        "owner_name": str(commitment.owner),
                    },
                    target=commitment,
                    url=_url_for(user, commitment),
                )
            )
    return requests


def remind_promises(reminders: list[Reminder], *, now: datetime) -> dict:
    """The reminder kind: the owner is reminded once before a promise is due (if it is still open)."""
    ids = [int(r.target_id) for r in reminders if r.target_id]
    commitments = {
        c.pk: c
        for c in Commitment.objects.filter(pk__in=ids).select_related("owner", "engagement__pm", "engagement__csm")
    }
    due = []
    for reminder in reminders:
        commitment = commitments.get(int(reminder.target_id or 0))
        if commitment is not None and commitment.status == CommitmentStatus.OPEN and commitment.due_at > now:
            due.append(commitment)
    notify_many(
        _requests(due, event="governance.promise_due", template=DUE_TEMPLATE, extra_managers=False, now=now), now=now
    )
    return {reminder.pk: None for reminder in reminders}


def promises_mark_broken(*, now: datetime | None = None, batch: int = 500) -> int:
    """The sweep: mark each open commitment past its due time broken, once, and tell its people."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Commitment.objects.filter(status=CommitmentStatus.OPEN, broken_at__isnull=True, due_at__lt=now)
                .order_by("due_at")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return total
            # Conditional: a row another sweep marked in between (or one kept meanwhile) is left alone.
            Commitment.objects.filter(pk__in=ids, status=CommitmentStatus.OPEN, broken_at__isnull=True).update(
                broken_at=now
            )
            broken = list(
                Commitment.objects.filter(pk__in=ids, broken_at=now).select_related(
                    "owner", "engagement__pm", "engagement__csm"
                )
            )
            notify_many(
                _requests(
                    broken, event="governance.promise_broken", template=BROKEN_TEMPLATE, extra_managers=True, now=now
                ),
                now=now,
            )
            total += len(broken)
            if len(ids) < batch:
                return total


# --- Kept-on-time rates -----------------------------------------------------------------------------------------


@dataclass
class PromiseRate:
    label: str
    due: int
    kept_on_time: int
    broken: int
    pk: int | None = None

    @property
    def rate(self) -> int | None:
        return round(100 * self.kept_on_time / self.due) if self.due else None


def _counted(now, window):
    """Commitments due in the window (not dropped): each is kept on time, kept late, broken or still open."""
    return Commitment.objects.filter(due_at__lt=now, due_at__gte=now - window).exclude(status=CommitmentStatus.DROPPED)


RATE_ANNOTATIONS = {
    "due": Count("pk"),
    "kept_on_time": Count("pk", filter=Q(status=CommitmentStatus.KEPT, closed_at__lte=F("due_at"))),
    "broken": Count("pk", filter=Q(broken_at__isnull=False)),
}


def promise_rates(*, user, now: datetime | None = None, window: timedelta = timedelta(days=180)):
    """The kept-on-time rate per engagement and per PM over the window, for the engagements ``user`` sees (two
    queries, whatever the number of commitments)."""
    now = now or timezone.now()
    counted = _counted(now, window).filter(engagement__in=Engagement.objects.visible_to(user))
    by_engagement = [
        PromiseRate(
            label=f"{row['engagement__client__name']} — {row['engagement__name']}",
            pk=row["engagement_id"],
            due=row["due"],
            kept_on_time=row["kept_on_time"],
            broken=row["broken"],
        )
        for row in counted.values("engagement_id", "engagement__name", "engagement__client__name")
        .annotate(**RATE_ANNOTATIONS)
        .order_by("engagement__client__name", "engagement__name")
    ]
    by_pm = [
        PromiseRate(
            label=row["engagement__pm__full_name"] or _("No PM"),
            pk=row["engagement__pm"],
            due=row["due"],
            kept_on_time=row["kept_on_time"],
            broken=row["broken"],
        )
        for row in counted.values("engagement__pm", "engagement__pm__full_name")
        .annotate(**RATE_ANNOTATIONS)
        .order_by("engagement__pm__full_name")
    ]
    return by_engagement, by_pm
