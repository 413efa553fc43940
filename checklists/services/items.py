"""Checklist items: creating, changing, completing (with evidence), moving, removing and commenting on them.

Every change to an item's existence, due date, assignee or status calls ``item_reminders_sync`` inside the
transaction, so its reminders stay right. Each change is recorded in the item's history.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from attachments.services import attachment_store
from engagements import policy
from engagements.figures import figures_refresh
from engagements.models import Side
from engagements.services import engagement_people
from notifications.services import NotifyRequest, notifications_withdraw, notify_many
from webhooks.services import emit

from ..models import (
    CLOSED_ITEM_STATUSES,
    MANAGER_ONLY_STATUSES,
    ChecklistItem,
    ChecklistStage,
    Evidence,
    ItemComment,
    ItemCompletion,
    ItemStatus,
)
from ..reminders import CHECKLIST_CATEGORY, COMMENTS_CATEGORY, item_reminders_sync
from ..webhook_events import item_data
from .common import as_json, record_event, save
from .plan import plan_reschedule


@transaction.atomic
def item_create(
    *,
    by: User,
    stage: ChecklistStage,
    title: str,
    owner_side: str = Side.VENDOR,
    assignee: User | None = None,
    due_on: date | None = None,
    guidance: str = "",
    evidence_required: str = Evidence.NONE,
    now=None,
) -> ChecklistItem:
    now = now or timezone.now()
    policy.require_manage(by, stage.engagement)
    position = (stage.items.aggregate(m=Max("position"))["m"] or 0) + 10
    item = ChecklistItem(
        stage=stage,
        title=(title or "").strip(),
        owner_side=owner_side,
        assignee=assignee,
        due_on=due_on,
        guidance=guidance,
        evidence_required=evidence_required,
        position=position,
        created_at=now,
    )
    _validate_assignee(item)
    save(item)
    record_event(item, by=by, action="created", changes={}, now=now)
    item_reminders_sync(item, now=now)
    figures_refresh([item.stage.engagement_id], now=now)
    return item


def _validate_assignee(item: ChecklistItem) -> None:
    if item.assignee is None:
        return
    if not engagement_people(item.stage.engagement).filter(pk=item.assignee.pk).exists():
        raise ValidationError({"assignee": _("Choose someone working on this engagement.")})
    if item.assignee.is_client_user and item.owner_side != Side.CLIENT:
        # The client neither sees nor can complete our side's items (nor open a reminder's link to one).
        raise ValidationError({"assignee": _("Client people can only be assigned the client's own items.")})


ITEM_EDITABLE = ("title", "guidance", "assignee", "due_on", "status", "owner_side", "evidence_required")


@transaction.atomic
def item_update(*, by: User, item: ChecklistItem, now=None, **fields) -> ChecklistItem:
    """Change an item's fields (status, assignee, due date, ...), recording who changed what.

    Marking done goes through ``item_complete`` (evidence rules); structure fields (title,
    owner side, evidence) and taking an item out of the plan (``MANAGER_ONLY_STATUSES``) are for those who manage
    the engagement.
    """
    now = now or timezone.now()
    engagement = item.stage.engagement
    policy.require_work(by, engagement)
    shapes_the_plan = set(fields) - {"assignee", "due_on", "status"} or fields.get("status") in MANAGER_ONLY_STATUSES
    if shapes_the_plan and not policy.may_manage(by, engagement):
        raise PermissionDenied
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("stage__engagement", "assignee")
        .get(pk=item.pk)
    )
    changes = {}
    for field, value in fields.items():
        if field not in ITEM_EDITABLE:
            raise ValueError(field)
        old = getattr(item, field)
        if old != value:
            changes[field] = [as_json(old), as_json(value)]
            setattr(item, field, value)
    if not changes:
        return item
    if fields.get("status") == ItemStatus.DONE:
        _check_evidence(item)
    if "status" in changes:
        if item.status == ItemStatus.DONE:
            item.completed_at, item.completed_by = now, by
        elif item.status not in CLOSED_ITEM_STATUSES:
            item.completed_at, item.completed_by = None, None
    if "due_on" in changes:
        # A date chosen by hand no longer follows the kickoff or contract date, nor the plan's predecessors.
        item.due_from, item.due_offset_days = "", None
        item.due_pinned = item.due_on is not None
    if {"assignee", "owner_side"} & set(changes):
        # Only a new assignee is checked: someone who has since left the team does not block other edits.
        _validate_assignee(item)
    save(item)
    record_event(item, by=by, action="updated", changes=changes, now=now)
    if {"assignee", "due_on", "status"} & set(changes):
        item_reminders_sync(item, now=now)
    if {"due_on", "status"} & set(changes):
        kind = "moved" if "due_on" in changes else ("finished" if item.is_closed else "reopened")
        plan_reschedule(engagement=engagement, by=by, cause={"kind": kind, "item": item.title}, now=now)
    figures_refresh([item.stage.engagement_id], now=now)
    return item


def _check_evidence(item: ChecklistItem) -> None:
    if item.evidence_required == Evidence.LINK and not item.evidence_link:
        raise ValidationError({"evidence_link": _("This item needs a link as evidence before it can be done.")})
    if item.evidence_required == Evidence.FILE and not item.evidence_file_id:
        raise ValidationError({"evidence_file": _("This item needs a file as evidence before it can be done.")})


@transaction.atomic
def item_complete(
    *, by: User, item: ChecklistItem, evidence_link: str = "", evidence_file=None, now=None
) -> ChecklistItem:
    """Mark an item done, with its evidence (a link and/or an uploaded file).

    Client users may complete only their own side's items, from the portal.
    """
    now = now or timezone.now()
    engagement = item.stage.engagement
    policy.require_work_or_client(by, engagement)
    if by.is_client_user and item.owner_side != Side.CLIENT:
        raise PermissionDenied
    item = ChecklistItem.objects.select_for_update(of=("self",)).select_related("stage__engagement").get(pk=item.pk)
    if item.status == ItemStatus.DONE:
        raise ValidationError(_("This item is already done."))
    if by.is_client_user and item.closes_with == ItemCompletion.WORK_PLAN:
        raise ValidationError(_("This task is done when you accept the work plan on your project page."))
    if item.evidence_required == Evidence.LINK and not (evidence_link or item.evidence_link):
        # Refused before any file is stored: a rolled-back row would leave the file behind on disk.
        _check_evidence(item)
    changes = {"status": [item.status, ItemStatus.DONE]}
    if evidence_link:
        item.evidence_link = evidence_link
        changes["evidence_link"] = evidence_link
    if evidence_file is not None:
        item.evidence_file = attachment_store(uploaded_file=evidence_file, by=by)
        changes["evidence_file"] = item.evidence_file.original_name
    _check_evidence(item)
    item.status, item.completed_at, item.completed_by = ItemStatus.DONE, now, by
    save(item)
    record_event(item, by=by, action="completed", changes=changes, now=now)
    item_reminders_sync(item, now=now)
    plan_reschedule(engagement=engagement, by=by, cause={"kind": "finished", "item": item.title}, now=now)
    emit(
        "item.completed", item_data(item, engagement), organization=engagement.client_id, engagement=engagement, now=now
    )
    figures_refresh([engagement.pk], now=now)
    return item


@transaction.atomic
def item_delete(*, by: User, item: ChecklistItem, now=None) -> None:
    now = now or timezone.now()
    policy.require_manage(by, item.stage.engagement)
    # Reminders are dropped while the row still exists, so the sync can see what it was; what was already said
    # about the item is withdrawn.
    item_reminders_sync(item, now=now)
    notifications_withdraw(target=item, category=CHECKLIST_CATEGORY, now=now)
    engagement_id = item.stage.engagement_id
    item.delete()
    figures_refresh([engagement_id], now=now)


@transaction.atomic
def item_move(*, by: User, item: ChecklistItem, direction: str) -> ChecklistItem:
    """Swap an item with its neighbour above ("up") or below ("down") in its stage."""
    policy.require_manage(by, item.stage.engagement)
    siblings = list(ChecklistItem.objects.select_for_update().filter(stage_id=item.stage_id).order_by("position", "pk"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position * 10
        ChecklistItem.objects.bulk_update(siblings, ["position"])
        figures_refresh([item.stage.engagement_id])
    return next(s for s in siblings if s.pk == item.pk)


def item_reopen_allowed(*, by: User, item: ChecklistItem) -> bool:
    """May ``by`` take back the "done" on ``item`` (see ``item_reopen``)? Asked by the pages; a query at most (for
    staff off the engagement's lead roles: are they on its team?)."""
    if item.status != ItemStatus.DONE or not by.is_active:
        return False
    if by.is_client_user:
        # The client's own side only, and not once the stage is accepted (the acceptance covered it) nor an item
        # that closed with the work plan's acceptance (a new decision reopens that).
        return (
            item.owner_side == Side.CLIENT
            and item.closes_with == ItemCompletion.MANUAL
            and item.stage.accepted_at is None
            and by.organization_id == item.stage.engagement.client_id
        )
    return policy.may_work(by, item.stage.engagement)


@transaction.atomic
def item_reopen(*, by: User, item: ChecklistItem, now=None) -> ChecklistItem:
    """Take back a "done" given by mistake: the item is open again (its evidence kept), the reminders come back,
    and the history records who reopened it."""
    now = now or timezone.now()
    policy.require_see(by, item.stage.engagement)
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("stage__engagement", "assignee")
        .get(pk=item.pk)
    )
    if not item_reopen_allowed(by=by, item=item):
        if item.status != ItemStatus.DONE:
            raise ValidationError(_("This task is not done, so there is nothing to reopen."))
        if by.is_client_user and item.stage.accepted_at is not None:
            raise ValidationError(_("This task belongs to a stage you already accepted; ask your team to reopen it."))
        raise PermissionDenied
    item.status, item.completed_at, item.completed_by = ItemStatus.OPEN, None, None
    save(item)
    record_event(item, by=by, action="reopened", changes={"status": [ItemStatus.DONE, ItemStatus.OPEN]}, now=now)
    item_reminders_sync(item, now=now)
    plan_reschedule(engagement=item.stage.engagement, by=by, cause={"kind": "reopened", "item": item.title}, now=now)
    figures_refresh([item.stage.engagement_id], now=now)
    return item


