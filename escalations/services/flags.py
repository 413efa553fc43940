"""A red flag's life: raise, acknowledge, pause and resume, updates and notes, manual escalation, resolve, confirm,
reopen (duplicates are in ``duplicates``). Each service is one transaction that locks the flag's row (as the sweep
does), checks who may act again, moves its timers (``timers``) and writes its timeline and notifications in the same
transaction.

=====================  =================================================================================
who                    may
=====================  =================================================================================
client users           raise a flag on their organization's engagements, reply (which makes them a follower,
                       told of every change, but grants no decision)
the key user who       confirm a resolution or reopen a resolved or closed flag; mark a report a duplicate
decides for the        of another flag and take it back out (``permissions.may_answer_for_client``:
client                 ``policy.may_decide``, as for stage acceptance)
staff who work on the  raise on the client's behalf, acknowledge, pause and resume, post updates and notes,
engagement             resolve, reopen (``permissions.may_handle_flag``, ``may_reopen_flag``)
the owner, or those    escalate by hand to the next level (``permissions.may_escalate_flag``)
who manage it
=====================  =================================================================================
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from engagements.figures import figures_refresh
from engagements.models import Engagement
from webhooks.services import emit_many

from .. import messages, permissions, timers
from ..coverage import coverage_for
from ..models import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Escalation,
    EscalationReason,
    EventKind,
    FlagCategory,
    FlagFollower,
    FlagPause,
    FlagStatus,
    RedFlag,
    Severity,
)
from ..receipts import answer_receipt
from ..recipients import People, followers_of, route
from ..webhook_events import of_flag
from ._common import (
    Locked,
    actor_name,
    attach,
    client_informed,
    event,
    lock,
    refuse_if_final,
    save,
    send,
    tell,
    validate_files,
)

RUNNING = RUNNING_STATUSES


def _required(value: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _month_of(instant, zone) -> date:
    return instant.astimezone(zone).date().replace(day=1)


# --- Raising -------------------------------------------------------------------------------------------------------


@transaction.atomic
def flag_raise(
    *,
    engagement: Engagement,
    by: User,
    title: str,
    description: str,
    category: str,
    severity: str,
    files=(),
    reporter: User | None = None,
    reporter_name: str = "",
    now=None,
) -> RedFlag:
    """A client user raises a flag on their own engagement, or its team raises it on the client's behalf (naming
    the client person, as an account of that client or by name): ``permissions.may_raise_flag``. It starts at the
    first level."""
    now = now or timezone.now()
    if not permissions.may_raise_flag(by, engagement):
        raise PermissionDenied
    if by.is_client_user:
        reporter, reporter_name = by, ""
    elif reporter is not None and (not reporter.is_client_user or reporter.organization_id != engagement.client_id):
        raise ValidationError({"reporter": _("Choose a person of this client.")})
    title = _required(title, {"title": _("Give the red flag a short title.")})[:200]
    description = _required(description, {"description": _("Describe what happened.")})
    if category not in FlagCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Choose a severity.")})
    files = validate_files(files)

    coverage = coverage_for([engagement.pk])[engagement.pk]
    path = coverage.path
    if path is None or not path.levels:
        raise ValidationError(_("No escalation path is configured yet. Please tell the vendor's administrator."))
    first = min(path.levels)
    response_target, resolution_target = coverage.targets(
        path=path, level=first, severity=severity, on=now.astimezone(coverage.zone).date()
    )
    flag = RedFlag(
        engagement=engagement,
        title=title,
        description=description,
        category=category,
        severity=severity,
        raised_by=by,
        reporter=reporter,
        reporter_name=(reporter_name or "").strip()[:150] if reporter is None else "",
        raised_at=now,
        path_id=path.path_id,
        response_target=response_target,
        resolution_target=resolution_target,
        sla_month=_month_of(now, coverage.zone),
        updated_at=now,
    )
    flag.engagement = engagement
    timers.enter_level(flag, level=first, coverage=coverage, path=path, now=now)
    people = People(engagement_ids=[engagement.pk], now=now, paths=[path], rota_ids=[coverage.rota_id])
    owner, told = route(flag, coverage=coverage, path=path, level=first, people=people, now=now)
    flag.owner = owner
    flag.full_clean(exclude=["engagement", "path", "raised_by", "reporter", "owner"])
    flag.save()
    if reporter is not None:
        FlagFollower.objects.create(flag=flag, user=reporter, since=now)
    attach(event(flag, EventKind.RAISED, by=by, now=now, severity=severity, category=category), files, by=by)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:raised",
        kind="raised",
        now=now,
        staff=told,
        actor=actor_name(by),
        due_at=flag.ack_due_at,
    )
    emit_many([of_flag("red_flag.raised", flag, key=f"redflag:{flag.pk}:raised")], now=now)
    figures_refresh([flag.engagement_id], now=now)
    return flag


# --- The vendor at work -----------------------------------------------------------------------------------------


def _acknowledge(state: Locked, *, by) -> None:
    flag = state.flag
    timers.acknowledge(flag, coverage=state.coverage, path=state.path, now=state.now)
    flag.owner = by
    flag.last_update_at = state.now
    if flag.status in (FlagStatus.OPEN, FlagStatus.REOPENED):
        flag.status = FlagStatus.ACKNOWLEDGED
    event(flag, EventKind.ACKNOWLEDGED, by=by, now=state.now)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:ack:{flag.cycle}:{flag.level}",
        kind="acknowledged",
        now=state.now,
        actor=actor_name(by),
    )
    emit_many(
        [of_flag("red_flag.acknowledged", flag, key=f"redflag:{flag.pk}:ack:{flag.cycle}:{flag.level}")],
        now=state.now,
    )


@transaction.atomic
def flag_acknowledge(*, flag: RedFlag | int, by: User, expected_level: int | None = None, now=None) -> RedFlag:
    """Staff take the flag at its current level (and own it). Under the flag's lock, so it cannot race the sweep:
    an acknowledgement that comes after the deadline's escalation is refused when it names the old level."""
    state = lock(flag, by=by, now=now, staff=True)
    flag = state.flag
    refuse_if_final(flag)
    if expected_level is not None and expected_level != flag.level:
        raise ValidationError(
            _("The red flag moved to level %(level)s meanwhile. Acknowledge it again if you take it at this level.")
            % {"level": flag.level}
        )
    if flag.status not in RUNNING:
        raise ValidationError(_("Only a red flag the team is working on can be acknowledged."))
    if flag.level_acknowledged_at is not None:
        raise ValidationError(_("The red flag is already acknowledged at this level."))
    _acknowledge(state, by=by)
    save(flag, state.now)
    figures_refresh([flag.engagement_id], now=state.now)
    return flag


