"""A flag's crisis action plan: steps (owner side, owner, due date, risk if not done), agreeing the plan, and
status updates the client sees. Client-side steps are among the client's tasks; their owners update them there."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from engagements import policy

from .. import permissions
from ..models import ActionStep, EventKind, FlagStatus, RedFlag, StepSide, StepStatus
from ._common import actor_name, client_informed, event, lock, refuse_if_final, save, tell
from .flags import RUNNING, _acknowledge


def _check_owner(*, flag: RedFlag, owner: User, side: str) -> None:
    if side == StepSide.CLIENT:
        if not owner.is_client_user or owner.organization_id != flag.engagement.client_id or not owner.is_active:
            raise ValidationError({"owner": _("A client-side step belongs to a person of the client.")})
    elif not policy.is_staff(owner) or not policy.may_see(owner, flag.engagement):
        raise ValidationError({"owner": _("A vendor-side step belongs to someone on the project team.")})


@transaction.atomic
def step_add(
    *,
    flag: RedFlag | int,
    by: User,
    title: str,
    owner_side: str,
    owner: User,
    due_on: date,
    risk: str,
    now=None,
) -> ActionStep:
    state = lock(flag, by=by, now=now, staff=True)
    flag = state.flag
    refuse_if_final(flag)
    if flag.status == FlagStatus.RESOLVED:
        raise ValidationError(_("The red flag is resolved; reopen it to change its plan."))
    title, risk = (title or "").strip(), (risk or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Say what the step is.")
    if not risk:
        errors["risk"] = _("Say what happens if the step is not done.")
    if owner_side not in StepSide.values:
        errors["owner_side"] = _("Choose the side that owns the step.")
    if due_on is None:
        errors["due_on"] = _("Give the step a due date.")
    if errors:
        raise ValidationError(errors)
    _check_owner(flag=flag, owner=owner, side=owner_side)
    position = (flag.steps.aggregate(last=Max("position"))["last"] or 0) + 1
    step = ActionStep.objects.create(
        flag=flag,
        position=position,
        title=title[:300],
        owner_side=owner_side,
        owner=owner,
        due_on=due_on,
        risk=risk,
        created_by=by,
        created_at=state.now,
    )
    event(flag, EventKind.STEP_ADDED, by=by, now=state.now, step=step.pk, title=step.title, side=owner_side)
    client_informed(state)
    save(flag, state.now)
    if flag.plan_agreed_at is not None:
        _tell_owner(step, now=state.now)
    return step


def _tell_owner(step: ActionStep, *, now) -> None:
    tell(
        step.flag,
        event_name=f"redflag:{step.flag_id}:step:{step.pk}",
        kind="step",
        now=now,
        staff=[step.owner],
        clients=[step.owner],
        step_title=step.title,
        due_on=step.due_on,
    )


@transaction.atomic
def plan_agree(*, flag: RedFlag | int, by: User, now=None) -> RedFlag:
    """The plan is agreed with the client: the flag shows it, and every step's owner is told."""
    state = lock(flag, by=by, now=now, staff=True)
    flag = state.flag
    if flag.status not in RUNNING:
        raise ValidationError(
            _("A plan can be agreed while the team works on the red flag (not waiting, resolved or closed).")
        )
    steps = list(flag.steps.select_related("owner", "flag__engagement"))
    if not steps:
        raise ValidationError(_("Add at least one step before agreeing the plan."))
    if flag.level_acknowledged_at is None:
        _acknowledge(state, by=by)
    flag.status = FlagStatus.PLAN_AGREED
    flag.plan_agreed_at = state.now
    flag.plan_agreed_by = by
    client_informed(state)
    event(flag, EventKind.PLAN_AGREED, by=by, now=state.now, steps=len(steps))
    save(flag, state.now)
    tell(flag, event_name=f"redflag:{flag.pk}:plan:{state.now.isoformat()}", kind="plan_agreed", now=state.now)
    for step in steps:
        if step.is_open:
            _tell_owner(step, now=state.now)
    return flag


@transaction.atomic
def step_update(*, step: ActionStep | int, by: User, status: str, note: str = "", now=None) -> ActionStep:
    """Post a step's status (and a note the client sees): staff on any step, client people on client-side steps
    (``permissions.may_update_step``)."""
    step_id = step.pk if isinstance(step, ActionStep) else step
    visible = ActionStep.objects.visible_to(by).select_related("flag__engagement").filter(pk=step_id).first()
    if visible is None or not permissions.may_update_step(by, visible):
        raise PermissionDenied
    state = lock(visible.flag_id, by=by, now=now)
    flag = state.flag
    refuse_if_final(flag)
    if status not in StepStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    step = ActionStep.objects.select_for_update().get(pk=step_id)
    note = (note or "").strip()[:500]
    if step.status == status and not note:
        raise ValidationError(_("Change the status or write a note."))
    old = step.status
    step.status = status
    step.status_note = note or step.status_note
    step.done_at = state.now if status == StepStatus.DONE else None
    step.save()
    event(
        flag,
        EventKind.STEP_CHANGED,
        by=by,
        now=state.now,
        body=note,
        step=step.pk,
        title=step.title,
        status=[old, status],
    )
    if not by.is_client_user:
        client_informed(state)
    save(flag, state.now)
    if by.is_client_user:
        tell(
            flag,
            event_name=f"redflag:{flag.pk}:step:{step.pk}:{state.now.isoformat()}",
            kind="reply",
            now=state.now,
            staff=[flag.owner],
            clients=[],
            actor=actor_name(by),
            body=step.title + (f"\n{note}" if note else ""),
        )
    return step