@transaction.atomic
def item_comment_add(*, by: User, item: ChecklistItem, body: str, is_internal: bool = False, now=None) -> ItemComment:
    """Comment on an item. A client's comment or question is told to the item's assignee and the CSM (category
    "comments"), and waits in their "My work" until someone from the team answers; the team's answer on a client
    task is told to the client person it is assigned to."""
    now = now or timezone.now()
    engagement = item.stage.engagement
    policy.require_work_or_client(by, engagement)
    if by.is_client_user:
        # Clients comment on their own tasks only, and never internally.
        if item.owner_side != Side.CLIENT:
            raise PermissionDenied
        is_internal = False
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    comment = save(ItemComment(item=item, author=by, body=body, is_internal=is_internal, created_at=now))
    record_event(item, by=by, action="commented", changes={}, now=now)
    _comment_notify(comment, engagement=engagement, now=now)
    return comment


def _comment_notify(comment: ItemComment, *, engagement, now) -> None:
    item, author = comment.item, comment.author
    if author.is_client_user:
        staff = [engagement.csm]
        if item.assignee_id and not item.assignee.is_client_user:
            staff.append(item.assignee)
        requests = [(staff, reverse("checklists:item", args=[item.pk]) + "#comments")]
    elif not comment.is_internal and item.owner_side == Side.CLIENT and item.assignee_id:
        requests = [([item.assignee], reverse("portal:item", args=[item.pk]) + "#comments")]
    else:
        return
    context = {
        "item_title": item.title,
        "engagement_name": engagement.name,
        "author": str(author),
        "body": comment.body[:1000],
    }
    notify_many(
        [
            NotifyRequest(
                event=f"checklist.comment:{comment.pk}",
                recipients=[person for person in {p.pk: p for p in people}.values() if person.pk != author.pk],
                category=COMMENTS_CATEGORY,
                template="checklists/email/item_comment",
                context=context,
                url=url,
            )
            for people, url in requests
        ],
        now=now,
    )
