"""Escalations' lists on "My work" (``engagements.work``), registered in ``EscalationsConfig.ready``: the red flags
waiting for the person (theirs at the current level, and needing an acknowledgement, a client update or near a
deadline) and the vendor-side steps of crisis action plans assigned to them. Each list is two queries (the first
entries and the count), whatever the number of flags.

The client's own action-plan steps are among the client's tasks in the portal (``selectors.client_task_source``).
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from engagements import policy
from engagements.work import WorkEntry, WorkList, WorkResult, register_list

from .messages import flag_url
from .models import RUNNING_STATUSES, ActionStep, EscalationLevel, LevelRole, RedFlag, StepSide

# A deadline this close counts as near breach on My work (the breach warnings themselves come at the path's share).
NEAR_BREACH = timedelta(hours=24)

# Roles that are responsible for a level by themselves (every director, every executive), not per engagement.
ROLE_LEVELS = {Role.DIRECTOR: LevelRole.DIRECTOR, Role.EXECUTIVE: LevelRole.EXECUTIVE}


def _engagement(engagement) -> tuple[str, str]:
    return f"{engagement.client.name} — {engagement.name}", reverse("portfolio:engagement", args=[engagement.pk])


def _result(queryset, limit, entry) -> WorkResult:
    # Always the same two queries (the count even when the first page holds everything).
    rows = list(queryset[:limit])
    return WorkResult(entries=[entry(row) for row in rows], total=queryset.count())


def _responsible(user) -> Q:
    """Flags ``user`` answers for at their current level: their owner, or a responsible person the level names
    (the engagement's PM or CSM, a named person, or every director or executive)."""
    level = EscalationLevel.objects.filter(path=OuterRef("path_id"), position=OuterRef("level"))
    mine = (
        Q(owner=user)
        | Exists(level.filter(responsible=LevelRole.PERSON, person=user))
        | (Q(engagement__pm=user) & Exists(level.filter(responsible=LevelRole.PM)))
        | (Q(engagement__csm=user) & Exists(level.filter(responsible=LevelRole.CSM)))
    )
    if user.role in ROLE_LEVELS:
        mine |= Exists(level.filter(responsible=ROLE_LEVELS[user.role]))
    return mine


def flags_waiting(*, user, today, limit: int) -> WorkResult:
    """Live flags that are the person's at their current level and need an acknowledgement, a client update soon,
    or have a deadline within ``NEAR_BREACH`` (or past), the most pressing first."""
    now = timezone.now()
    soon = now + NEAR_BREACH
    needs = (
        Q(level_acknowledged_at__isnull=True, ack_due_at__isnull=False)
        | Q(update_due_at__lte=soon)
        | Q(resolve_due_at__lte=soon)
    )
    flags = (
        RedFlag.objects.visible_to(user)
        .filter(status__in=RUNNING_STATUSES)
        .filter(_responsible(user))
        .filter(needs)
        .select_related("engagement__client")
        .order_by("next_due_at", "pk")
    )

    def entry(flag):
        if flag.level_acknowledged_at is None and flag.ack_due_at is not None:
            note, due_at = _("Level %(level)s: acknowledge") % {"level": flag.level}, flag.ack_due_at
        elif flag.update_due_at is not None and flag.update_due_at <= soon:
            note, due_at = _("The client is waiting for an update"), flag.update_due_at
        else:
            note, due_at = _("Resolve before the deadline"), flag.resolve_due_at
        engagement, engagement_url = _engagement(flag.engagement)
        return WorkEntry(
            title=flag.title,
            url=flag_url("escalations:flag", flag.pk),
            engagement=engagement,
            engagement_url=engagement_url,
            due_at=due_at,
            overdue=due_at is not None and due_at <= now,
            note=f"{flag.get_severity_display()} · {note}",
        )

    return _result(flags, limit, entry)


def plan_steps(*, user, today, limit: int) -> WorkResult:
    """Open vendor-side steps of crisis action plans that are the person's, by due date."""
    steps = (
        ActionStep.objects.visible_to(user)
        .open()
        .filter(owner=user, owner_side=StepSide.VENDOR)
        .select_related("flag__engagement__client")
        .order_by("due_on", "pk")
    )

    def entry(step):
        engagement, engagement_url = _engagement(step.flag.engagement)
        return WorkEntry(
            title=step.title,
            url=flag_url("escalations:flag", step.flag_id) + "#plan",
            engagement=engagement,
            engagement_url=engagement_url,
            due_on=step.due_on,
            overdue=step.due_on < today,
            note=_("Action plan: %(flag)s") % {"flag": step.flag.title},
        )

    return _result(steps, limit, entry)


def register() -> None:
    staff = policy.is_staff
    register_list(
        WorkList(
            "escalations.flags_waiting",
            gettext_lazy("Red flags waiting for you"),
            flags_waiting,
            position=5,
            for_user=staff,
            description=gettext_lazy(
                "Yours at their current level: to acknowledge, to update the client on, or close to a deadline."
            ),
        )
    )
    register_list(
        WorkList(
            "escalations.plan_steps",
            gettext_lazy("Action plan steps assigned to you"),
            plan_steps,
            position=45,
            for_user=staff,
        )
    )
