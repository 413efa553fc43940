"""The client's decisions (stages and the work plan, and what a rejection reopens), the go-live gate they open, and
satisfaction questions."""

from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from engagements import policy
from engagements.figures import figures_refresh
from engagements.health import Health, health_of
from engagements.models import Engagement, Side
from engagements.services import engagement_acting_pm, engagement_lock
from notifications.services import NotifyRequest, notify, notify_many
from webhooks.services import emit

from ..models import (
    CLOSED_ITEM_STATUSES,
    ChecklistItem,
    ChecklistStage,
    Decision,
    ItemCompletion,
    ItemStatus,
    SatisfactionReason,
    SatisfactionScore,
    StageAcceptance,
)
from ..plans import plan_of, snapshot_of
from ..receipts import acceptance_receipt
from ..reminders import CHECKLIST_CATEGORY, DECISIONS_CATEGORY, item_reminders_sync
from ..webhook_events import acceptance_data, acceptance_event_type
from .common import record_event, save


def go_live_missing(engagement: Engagement) -> list[str]:
    """What keeps an engagement from going live: the client's accepted work plan (the latest
    work-plan decision is an acceptance) and the acceptance of every stage that needs it.
    Empty when nothing is missing. The go-live phase gate (``ChecklistsConfig.ready``)."""
    missing = []
    latest = (
        StageAcceptance.objects.filter(engagement=engagement, stage__isnull=True).order_by("-decided_at", "-pk").first()
    )
    if latest is None:
        missing.append(_("the client has not accepted the work plan"))
    elif latest.decision != Decision.ACCEPTED:
        missing.append(_("the client rejected the work plan and has not accepted it since"))
    pending = list(
        ChecklistStage.objects.filter(engagement=engagement, acceptance_required=True, accepted_at__isnull=True)
        .order_by("position", "pk")
        .values_list("title", flat=True)
    )
    if pending:
        missing.append(_("stages still awaiting the client's acceptance: %(stages)s") % {"stages": ", ".join(pending)})
    return missing


@transaction.atomic
def acceptance_decide(
    *,
    by: User,
    engagement: Engagement,
    stage: ChecklistStage | None = None,
    decision: str,
    reason: str = "",
    now=None,
    context=None,
) -> StageAcceptance:
    """The key user accepts or rejects a stage (or the whole work plan when ``stage`` is None).

    Records who, when and the exact version; rejection needs a reason and reopens the stage.
    Each acceptance asks the client for a satisfaction score. The decision's signed receipt is written in the same
    transaction (``context``: how the person signed in and from where, ``receipts.context.decision_context``).
    """
    now = now or timezone.now()
    policy.require_see(by, engagement)
    if not policy.may_decide(by, engagement):
        raise PermissionDenied
    engagement = engagement_lock(engagement)
    if stage is not None:
        # Read again under the engagement lock: a double click must not record two acceptances.
        stage = ChecklistStage.objects.filter(pk=stage.pk, engagement=engagement).first()
        if stage is None or not stage.acceptance_required:
            raise ValidationError(_("This stage does not need the client's acceptance."))
        if stage.items.filter(closes_with=ItemCompletion.WORK_PLAN).exists():
            # One decision for one thing: this stage stands for the work plan, so the work plan's decision is its.
            raise ValidationError(_("This stage is decided with the work plan: accept or reject the work plan."))
        if decision == Decision.ACCEPTED and stage.accepted_at is not None:
            raise ValidationError(_("This stage is already accepted."))
    reason = (reason or "").strip()
    if decision == Decision.REJECTED and not reason:
        raise ValidationError({"reason": _("Tell us why you reject it, so we can put it right.")})
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Accept or reject.")})
    stages = ChecklistStage.objects.filter(engagement=engagement).prefetch_related("items")
    if stage is not None:
        stages = stages.filter(pk=stage.pk)
    stages = list(stages)
    if not stages:
        raise ValidationError(_("There is nothing to accept yet."))
    snapshot = snapshot_of(stages)
    if decision == Decision.ACCEPTED and stage is None:
        # Read under the engagement lock: a double click must not record the same baseline twice.
        latest = StageAcceptance.objects.filter(engagement=engagement, stage__isnull=True).order_by(
            "-decided_at", "-pk"
        )
        latest = latest.first()
        if (
            latest is not None
            and latest.decision == Decision.ACCEPTED
            and plan_of(latest.snapshot) == plan_of(snapshot)
        ):
            raise ValidationError(_("You already accepted this work plan; nothing changed since."))
    if (
        decision == Decision.ACCEPTED
        and stage is not None
        and any(item.status not in CLOSED_ITEM_STATUSES for item in stages[0].items.all())
    ):
        raise ValidationError(_("This stage still has open items; it can be accepted once they are done."))
    acceptance = save(
        StageAcceptance(
            engagement=engagement,
            stage=stage,
            decision=decision,
            reason=reason,
            decided_by=by,
            decided_at=now,
            snapshot=snapshot,
        )
    )
    acceptance_receipt(acceptance, context=context)
    if stage is not None:
        stage.accepted_at = now if decision == Decision.ACCEPTED else None
        stage.reopened_at = now if decision == Decision.REJECTED else None
        stage.reopened_reason = reason if decision == Decision.REJECTED else ""
        stage.save(update_fields=["accepted_at", "reopened_at", "reopened_reason"])
    if stage is None:
        _work_plan_tasks_follow(by=by, engagement=engagement, decision=decision, now=now)
        _work_plan_stages_follow(stages=stages, decision=decision, now=now)
    if decision == Decision.REJECTED:
        _rejection_reopen(by=by, engagement=engagement, acceptance=acceptance, stage=stage, stages=stages, now=now)
    if decision == Decision.ACCEPTED:
        SatisfactionScore.objects.create(
            engagement=engagement, reason=SatisfactionReason.ACCEPTANCE, acceptance=acceptance, asked_at=now
        )
    emit(
        acceptance_event_type(acceptance),
        acceptance_data(acceptance, engagement),
        organization=engagement.client_id,
        engagement=engagement,
        now=now,
    )
    figures_refresh([engagement.pk], now=now)
    return acceptance


