"""Checklist templates: the shipped default, copies, applying one to an engagement, and due dates that follow the
engagement's kickoff (or contract) date."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from engagements import policy
from engagements.figures import figures_refresh
from engagements.models import Engagement, Side
from engagements.selectors import client_language
from engagements.services import engagement_lock

from ..default_template import (
    CLOSES_WITH,
    DEFAULT_STAGES,
    DEFAULT_TEMPLATE_DESCRIPTION,
    DEFAULT_TEMPLATE_KEY,
    DEFAULT_TEMPLATE_NAME,
    TRANSLATIONS,
)
from ..models import (
    CLOSED_ITEM_STATUSES,
    AssigneeRole,
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    DueFrom,
    ItemDependency,
    ItemEvent,
    TemplateItem,
    TemplateItemDependency,
    TemplateStage,
)
from ..reminders import item_reminders_sync
from .common import as_json, record_event, save
from .plan import plan_reschedule


def _template_create(
    *, key: str, language: str, name: str, description: str, is_default: bool, stages: list[dict]
) -> ChecklistTemplate:
    """A template with its stages and items, from plain data (``TemplateStage``/``TemplateItem`` field values,
    each stage's items under ``"items"``): the one place templates are built, by the default and by copies."""
    template = save(
        ChecklistTemplate(key=key, language=language, name=name, description=description, is_default=is_default)
    )
    for stage_fields in stages:
        items = stage_fields.pop("items")
        stage = TemplateStage.objects.create(template=template, **stage_fields)
        TemplateItem.objects.bulk_create(TemplateItem(stage=stage, **item_fields) for item_fields in items)
    return template


def _default_texts(language: str) -> tuple[str, str, list]:
    """The default template's name, description and per-stage (title, [(item title, guidance)]) in ``language``."""
    if language in TRANSLATIONS:
        return TRANSLATIONS[language]
    stages = [(title, [(item[0], item[1]) for item in items]) for title, _acceptance, items in DEFAULT_STAGES]
    return DEFAULT_TEMPLATE_NAME, DEFAULT_TEMPLATE_DESCRIPTION, stages


def _default_stages(stage_texts: list) -> list[dict]:
    return [
        {
            "title": title,
            "position": stage_position * 10,
            "client_acceptance_required": acceptance,
            "items": [
                {
                    "title": item_title,
                    "guidance": guidance,
                    "owner_side": side,
                    "default_assignee_role": role,
                    "due_offset_days": offset,
                    "evidence_required": evidence,
                    # Looked up by the English title: the structure is the English template's.
                    "closes_with": CLOSES_WITH.get(english_title, ""),
                    "position": item_position * 10,
                }
                for item_position, (
                    (english_title, _guidance, side, role, offset, evidence),
                    (item_title, guidance),
                ) in enumerate(zip(items, item_texts, strict=True), start=1)
            ],
        }
        for stage_position, ((_title, acceptance, items), (title, item_texts)) in enumerate(
            zip(DEFAULT_STAGES, stage_texts, strict=True), start=1
        )
    ]


@transaction.atomic
def template_default_ensure() -> ChecklistTemplate:
    """The shipped default template (``default_template.py``) in every language it ships in, each created if it is
    missing (the data migrations ship them; a flushed test database or an admin may have removed one), for the
    demo; returns the English one. An existing one is left as the admins edited it."""
    english = None
    for language in ["en", *TRANSLATIONS]:
        name, description, stage_texts = _default_texts(language)
        template = ChecklistTemplate.objects.filter(
            Q(key=DEFAULT_TEMPLATE_KEY) | Q(name=name), language=language
        ).first() or _template_create(
            key=DEFAULT_TEMPLATE_KEY,
            language=language,
            name=name,
            description=description,
            is_default=not ChecklistTemplate.objects.filter(is_default=True, language=language).exists(),
            stages=_default_stages(stage_texts),
        )
        english = english or template
    return english


@transaction.atomic
def template_duplicate(*, template: ChecklistTemplate) -> ChecklistTemplate:
    """A copy of a template with its stages and items, named "<name> (copy N)", never the default; a template of
    its own (a new key), in the same language, that an admin may then translate or change."""
    n = 1
    siblings = ChecklistTemplate.objects.filter(language=template.language)
    while siblings.filter(Q(name=f"{template.name} (copy {n})") | Q(key=f"{template.key}-copy-{n}"[:50])).exists():
        n += 1
    item_fields = ("title", "guidance", "owner_side", "default_assignee_role", "due_offset_days", "due_from")
    item_fields += ("evidence_required", "closes_with", "position", "duration_days")
    stages = [
        {
            "title": stage.title,
            "description": stage.description,
            "position": stage.position,
            "client_acceptance_required": stage.client_acceptance_required,
            "items": [{field: getattr(item, field) for field in item_fields} for item in stage.items.all()],
        }
        for stage in template.stages.prefetch_related("items")
    ]
    copy = _template_create(
        key=f"{template.key}-copy-{n}"[:50],
        language=template.language,
        name=f"{template.name} (copy {n})",
        description=template.description,
        is_default=False,
        stages=stages,
    )
    # The dependencies between the copied items: the copies are in the originals' order.
    order = ("stage__position", "stage_id", "position", "pk")
    originals = TemplateItem.objects.filter(stage__template=template).order_by(*order).values_list("pk", flat=True)
    copies = TemplateItem.objects.filter(stage__template=copy).order_by(*order).values_list("pk", flat=True)
    copied = dict(zip(originals, copies, strict=True))
    TemplateItemDependency.objects.bulk_create(
        TemplateItemDependency(
            predecessor_id=copied[d.predecessor_id],
            successor_id=copied[d.successor_id],
            kind=d.kind,
            lag_days=d.lag_days,
        )
        for d in TemplateItemDependency.objects.filter(successor__stage__template=template)
    )
    return copy


def _due_bases(engagement: Engagement, *, today: date) -> dict:
    """The dates template due offsets count from: the kickoff (or the contract signature), falling
    back to the other one, then to today while neither is known."""
    return {
        DueFrom.KICKOFF: engagement.kickoff_on or engagement.contract_signed_on or today,
        DueFrom.CONTRACT: engagement.contract_signed_on or engagement.kickoff_on or today,
    }


def due_dates_reanchor(*, by: User, engagement: Engagement, now) -> None:
    """Once the kickoff or contract date is set or moved, move the open items whose due date came
    from the template with it. Dates someone set by hand (``due_from`` cleared) stay.

    Registered with ``engagements.hooks.on_anchor_dates_moved`` (``ChecklistsConfig.ready``)."""
    if engagement.kickoff_on is None and engagement.contract_signed_on is None:
        return
    bases = _due_bases(engagement, today=timezone.localdate(now))
    items = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .filter(stage__engagement=engagement, due_offset_days__isnull=False)
        .exclude(due_from="")
        .exclude(status__in=CLOSED_ITEM_STATUSES)
    )
    for item in items:
        due_on = bases[item.due_from] + timedelta(days=item.due_offset_days)
        if due_on == item.due_on:
            continue
        changes = {"due_on": [as_json(item.due_on), as_json(due_on)]}
        item.due_on = due_on
        item.save(update_fields=["due_on"])
        record_event(item, by=by, action="updated", changes=changes, now=now)
        item_reminders_sync(item, now=now)
    figures_refresh([engagement.pk], now=now)