@transaction.atomic
def flag_post_update(*, flag: RedFlag | int, by: User, body: str, internal: bool = False, files=(), now=None):
    """A client-visible update (it restarts the "update at least every X hours" timer and, on a flag nobody has
    acknowledged yet, acknowledges it) or a vendor-internal note (the client never sees it)."""
    state = lock(flag, by=by, now=now, staff=True)
    flag = state.flag
    body = _required(body, {"body": _("Write the update.")})
    files = validate_files(files)
    if internal:
        attach(event(flag, EventKind.NOTE, by=by, now=state.now, body=body, internal=True), files, by=by)
        save(flag, state.now)
        return flag
    refuse_if_final(flag)
    if flag.status in RUNNING and flag.level_acknowledged_at is None:
        _acknowledge(state, by=by)
    client_informed(state)
    attach(event(flag, EventKind.UPDATE, by=by, now=state.now, body=body), files, by=by)
    save(flag, state.now)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:update:{state.now.isoformat()}",
        kind="update",
        now=state.now,
        actor=actor_name(by),
        body=body,
    )
    return flag


@transaction.atomic
def flag_pause(*, flag: RedFlag | int, by: User, reason: str, now=None) -> RedFlag:
    """The vendor waits on the client: every running timer stops with the business time it had left, and the
    client sees what they are asked for."""
    state = lock(flag, by=by, now=now, staff=True)
    flag = state.flag
    reason = _required(reason, {"reason": _("Say what you need from the client.")})
    if flag.status not in RUNNING:
        raise ValidationError(_("Only a red flag the team is working on can wait on the client."))
    client_informed(state)
    flag.status_before_pause = flag.status
    flag.status = FlagStatus.WAITING
    timers.pause(flag, coverage=state.coverage, now=state.now)
    FlagPause.objects.create(flag=flag, reason=reason, started_at=state.now, started_by=by)
    event(flag, EventKind.PAUSED, by=by, now=state.now, body=reason)
    save(flag, state.now)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:waiting:{state.now.isoformat()}",
        kind="waiting",
        now=state.now,
        actor=actor_name(by),
        body=reason,
    )
    figures_refresh([flag.engagement_id], now=state.now)
    return flag