def _work_plan_tasks_follow(*, by: User, engagement: Engagement, decision: str, now) -> None:
    """The tasks that stand for the client's acceptance of the work plan (``ItemCompletion.WORK_PLAN``) close
    with it, and open again when the client rejects the work plan, each change in the item's history."""
    items = ChecklistItem.objects.select_for_update(of=("self",)).filter(
        stage__engagement=engagement, closes_with=ItemCompletion.WORK_PLAN
    )
    if decision == Decision.ACCEPTED:
        items = items.exclude(status__in=CLOSED_ITEM_STATUSES)
    else:
        items = items.filter(status=ItemStatus.DONE)
    for item in items.select_related("stage__engagement"):
        if decision == Decision.ACCEPTED:
            changes = {"status": [item.status, ItemStatus.DONE], "decision": str(Decision.ACCEPTED.label)}
            item.status, item.completed_at, item.completed_by = ItemStatus.DONE, now, by
            action = "completed"
        else:
            changes = {"status": [item.status, ItemStatus.OPEN], "decision": str(Decision.REJECTED.label)}
            item.status, item.completed_at, item.completed_by = ItemStatus.OPEN, None, None
            action = "reopened"
        item.save(update_fields=["status", "completed_at", "completed_by"])
        record_event(item, by=by, action=action, changes=changes, now=now)
        item_reminders_sync(item, now=now)


def _work_plan_stages_follow(*, stages: list[ChecklistStage], decision: str, now) -> None:
    """A stage that holds the task standing for the work plan's acceptance is accepted with the work plan and
    open again when the client rejects it: the client makes that decision once, not twice."""
    for stage in stages:
        items = stage.items.all()
        if stage.acceptance_required and any(item.closes_with == ItemCompletion.WORK_PLAN for item in items):
            stage.accepted_at = now if decision == Decision.ACCEPTED else None
            stage.save(update_fields=["accepted_at"])


# Days the team gets to rework what the client rejected, before the rework item is overdue.
REWORK_DAYS = 5