def _default_assignee(template_item: TemplateItem, assignees: dict) -> User | None:
    """Who a new item goes to: the template's default role on this engagement, but never a client person for one
    of our own items (they neither see nor complete it; ``TemplateItem.clean`` refuses such a template)."""
    person = assignees.get(template_item.default_assignee_role)
    if person is not None and person.is_client_user and template_item.owner_side != Side.CLIENT:
        return None
    return person


@transaction.atomic
def template_apply(*, by: User, engagement: Engagement, template: ChecklistTemplate, now=None) -> list[ChecklistStage]:
    """Copy a template's stages and items into the engagement, from its translation into the client's language
    (``ClientProfile.language``; the English one, else the chosen one, when there is none).

    The copy is independent: editing the template later never changes this engagement. Due
    dates count from the kickoff (or the contract signature), falling back to today.
    """
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    engagement = engagement_lock(engagement)
    if engagement.stages.exists():
        raise ValidationError(_("This engagement already has a checklist; add items to it instead."))
    template = template.in_language(client_language(engagement.client_id))
    today = timezone.localdate(now)
    bases = _due_bases(engagement, today=today)
    assignees = {
        AssigneeRole.CSM: engagement.csm,
        # The PM, even while away: the deputy's cover is worked out when it is asked (My work's "Handed to you as
        # deputy", the reminders, the acceptance notices), so on the PM's return the items are theirs again. Stored
        # as the deputy, they would stay the deputy's for good.
        AssigneeRole.PM: engagement.pm,
        AssigneeRole.KEY_USER: policy.key_user_of(engagement),
    }
    stages, copies = [], {}
    for template_stage in template.stages.prefetch_related("items"):
        stage = ChecklistStage.objects.create(
            engagement=engagement,
            title=template_stage.title,
            description=template_stage.description,
            position=template_stage.position,
            acceptance_required=template_stage.client_acceptance_required,
        )
        items = ChecklistItem.objects.bulk_create(
            ChecklistItem(
                stage=stage,
                title=t.title,
                guidance=t.guidance,
                owner_side=t.owner_side,
                assignee=_default_assignee(t, assignees),
                due_on=bases[t.due_from] + timedelta(days=t.due_offset_days),
                due_from=t.due_from,
                due_offset_days=t.due_offset_days,
                duration_days=t.duration_days,
                evidence_required=t.evidence_required,
                closes_with=t.closes_with,
                position=t.position,
                created_at=now,
            )
            for t in template_stage.items.all()
        )
        ItemEvent.objects.bulk_create(
            ItemEvent(item=item, actor=by, action="created", changes={"template": template.name}, at=now)
            for item in items
        )
        for item in items:
            item_reminders_sync(item, now=now)
        copies.update(zip((t.pk for t in template_stage.items.all()), items, strict=True))
        stages.append(stage)
    # The template's dependencies come with it, between the copies; the plan then sets the dependents' dates.
    ItemDependency.objects.bulk_create(
        ItemDependency(
            engagement=engagement,
            predecessor=copies[dependency.predecessor_id],
            successor=copies[dependency.successor_id],
            kind=dependency.kind,
            lag_days=dependency.lag_days,
            created_at=now,
        )
        for dependency in TemplateItemDependency.objects.filter(successor__stage__template=template)
        if dependency.predecessor_id in copies and dependency.successor_id in copies
    )
    plan_reschedule(engagement=engagement, by=by, cause={"kind": "applied", "item": template.name}, now=now)
    figures_refresh([engagement.pk], now=now)
    return stages


def plan_follow_anchors(*, engagement: Engagement, by: User, now) -> None:
    """After the kickoff or contract date moved the template's dates, the dependents follow their predecessors
    (registered after ``due_dates_reanchor`` with ``engagements.hooks.on_anchor_dates_moved``)."""
    if engagement.stages.exists():
        plan_reschedule(engagement=engagement, by=by, cause={"kind": "anchors", "item": ""}, now=now)