def _resume(state: Locked, *, by) -> None:
    flag = state.flag
    timers.resume(flag, coverage=state.coverage, now=state.now)
    flag.status = flag.status_before_pause or FlagStatus.ACKNOWLEDGED
    flag.status_before_pause = ""
    FlagPause.objects.filter(flag=flag, ended_at__isnull=True).update(ended_at=state.now, ended_by=by)
    event(flag, EventKind.RESUMED, by=by, now=state.now)


@transaction.atomic
def flag_resume(*, flag: RedFlag | int, by: User, now=None) -> RedFlag:
    """The clock runs again (staff, or the client by replying): each timer gets the time it had left."""
    state = lock(flag, by=by, now=now, staff=True)
    if state.flag.status != FlagStatus.WAITING:
        raise ValidationError(_("The red flag is not waiting on the client."))
    _resume(state, by=by)
    client_informed(state)
    save(state.flag, state.now)
    figures_refresh([state.flag.engagement_id], now=state.now)
    return state.flag


@transaction.atomic
def flag_escalate(*, flag: RedFlag | int, by: User, reason: str, now=None) -> RedFlag:
    """Move the flag to the next level by hand: its owner, or those who manage the engagement."""
    state = lock(flag, by=by, now=now, staff=True)
    flag = state.flag
    if not permissions.may_escalate_flag(by, flag):
        raise PermissionDenied
    reason = _required(reason, {"reason": _("Say why it needs the next level.")})
    if flag.status not in RUNNING:
        raise ValidationError(_("Only a red flag the team is working on (clock running) can be escalated."))
    target = state.path.next_level(flag.level)
    if target is None:
        raise ValidationError(_("The red flag is already at the last level."))
    escalation_enter(state, level=target, reason=EscalationReason.MANUAL, by=by, note=reason)
    save(flag, state.now)
    figures_refresh([flag.engagement_id], now=state.now)
    return flag


def escalation_enter(state: Locked, *, level: int, reason: str, by=None, due_at=None, note: str = "") -> bool:
    """Record the flag's entry into ``level`` once (the unique (flag, cycle, level, round) makes a repeat a no-op),
    move its timers and tell the level and the client. Returns whether this call made the escalation."""
    flag = state.flag
    owner, told = route(
        flag, coverage=state.coverage, path=state.path, level=level, people=state.people(), now=state.now
    )
    try:
        with transaction.atomic():
            Escalation.objects.create(
                flag=flag,
                cycle=flag.cycle,
                level=level,
                round=0,
                reason=reason,
                due_at=due_at,
                at=state.now,
                by=by,
                owner=owner,  # as the sweep records it: who the level meant then
            )
    except IntegrityError:
        return False
    timers.enter_level(flag, level=level, coverage=state.coverage, path=state.path, now=state.now)
    flag.owner = owner
    name = messages.escalation_event(flag.pk, flag.cycle, level)
    event(flag, EventKind.ESCALATED, by=by, now=state.now, body=note, once_key=name, reason=reason, to_level=level)
    emit_many([of_flag("red_flag.escalated", flag, key=name, reason=reason)], now=state.now)
    clients = followers_of([flag.pk]).get(flag.pk, [])
    level_name = state.path.level(level).name
    send(
        messages.escalation_requests(flag, staff=told, clients=clients, reason=reason, level_name=level_name),
        now=state.now,
    )
    return True


# --- Resolution ---------------------------------------------------------------------------------------------------


@transaction.atomic
def flag_resolve(*, flag: RedFlag | int, by: User, resolution: str, now=None) -> RedFlag:
    """Staff resolve the flag; the client confirms or reopens it, else it closes itself after the path's delay."""
    state = lock(flag, by=by, now=now, staff=True)
    flag = state.flag
    resolution = _required(resolution, {"resolution": _("Say what was done.")})
    if flag.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open red flag can be resolved."))
    if flag.status == FlagStatus.WAITING:
        _resume(state, by=by)
    if flag.first_response_at is None:
        flag.first_response_at = state.now
    flag.status = FlagStatus.RESOLVED
    flag.resolved_at = state.now
    flag.resolution = resolution
    flag.last_update_at = state.now
    timers.resolve(flag, path=state.path, now=state.now)
    event(flag, EventKind.RESOLVED, by=by, now=state.now, body=resolution)
    save(flag, state.now)
    emit_many([of_flag("red_flag.resolved", flag, key=f"redflag:{flag.pk}:resolved:{flag.cycle}")], now=state.now)
    # Only those who decide for the client are asked to confirm or reopen; the other followers hear it is resolved.
    followers = followers_of([flag.pk]).get(flag.pk, [])
    deciders = [person for person in followers if permissions.may_answer_for_client(person, flag)]
    for kind, suffix, clients in (
        ("resolved", "", deciders),
        ("resolved_informed", ":informed", [person for person in followers if person not in deciders]),
    ):
        tell(
            flag,
            event_name=f"redflag:{flag.pk}:resolved:{flag.cycle}{suffix}",
            kind=kind,
            now=state.now,
            clients=clients,
            actor=actor_name(by),
            body=resolution,
            due_at=flag.auto_close_at,
        )
    figures_refresh([flag.engagement_id], now=state.now)
    return flag


