"""Demo checklists for seed_demo: the default template applied to each new, started demo engagement, with some
items done (evidence attached), spending entries, and the client's acceptances on the live one. Runs after the
engagements seeder, which lists the engagements it created in ``world["new_engagements"]``."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engagements.models import Side

from . import services
from .models import CLOSED_ITEM_STATUSES, ChecklistItem, Decision, Evidence


def seed(world):
    people, clients = world["people"], world["clients"]
    admin = people["admin@northwind.example"]
    for engagement, slug, days, done in world.pop("new_engagements", []):
        key_user = next(u for u in people.values() if u.organization_id == clients[slug].pk and u.is_key_user)
        _build(engagement, key_user=key_user, slug=slug, days=days, done=done, by=admin)
        if done and days < 30:
            _plan(engagement, by=engagement.csm)
    return world


def _plan(engagement, *, by):
    """A plan with dependencies in an onboarding: the client's first open task, three working days late, and the
    two open items of ours after it waiting for it in a chain, so the forecast and the critical path show it."""
    items = list(
        ChecklistItem.objects.filter(stage__engagement=engagement)
        .exclude(status__in=CLOSED_ITEM_STATUSES)
        .select_related("stage__engagement")
        .order_by("stage__position", "position", "pk")
    )
    client_task = next((item for item in items if item.owner_side == Side.CLIENT), None)
    ours = [item for item in items if item.owner_side == Side.VENDOR and client_task and item.pk != client_task.pk]
    if client_task is None or len(ours) < 2:
        return
    calendar = services.plan_of(engagement, today=timezone.localdate())[2]
    late_on = calendar.add(calendar.on_or_after(timezone.localdate()), -3)
    services.item_update(by=by, item=client_task, due_on=late_on)
    services.dependency_add(by=by, item=ours[0], predecessor_id=client_task.pk)
    services.dependency_add(by=by, item=ours[1], predecessor_id=ours[0].pk, lag_days=1)


def _build(engagement, *, key_user, slug, days, done, by):
    now = timezone.now()
    template = services.template_default_ensure()
    stages = services.template_apply(by=by, engagement=engagement, template=template)
    for stage in stages:
        for item in list(stage.items.all())[:done]:
            services.item_complete(
                by=by,
                item=item,
                evidence_link="https://docs.example.com/onboarding" if item.evidence_required == Evidence.LINK else "",
                evidence_file=SimpleUploadedFile(f"{slug}-evidence.txt", b"Signed off.\n")
                if item.evidence_required == Evidence.FILE
                else None,
            )
    # Spending so far, as entries, so the budget card shows a burn against the plan.
    for position, stage in enumerate(stages[:2] if done else []):
        services.stage_actual_add(
            by=engagement.csm,
            stage=stage,
            spent_on=engagement.kickoff_on + timedelta(days=position * 3),
            effort_days=Decimal("2.5") + position,
            amount=Decimal("2000") + 800 * position,
            note="Workshops and set-up" if position == 0 else "Environment set-up",
            now=now,
        )
    if days >= 30:
        # A live engagement: the client accepted the work plan, and rated the first month.
        services.acceptance_decide(by=key_user, engagement=engagement, decision=Decision.ACCEPTED)
        for stage in stages:
            stage.refresh_from_db(fields=["accepted_at"])  # the work-plan stage is accepted with the work plan
            if stage.acceptance_required and stage.accepted_at is None:
                services.acceptance_decide(by=key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED)
        for question in engagement.satisfaction_scores.all():
            services.satisfaction_answer(by=key_user, question=question, score=4, comment="Good start.")