def _rejection_reopen(*, by: User, engagement: Engagement, acceptance, stage, stages, now) -> ChecklistItem:
    """Make a rejection workable: an open rework item (the client's reason as guidance) in the
    rejected stage, or for the whole work plan in its last stage, assigned to the PM (else the
    CSM; the deputy works it while the PM is away). It keeps the stage from being accepted until
    the team has dealt with it, shows in the next actions and gets the usual reminders. The CSM
    and PM are told the reason."""
    target = stage or stages[-1]
    acting_pm = engagement_acting_pm(engagement, on=timezone.localdate(now))
    # Assigned to the PM even while a deputy stands in (the cover routes it to them and hands it back on the PM's
    # return); the deputy is told below.
    owner = engagement.pm or engagement.csm
    position = (target.items.aggregate(m=Max("position"))["m"] or 0) + 10
    subject = target.title if stage is not None else _("the work plan")
    item = ChecklistItem(
        stage=target,
        title=(_("Rework after the client's rejection of %(subject)s") % {"subject": subject})[:300],
        guidance=acceptance.reason,
        owner_side=Side.VENDOR,
        assignee=owner,
        due_on=timezone.localdate(now) + timedelta(days=REWORK_DAYS),
        position=position,
        created_at=now,
    )
    save(item)
    record_event(item, by=by, action="created", changes={"rejection": acceptance.reason}, now=now)
    item_reminders_sync(item, now=now)
    recipients = [person for person in {engagement.csm, acting_pm, engagement.pm} if person is not None]
    anchor = f"#stage-{target.pk}"
    notify(
        event=f"engagement.rejection:{acceptance.pk}",
        recipients=recipients,
        category=DECISIONS_CATEGORY,
        template="checklists/email/rejection",
        context={
            "engagement_name": engagement.name,
            "subject": subject,
            "reason": acceptance.reason,
            "decided_by": str(by),
            "decided_at": now,
        },
        url=reverse("portfolio:engagement", args=[engagement.pk]) + anchor,
        now=now,
    )
    return item


@transaction.atomic
def satisfaction_answer(*, by: User, question: SatisfactionScore, score: int, comment: str = "", now=None):
    now = now or timezone.now()
    if not by.is_client_user:
        raise PermissionDenied
    question = (
        SatisfactionScore.objects.visible_to(by)
        .select_for_update(of=("self",))
        .select_related("engagement__csm", "engagement__pm", "engagement__deputy_pm")
        .filter(pk=question.pk)
        .first()
    )
    if question is None:
        raise PermissionDenied
    if question.score is not None:
        raise ValidationError(_("You already answered this question. Thank you!"))
    if score not in range(1, 6):
        raise ValidationError({"score": _("Choose a score from 1 to 5.")})
    engagement = question.engagement
    today = timezone.localdate(now)
    before, _signals = health_of(engagement, today=today)
    question.score, question.comment, question.answered_at, question.answered_by = score, comment.strip(), now, by
    save(question)
    figures_refresh([engagement.pk], now=now)
    after, _signals = health_of(engagement, today=today)
    if after != before:
        _health_changed_by_score(engagement=engagement, question=question, before=before, after=after, now=now)
    return question


def _health_changed_by_score(*, engagement: Engagement, question: SatisfactionScore, before, after, now) -> None:
    """A score that moves the engagement's health is told to the CSM and the acting PM, saying that the score is
    why (the page's health reasons say it too)."""
    acting_pm = engagement_acting_pm(engagement, on=timezone.localdate(now))
    notify(
        event=f"engagement.health_from_score:{question.pk}",
        recipients=[person for person in {engagement.csm, acting_pm} if person is not None],
        category=DECISIONS_CATEGORY,
        template="checklists/email/health_from_score",
        context={
            "engagement_name": engagement.name,
            "score": question.score,
            "comment": question.comment[:1000],
            "answered_by": str(question.answered_by),
            "health_before": str(Health(before).label),
            "health_after": str(Health(after).label),
        },
        url=reverse("portfolio:engagement", args=[engagement.pk]),
        now=now,
    )


@transaction.atomic
def satisfaction_ask_day30(*, now=None) -> int:
    """Ask every engagement 30 days past kickoff for a score, once (a unique constraint makes a
    repeated or concurrent run harmless), and tell the client's key users. Run from a periodic
    task; returns how many engagements were asked."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - timedelta(days=30)
    due = list(
        Engagement.objects.active()
        .filter(kickoff_on__lte=cutoff)
        .exclude(satisfaction_scores__reason=SatisfactionReason.DAY_30)
        .select_related("client")
    )
    rows = [SatisfactionScore(engagement=e, reason=SatisfactionReason.DAY_30, asked_at=now) for e in due]
    SatisfactionScore.objects.bulk_create(rows, ignore_conflicts=True)
    key_users = defaultdict(list)
    for user in User.objects.filter(
        organization_id__in={e.client_id for e in due}, role=Role.CLIENT_KEY_USER, is_active=True
    ):
        key_users[user.organization_id].append(user)
    # The event key makes each engagement's mail exist once, even if two ticks race past the exclude above.
    notify_many(
        [
            NotifyRequest(
                event=f"engagement.satisfaction_day30:{engagement.pk}",
                recipients=key_users[engagement.client_id],
                category=CHECKLIST_CATEGORY,
                template="checklists/email/satisfaction_day30",
                context={"engagement_name": engagement.name},
                url=reverse("portal:engagement", args=[engagement.pk]),
            )
            for engagement in due
            if key_users[engagement.client_id]
        ],
        now=now,
    )
    return len(due)