@transaction.atomic
def flag_confirm(*, flag: RedFlag | int, by: User, now=None, context=None) -> RedFlag:
    """The client accepts the resolution and the flag closes: a decision for the client
    (``permissions.may_answer_for_client``); reporting or following the flag grants none. Its signed receipt is
    written in the same transaction (``context``: how they signed in and from where)."""
    state = lock(flag, by=by, now=now)
    flag = state.flag
    if not permissions.may_answer_for_client(by, flag):
        raise PermissionDenied
    if flag.status != FlagStatus.RESOLVED:
        raise ValidationError(_("Only a resolved red flag can be confirmed."))
    flag.status = FlagStatus.CLOSED
    flag.closed_at = state.now
    flag.confirmed_by = by
    timers.stop_all(flag)
    answer_receipt(flag, event(flag, EventKind.CONFIRMED, by=by, now=state.now), by=by, context=context)
    save(flag, state.now)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:closed:{flag.cycle}",
        kind="closed",
        now=state.now,
        staff=[flag.owner],
        clients=[],
        actor=actor_name(by),
    )
    figures_refresh([flag.engagement_id], now=state.now)
    return flag


@transaction.atomic
def flag_reopen(*, flag: RedFlag | int, by: User, reason: str, now=None, context=None) -> RedFlag:
    """The client's decider or staff (``permissions.may_reopen_flag``) reopen a resolved or closed flag: a new cycle
    starts at the level it had reached, which must acknowledge it again within that level's deadline. The client's
    reopening is a decision with a signed receipt (``context``: how they signed in and from where)."""
    state = lock(flag, by=by, now=now)
    flag = state.flag
    if not permissions.may_reopen_flag(by, flag):
        raise PermissionDenied
    reason = _required(reason, {"reason": _("Say why it is not resolved.")})
    if flag.status not in (FlagStatus.RESOLVED, FlagStatus.CLOSED):
        raise ValidationError(_("Only a resolved or closed red flag can be reopened."))
    flag.cycle += 1
    flag.status = FlagStatus.REOPENED
    flag.resolved_at = flag.closed_at = None
    flag.confirmed_by = None
    timers.stop_all(flag)
    timers.enter_level(flag, level=flag.level, coverage=state.coverage, path=state.path, now=state.now)
    owner, told = route(
        flag, coverage=state.coverage, path=state.path, level=flag.level, people=state.people(), now=state.now
    )
    flag.owner = owner
    answer = event(flag, EventKind.REOPENED, by=by, now=state.now, body=reason)
    answer_receipt(flag, answer, by=by, context=context)
    save(flag, state.now)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:reopened:{flag.cycle}",
        kind="reopened",
        now=state.now,
        staff=told,
        clients=[],
        actor=actor_name(by),
        body=reason,
        due_at=flag.ack_due_at,
    )
    figures_refresh([flag.engagement_id], now=state.now)
    return flag


# --- The client's side ------------------------------------------------------------------------------------------


@transaction.atomic
def flag_client_reply(*, flag: RedFlag | int, by: User, body: str, files=(), now=None) -> RedFlag:
    """A client person answers on the flag; on a flag waiting for them, the clock runs again."""
    state = lock(flag, by=by, now=now)
    flag = state.flag
    if not permissions.may_reply_to_flag(by, flag):
        raise PermissionDenied
    refuse_if_final(flag)
    body = _required(body, {"body": _("Write your reply.")})
    files = validate_files(files)
    attach(event(flag, EventKind.CLIENT_REPLY, by=by, now=state.now, body=body), files, by=by)
    if flag.status == FlagStatus.WAITING:
        _resume(state, by=by)
    FlagFollower.objects.get_or_create(flag=flag, user=by, defaults={"since": state.now})
    save(flag, state.now)
    tell(
        flag,
        event_name=f"redflag:{flag.pk}:reply:{state.now.isoformat()}",
        kind="reply",
        now=state.now,
        staff=[flag.owner],
        clients=[],
        actor=actor_name(by),
        body=body,
    )
    figures_refresh([flag.engagement_id], now=state.now)
    return flag
