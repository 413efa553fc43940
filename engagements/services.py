"""Writes for clients, engagements and their checklists. Each runs in one transaction, checks
access again (views are not trusted to), validates with ``full_clean`` and raises
``ValidationError`` / ``PermissionDenied``.

Every change to a checklist item's existence, due date, assignee or status calls
``item_reminders_sync`` inside the transaction, so the notifications app can keep reminders right.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationKind, Role, User
from attachments.services import attachment_store

from . import policy
from .models import (
    CLOSED_ITEM_STATUSES,
    AssigneeRole,
    BillingRecord,
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    ClientProfile,
    Decision,
    DueFrom,
    Engagement,
    EngagementMember,
    Evidence,
    Handoff,
    Integration,
    ItemComment,
    ItemEvent,
    ItemStatus,
    Milestone,
    Obligation,
    ObligationStatus,
    Phase,
    PmAbsence,
    ResourceLink,
    SatisfactionReason,
    SatisfactionScore,
    Side,
    StageAcceptance,
    StageActual,
    Stakeholder,
    TemplateItem,
    TemplateStage,
)
from .reminders import CHECKLIST_CATEGORY, item_reminders_sync

# The one table of phase transitions; ``engagement_change_phase`` is the only way to move.
ALLOWED_TRANSITIONS = {
    Phase.HANDOFF: {Phase.KICKOFF, Phase.CLOSED},
    Phase.KICKOFF: {Phase.ONBOARDING, Phase.HANDOFF, Phase.CLOSED},
    Phase.ONBOARDING: {Phase.LIVE, Phase.CLOSED},
    Phase.LIVE: {Phase.ONBOARDING, Phase.CLOSED},
    Phase.CLOSED: set(),
}


def transitions_from(phase: str) -> list[tuple[str, str]]:
    """Allowed next phases, forward ones first (the usual move), for the phase picker."""
    order = Phase.values
    here = order.index(phase)
    allowed = sorted(
        ALLOWED_TRANSITIONS[phase], key=lambda p: (order.index(p) < here, p == Phase.CLOSED, order.index(p))
    )
    return [(p, Phase(p).label) for p in allowed]


# --- Access (the rules are in ``policy``; services check them again whatever a view let through) ----------


def _require_visible(user: User, engagement: Engagement) -> None:
    if not policy.may_see(user, engagement):
        raise PermissionDenied


def _require_staff(user: User, engagement: Engagement) -> None:
    if not policy.is_staff(user):
        raise PermissionDenied
    _require_visible(user, engagement)


def _require_manager(user: User, engagement: Engagement) -> None:
    if not policy.may_manage(user, engagement):
        raise PermissionDenied


def _save(instance, **kwargs):
    instance.full_clean(**kwargs)
    instance.save()
    return instance


def _lock(engagement: Engagement) -> Engagement:
    """Serialize writes on one engagement (phase changes, acceptance, template application)."""
    return Engagement.objects.select_for_update().get(pk=engagement.pk)


# --- Clients ------------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "client"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def client_create(*, by: User, name: str, csm: User | None = None, **profile_fields) -> ClientProfile:
    """Open a new client; a CSM who opens one becomes its CSM (``policy.may_create_client``)."""
    if not policy.may_create_client(by):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the client's name.")})
    if Organization.objects.filter(name__iexact=name, kind=OrganizationKind.CLIENT).exists():
        raise ValidationError({"name": _("A client with this name already exists.")})
    try:
        with transaction.atomic():
            organization = _save(Organization(name=name, slug=_unique_slug(name), kind=OrganizationKind.CLIENT))
    except IntegrityError as error:
        # A double submit: both requests passed the check above; the unique slug lets one through.
        raise ValidationError({"name": _("A client with this name already exists.")}) from error
    profile = ClientProfile(organization=organization, csm=csm or (by if by.role == Role.CSM else None))
    for field, value in profile_fields.items():
        setattr(profile, field, value)
    return _save(profile)


def _require_client_manager(user: User, profile: ClientProfile) -> None:
    if not policy.may_manage_client(user, profile.organization):
        raise PermissionDenied


@transaction.atomic
def client_profile_update(*, by: User, profile: ClientProfile, **fields) -> ClientProfile:
    """Edit a client's profile, contract and CSM: its CSM, directors and admins (``policy.may_manage_client``)."""
    _require_client_manager(by, profile)
    csm_before = profile.csm_id
    for field, value in fields.items():
        setattr(profile, field, value)
    # Only a new CSM is checked: one who has since left does not block other edits.
    if profile.csm_id and profile.csm_id != csm_before and (profile.csm.role != Role.CSM or not profile.csm.is_active):
        raise ValidationError({"csm": _("Choose an active customer success manager.")})
    return _save(profile)


@transaction.atomic
def billing_record_add(*, by: User, profile: ClientProfile, **fields) -> BillingRecord:
    _require_client_manager(by, profile)
    return _save(BillingRecord(profile=profile, **fields))


# --- Engagements --------------------------------------------------------------------------------


ENGAGEMENT_EDITABLE = (
    "name",
    "description",
    "csm",
    "pm",
    "deputy_pm",
    "account_executive",
    "contract_signed_on",
    "kickoff_on",
    "target_go_live_on",
    "planned_effort_days",
    "planned_amount",
    "currency",
)


def _validate_people(engagement: Engagement) -> None:
    errors = {}
    for field in ("csm", "pm", "deputy_pm", "account_executive"):
        person = getattr(engagement, field)
        if person is not None and not person.is_vendor_user:
            errors[field] = _("Choose a person from our own staff.")
    if engagement.pm_id and engagement.pm_id == engagement.deputy_pm_id:
        errors["deputy_pm"] = _("The deputy PM must be someone other than the PM.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def engagement_create(*, by: User, client: Organization, name: str, csm: User, now=None, **fields) -> Engagement:
    """Open an engagement for an existing client: its CSM, directors and admins (``policy.may_open_engagement``).

    Opening an engagement grants nothing over the client: the client's CSM stays who it was. Only a client
    that has none yet gets the engagement's CSM, and only a director or admin can open one for such a client."""
    if client.kind != OrganizationKind.CLIENT:
        raise ValidationError({"client": _("Choose a client organization.")})
    if not policy.may_open_engagement(by, client):
        raise PermissionDenied
    engagement = Engagement(client=client, name=(name or "").strip(), csm=csm, created_at=now or timezone.now())
    for field, value in fields.items():
        if field not in ENGAGEMENT_EDITABLE:
            raise ValueError(field)
        setattr(engagement, field, value)
    _validate_people(engagement)
    _save(engagement)
    profile, _created = ClientProfile.objects.get_or_create(organization=client)
    if profile.csm_id is None and csm.role == Role.CSM and policy.oversees(by):
        profile.csm = csm
        profile.save(update_fields=["csm"])
    return engagement


@transaction.atomic
def engagement_update(*, by: User, engagement: Engagement, **fields) -> Engagement:
    _require_manager(by, engagement)
    engagement = _lock(engagement)
    anchors = (engagement.kickoff_on, engagement.contract_signed_on)
    for field, value in fields.items():
        if field not in ENGAGEMENT_EDITABLE:
            raise ValueError(field)
        setattr(engagement, field, value)
    _validate_people(engagement)
    _save(engagement)
    if (engagement.kickoff_on, engagement.contract_signed_on) != anchors:
        _due_dates_reanchor(by=by, engagement=engagement, now=timezone.now())
    return engagement


def go_live_missing(engagement: Engagement) -> list[str]:
    """What keeps an engagement from going live: the client's accepted work plan (the latest
    work-plan decision is an acceptance) and the acceptance of every stage that needs it.
    Empty when nothing is missing."""
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
def engagement_change_phase(*, by: User, engagement: Engagement, to: str, now=None) -> Engagement:
    """Move an engagement to another phase, if the transitions table and the gates allow it."""
    now = now or timezone.now()
    _require_manager(by, engagement)
    engagement = _lock(engagement)
    if to not in ALLOWED_TRANSITIONS.get(engagement.phase, set()):
        raise ValidationError(
            _("An engagement cannot move from %(from)s to %(to)s.")
            % {"from": engagement.get_phase_display(), "to": Phase(to).label if to in Phase.values else to}
        )
    if to == Phase.KICKOFF and not Handoff.objects.filter(engagement=engagement, handed_over_at__isnull=False).exists():
        raise ValidationError(_("Record and complete the sales handoff before the kickoff."))
    if engagement.phase == Phase.ONBOARDING and to == Phase.LIVE:
        missing = go_live_missing(engagement)
        if missing:
            raise ValidationError(
                _("The engagement cannot go live yet: %(missing)s.") % {"missing": "; ".join(missing)}
            )
    kickoff_set = False
    if to in (Phase.KICKOFF, Phase.ONBOARDING) and engagement.kickoff_on is None:
        # The kickoff date anchors the first-30-days timeline, the day-30 satisfaction question
        # and the checklist's kickoff-relative due dates.
        engagement.kickoff_on = timezone.localdate(now)
        kickoff_set = True
    engagement.phase = to
    _save(engagement)
    if kickoff_set:
        _due_dates_reanchor(by=by, engagement=engagement, now=now)
    return engagement


@transaction.atomic
def handoff_record(*, by: User, engagement: Engagement, complete: bool = False, now=None, **fields) -> Handoff:
    """Create or update the handoff; ``complete`` marks it handed over (opening the kickoff gate)."""
    now = now or timezone.now()
    _require_manager(by, engagement)
    handoff = Handoff.objects.filter(engagement=engagement).first() or Handoff(engagement=engagement, recorded_by=by)
    for field, value in fields.items():
        setattr(handoff, field, value)
    if handoff.handed_over_by_id is None:
        handoff.handed_over_by = engagement.account_executive or by
    if complete and handoff.handed_over_at is None:
        handoff.handed_over_at = now
    return _save(handoff)


@transaction.atomic
def obligation_add(
    *, by: User, engagement: Engagement, description: str, owner: User, due_on: date, source: str = "sales", now=None
) -> Obligation:
    _require_staff(by, engagement)
    if not owner.is_vendor_user:
        raise ValidationError({"owner": _("The owner must be one of our staff.")})
    return _save(
        Obligation(
            engagement=engagement,
            description=description,
            owner=owner,
            due_on=due_on,
            source=source,
            created_at=now or timezone.now(),
        )
    )


OBLIGATION_EDITABLE = ("description", "source", "owner", "due_on")


@transaction.atomic
def obligation_update(*, by: User, obligation: Obligation, **fields) -> Obligation:
    """Change what was promised, its owner or due date (not its status: see ``obligation_close``)."""
    _require_staff(by, obligation.engagement)
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    for field, value in fields.items():
        if field not in OBLIGATION_EDITABLE:
            raise ValueError(field)
        setattr(obligation, field, value)
    if not obligation.owner.is_vendor_user:
        raise ValidationError({"owner": _("The owner must be one of our staff.")})
    return _save(obligation)


@transaction.atomic
def obligation_reopen(*, by: User, obligation: Obligation) -> Obligation:
    """A kept or dropped commitment turns out to be open after all."""
    return obligation_close(by=by, obligation=obligation, status=ObligationStatus.OPEN)


@transaction.atomic
def obligation_close(*, by: User, obligation: Obligation, status: str = ObligationStatus.DONE, now=None) -> Obligation:
    _require_staff(by, obligation.engagement)
    obligation.status = status
    obligation.closed_at = None if status == ObligationStatus.OPEN else (now or timezone.now())
    return _save(obligation)


# --- People ---------------------------------------------------------------------------------------


def _key_user_state(stakeholder: Stakeholder | None) -> tuple:
    """What a stakeholder row says about who decides for the client: (is key user, linked account)."""
    if stakeholder is None or not stakeholder.is_key_user:
        return (False, None)
    return (True, stakeholder.user_id)


@transaction.atomic
def stakeholder_save(
    *, by: User, engagement: Engagement, stakeholder: Stakeholder | None = None, now=None, **fields
) -> Stakeholder:
    """Add or edit a person on the stakeholder map (the team may); naming, re-linking or unnaming the key
    user, who accepts for the client, is for those who manage the engagement, and is told to the client's key
    users and the CSM."""
    now = now or timezone.now()
    _require_staff(by, engagement)
    stakeholder = stakeholder or Stakeholder(engagement=engagement)
    if stakeholder.engagement_id != engagement.pk:
        raise PermissionDenied
    before = Stakeholder.objects.select_for_update().filter(pk=stakeholder.pk).first() if stakeholder.pk else None
    for field, value in fields.items():
        setattr(stakeholder, field, value)
    key_user_changed = _key_user_state(before) != _key_user_state(stakeholder)
    if key_user_changed and not policy.may_manage(by, engagement):
        raise PermissionDenied
    if stakeholder.user_id and stakeholder.user.organization_id != engagement.client_id:
        raise ValidationError({"user": _("Choose a portal account of this client.")})
    if stakeholder.is_key_user and stakeholder.user_id and not stakeholder.user.is_key_user:
        # The linked account is the one that accepts stages in the portal, which needs the key-user role.
        raise ValidationError(
            {"user": _("The key user's portal account must have the key-user role; invite them as key user.")}
        )
    try:
        with transaction.atomic():
            _save(stakeholder)
    except IntegrityError as error:
        # Two people saved as key user at once: the partial unique constraint decides.
        raise ValidationError({"is_key_user": _("This engagement already has a key user.")}) from error
    if key_user_changed:
        _key_user_change_notify(by=by, engagement=engagement, now=now)
    return stakeholder


@transaction.atomic
def stakeholder_delete(*, by: User, stakeholder: Stakeholder, now=None) -> None:
    """Remove a person from the map; removing the key user is a change of key user (managers only, told)."""
    _require_staff(by, stakeholder.engagement)
    if stakeholder.is_key_user and not policy.may_manage(by, stakeholder.engagement):
        raise PermissionDenied
    was_key_user = stakeholder.is_key_user
    Stakeholder.objects.filter(pk=stakeholder.pk, engagement_id=stakeholder.engagement_id).delete()
    if was_key_user:
        _key_user_change_notify(by=by, engagement=stakeholder.engagement, now=now or timezone.now())


def _key_user_change_notify(*, by: User, engagement: Engagement, now) -> None:
    """Tell the client's key users and the CSM who now decides for the client, so a forged change of the
    key user cannot go unnoticed (issue 7, hole 4)."""
    from notifications.models import Category
    from notifications.services import NotifyRequest, notify_many

    key_user = policy.key_user_of(engagement)
    linked = Stakeholder.objects.filter(engagement=engagement, is_key_user=True, user__isnull=False).exists()
    client_key_users = list(
        User.objects.filter(organization_id=engagement.client_id, role=Role.CLIENT_KEY_USER, is_active=True)
    )
    context = {
        "engagement_name": engagement.name,
        "client_name": engagement.client.name,
        "key_user": str(key_user) if key_user and linked else "",
        "changed_by": str(by),
        "changed_at": now,
    }
    # One event, two audiences with their own link; the dedupe key is per recipient.
    event = f"engagements.key_user_changed:{engagement.pk}:{now.isoformat()}"
    notify_many(
        [
            NotifyRequest(
                event=event,
                recipients=client_key_users,
                category=Category.ACCOUNT,
                template="engagements/email/key_user_changed",
                context=context,
                url=reverse("portal:engagement", args=[engagement.pk]),
            ),
            NotifyRequest(
                event=event,
                recipients=[engagement.csm] if engagement.csm.is_active else [],
                category=Category.ACCOUNT,
                template="engagements/email/key_user_changed",
                context=context,
                url=reverse("engagements:stakeholders", args=[engagement.pk]),
            ),
        ],
        now=now,
    )


def engagement_warnings(engagement: Engagement, stakeholders) -> list[str]:
    """What the engagement page warns about while it lasts (stakeholders already fetched)."""
    warnings = []
    if not any(s.is_key_user for s in stakeholders):
        warnings.append(_("No key user: the client cannot accept stages or the work plan."))
    if not any(s.is_executive_sponsor for s in stakeholders):
        warnings.append(_("No executive sponsor on the client side."))
    return warnings


@transaction.atomic
def member_add(*, by: User, engagement: Engagement, user: User, role: str = "") -> EngagementMember:
    _require_manager(by, engagement)
    if not user.is_vendor_user:
        raise ValidationError({"user": _("Team members come from our own staff.")})
    member, _created = EngagementMember.objects.update_or_create(
        engagement=engagement, user=user, defaults={"role": role.strip()}
    )
    return member


@transaction.atomic
def pm_absence_record(*, by: User, user: User, starts_on: date, ends_on: date, note: str = "", now=None) -> PmAbsence:
    """A PM records their own absence; a director or admin may record anyone's."""
    # Someone else's absence reroutes their work on every engagement: directors and admins only.
    if not policy.is_staff(by) or (by.pk != user.pk and not policy.oversees(by)):
        raise PermissionDenied
    return _save(
        PmAbsence(user=user, starts_on=starts_on, ends_on=ends_on, note=note, created_at=now or timezone.now())
    )


def user_is_absent(user: User | None, *, on: date, absences=None) -> bool:
    if user is None:
        return False
    if absences is not None:
        return any(a.user_id == user.pk and a.starts_on <= on <= a.ends_on for a in absences)
    return PmAbsence.objects.filter(user=user).covering(on).exists()


def engagement_acting_pm(engagement: Engagement, *, on: date | None = None, absences=None) -> User | None:
    """Who acts as PM on a day: the PM, or the deputy PM while the PM is absent.

    Assignment, approvals, reminders and escalations meant for the PM all ask this, so an
    absence reroutes them without anyone reassigning by hand. ``absences`` (prefetched
    ``PmAbsence`` rows) avoids a query per engagement on list pages.
    """
    on = on or timezone.localdate()
    if engagement.pm_id and user_is_absent(engagement.pm, on=on, absences=absences) and engagement.deputy_pm_id:
        return engagement.deputy_pm
    return engagement.pm


def _engagement_record_save(*, by: User, engagement: Engagement, record, model, fields: dict):
    """Create or update a record that belongs to one engagement: staff who see the engagement only,
    and never a record of another engagement passed in with this one."""
    _require_staff(by, engagement)
    record = record or model(engagement=engagement)
    if record.engagement_id != engagement.pk:
        raise PermissionDenied
    for field, value in fields.items():
        setattr(record, field, value)
    return _save(record)


def _engagement_record_delete(*, by: User, record) -> None:
    """Remove a record of an engagement: only those who manage the engagement."""
    _require_manager(by, record.engagement)
    type(record).objects.filter(pk=record.pk, engagement_id=record.engagement_id).delete()


@transaction.atomic
def integration_save(
    *, by: User, engagement: Engagement, integration: Integration | None = None, **fields
) -> Integration:
    return _engagement_record_save(by=by, engagement=engagement, record=integration, model=Integration, fields=fields)


@transaction.atomic
def milestone_save(*, by: User, engagement: Engagement, milestone: Milestone | None = None, **fields) -> Milestone:
    return _engagement_record_save(by=by, engagement=engagement, record=milestone, model=Milestone, fields=fields)


@transaction.atomic
def milestone_delete(*, by: User, milestone: Milestone) -> None:
    _engagement_record_delete(by=by, record=milestone)


@transaction.atomic
def integration_delete(*, by: User, integration: Integration) -> None:
    _engagement_record_delete(by=by, record=integration)


@transaction.atomic
def resource_link_save(*, by: User, engagement: Engagement, link: ResourceLink | None = None, **fields) -> ResourceLink:
    return _engagement_record_save(by=by, engagement=engagement, record=link, model=ResourceLink, fields=fields)


@transaction.atomic
def resource_link_delete(*, by: User, link: ResourceLink) -> None:
    _engagement_record_delete(by=by, record=link)


@transaction.atomic
def milestone_mark_reached(*, by: User, milestone: Milestone, now=None) -> Milestone:
    """Mark a milestone reached today; a reached early win shows in the client's portal."""
    _require_staff(by, milestone.engagement)
    if milestone.reached_on is None:
        milestone.reached_on = timezone.localdate(now or timezone.now())
        _save(milestone)
    return milestone


@transaction.atomic
def stage_actual_add(
    *, by: User, stage: ChecklistStage, spent_on: date, effort_days=0, amount=0, note: str = "", now=None
) -> StageActual:
    """Record effort and money spent on a stage; the stage's actuals are the sum of its entries."""
    _require_manager(by, stage.engagement)
    return _save(
        StageActual(
            stage=stage,
            spent_on=spent_on,
            effort_days=effort_days or 0,
            amount=amount or 0,
            note=(note or "").strip(),
            recorded_by=by,
            recorded_at=now or timezone.now(),
        )
    )


@transaction.atomic
def stage_actual_delete(*, by: User, entry: StageActual) -> None:
    """Take back an entry recorded by mistake (the totals follow)."""
    _require_manager(by, entry.stage.engagement)
    StageActual.objects.filter(pk=entry.pk, stage_id=entry.stage_id).delete()


# --- Templates ----------------------------------------------------------------------------------


@transaction.atomic
def template_default_ensure() -> ChecklistTemplate:
    """The shipped default template, re-created from ``default_template.py`` if it was deleted
    (the data migration creates it; a flushed test database or an admin may have removed it)."""
    from .default_template import DEFAULT_STAGES, DEFAULT_TEMPLATE_NAME

    template = ChecklistTemplate.objects.filter(name=DEFAULT_TEMPLATE_NAME).first()
    if template is not None:
        return template
    template = ChecklistTemplate.objects.create(
        name=DEFAULT_TEMPLATE_NAME, is_default=not ChecklistTemplate.objects.filter(is_default=True).exists()
    )
    for stage_position, (title, acceptance, items) in enumerate(DEFAULT_STAGES, start=1):
        stage = TemplateStage.objects.create(
            template=template, title=title, position=stage_position * 10, client_acceptance_required=acceptance
        )
        TemplateItem.objects.bulk_create(
            TemplateItem(
                stage=stage,
                title=item_title,
                guidance=guidance,
                owner_side=side,
                default_assignee_role=role,
                due_offset_days=offset,
                evidence_required=evidence,
                position=item_position * 10,
            )
            for item_position, (item_title, guidance, side, role, offset, evidence) in enumerate(items, start=1)
        )
    return template


@transaction.atomic
def template_duplicate(*, template: ChecklistTemplate) -> ChecklistTemplate:
    """A copy of a template with its stages and items, named "<name> (copy N)", never the default."""
    n = 1
    while ChecklistTemplate.objects.filter(name=f"{template.name} (copy {n})").exists():
        n += 1
    copy = _save(
        ChecklistTemplate(name=f"{template.name} (copy {n})", description=template.description, is_default=False)
    )
    for stage in template.stages.prefetch_related("items"):
        new_stage = TemplateStage.objects.create(
            template=copy,
            title=stage.title,
            description=stage.description,
            position=stage.position,
            client_acceptance_required=stage.client_acceptance_required,
        )
        TemplateItem.objects.bulk_create(
            TemplateItem(
                stage=new_stage,
                title=item.title,
                guidance=item.guidance,
                owner_side=item.owner_side,
                default_assignee_role=item.default_assignee_role,
                due_offset_days=item.due_offset_days,
                due_from=item.due_from,
                evidence_required=item.evidence_required,
                position=item.position,
            )
            for item in stage.items.all()
        )
    return copy


def _due_bases(engagement: Engagement, *, today: date) -> dict:
    """The dates template due offsets count from: the kickoff (or the contract signature), falling
    back to the other one, then to today while neither is known."""
    return {
        DueFrom.KICKOFF: engagement.kickoff_on or engagement.contract_signed_on or today,
        DueFrom.CONTRACT: engagement.contract_signed_on or engagement.kickoff_on or today,
    }


def _due_dates_reanchor(*, by: User, engagement: Engagement, now) -> None:
    """Once the kickoff or contract date is set or moved, move the open items whose due date came
    from the template with it. Dates someone set by hand (``due_from`` cleared) stay."""
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
        changes = {"due_on": [_json(item.due_on), _json(due_on)]}
        item.due_on = due_on
        item.save(update_fields=["due_on"])
        _event(item, by=by, action="updated", changes=changes, now=now)
        item_reminders_sync(item, now=now)


@transaction.atomic
def template_apply(*, by: User, engagement: Engagement, template: ChecklistTemplate, now=None) -> list[ChecklistStage]:
    """Copy a template's stages and items into the engagement.

    The copy is independent: editing the template later never changes this engagement. Due
    dates count from the kickoff (or the contract signature), falling back to today.
    """
    now = now or timezone.now()
    _require_manager(by, engagement)
    engagement = _lock(engagement)
    if engagement.stages.exists():
        raise ValidationError(_("This engagement already has a checklist; add items to it instead."))
    today = timezone.localdate(now)
    bases = _due_bases(engagement, today=today)
    assignees = {
        AssigneeRole.CSM: engagement.csm,
        AssigneeRole.PM: engagement_acting_pm(engagement, on=today),
        AssigneeRole.KEY_USER: policy.key_user_of(engagement),
    }
    stages = []
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
                assignee=assignees.get(t.default_assignee_role),
                due_on=bases[t.due_from] + timedelta(days=t.due_offset_days),
                due_from=t.due_from,
                due_offset_days=t.due_offset_days,
                evidence_required=t.evidence_required,
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
        stages.append(stage)
    return stages


# --- Checklist items ----------------------------------------------------------------------------


def _event(item: ChecklistItem, *, by: User, action: str, changes: dict, now) -> ItemEvent:
    return ItemEvent.objects.create(item=item, actor=by, action=action, changes=changes, at=now)


def _json(value):
    if isinstance(value, User):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


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
    _require_manager(by, stage.engagement)
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
    _save(item)
    _event(item, by=by, action="created", changes={}, now=now)
    item_reminders_sync(item, now=now)
    return item


def engagement_people(engagement: Engagement):
    """Who may be assigned work on an engagement: its vendor team (CSM, PM, deputy, account
    executive, members) and the client's own active people. Nobody else, so an id posted from
    another engagement or another client is refused."""
    team = Q(pk__in=[engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id, engagement.account_executive_id])
    team |= Q(pk__in=EngagementMember.objects.filter(engagement=engagement).values("user_id"))
    return User.objects.filter(team | Q(organization_id=engagement.client_id), is_active=True)


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
    owner side, evidence) are for those who manage the engagement.
    """
    now = now or timezone.now()
    engagement = item.stage.engagement
    _require_staff(by, engagement)
    if set(fields) - {"assignee", "due_on", "status"} and not policy.may_manage(by, engagement):
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
            changes[field] = [_json(old), _json(value)]
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
        # A date chosen by hand no longer follows the kickoff or contract date.
        item.due_from, item.due_offset_days = "", None
    if {"assignee", "owner_side"} & set(changes):
        # Only a new assignee is checked: someone who has since left the team does not block other edits.
        _validate_assignee(item)
    _save(item)
    _event(item, by=by, action="updated", changes=changes, now=now)
    if {"assignee", "due_on", "status"} & set(changes):
        item_reminders_sync(item, now=now)
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
    _require_visible(by, engagement)
    if by.is_client_user and item.owner_side != Side.CLIENT:
        raise PermissionDenied
    item = ChecklistItem.objects.select_for_update(of=("self",)).select_related("stage__engagement").get(pk=item.pk)
    if item.status == ItemStatus.DONE:
        raise ValidationError(_("This item is already done."))
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
    _save(item)
    _event(item, by=by, action="completed", changes=changes, now=now)
    item_reminders_sync(item, now=now)
    return item


@transaction.atomic
def item_delete(*, by: User, item: ChecklistItem, now=None) -> None:
    now = now or timezone.now()
    _require_manager(by, item.stage.engagement)
    # Reminders are dropped while the row still exists, so the sync can see what it was.
    item_reminders_sync(item, now=now)
    item.delete()


@transaction.atomic
def item_move(*, by: User, item: ChecklistItem, direction: str) -> ChecklistItem:
    """Swap an item with its neighbour above ("up") or below ("down") in its stage."""
    _require_manager(by, item.stage.engagement)
    siblings = list(ChecklistItem.objects.select_for_update().filter(stage_id=item.stage_id).order_by("position", "pk"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position * 10
        ChecklistItem.objects.bulk_update(siblings, ["position"])
    return next(s for s in siblings if s.pk == item.pk)


@transaction.atomic
def item_comment_add(*, by: User, item: ChecklistItem, body: str, is_internal: bool = False, now=None) -> ItemComment:
    now = now or timezone.now()
    engagement = item.stage.engagement
    _require_visible(by, engagement)
    if by.is_client_user:
        # Clients comment on their own tasks only, and never internally.
        if item.owner_side != Side.CLIENT:
            raise PermissionDenied
        is_internal = False
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    comment = _save(ItemComment(item=item, author=by, body=body, is_internal=is_internal, created_at=now))
    _event(item, by=by, action="commented", changes={}, now=now)
    return comment


# --- Acceptance and satisfaction -----------------------------------------------------------------


def _snapshot(stages) -> dict:
    return {
        "stages": [
            {
                "id": stage.pk,
                "title": stage.title,
                "items": [
                    {
                        "id": item.pk,
                        "title": item.title,
                        "owner_side": item.owner_side,
                        "due_on": item.due_on.isoformat() if item.due_on else None,
                        "status": item.status,
                    }
                    for item in stage.items.all()
                ],
            }
            for stage in stages
        ]
    }


@transaction.atomic
def acceptance_decide(
    *,
    by: User,
    engagement: Engagement,
    stage: ChecklistStage | None = None,
    decision: str,
    reason: str = "",
    now=None,
) -> StageAcceptance:
    """The key user accepts or rejects a stage (or the whole work plan when ``stage`` is None).

    Records who, when and the exact version; rejection needs a reason and reopens the stage.
    Each acceptance asks the client for a satisfaction score.
    """
    now = now or timezone.now()
    _require_visible(by, engagement)
    if not policy.may_decide(by, engagement):
        raise PermissionDenied
    engagement = _lock(engagement)
    if stage is not None:
        # Read again under the engagement lock: a double click must not record two acceptances.
        stage = ChecklistStage.objects.filter(pk=stage.pk, engagement=engagement).first()
        if stage is None or not stage.acceptance_required:
            raise ValidationError(_("This stage does not need the client's acceptance."))
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
    snapshot = _snapshot(stages)
    if decision == Decision.ACCEPTED and stage is None:
        # Read under the engagement lock: a double click must not record the same baseline twice.
        latest = StageAcceptance.objects.filter(engagement=engagement, stage__isnull=True).order_by(
            "-decided_at", "-pk"
        )
        latest = latest.first()
        if latest is not None and latest.decision == Decision.ACCEPTED and latest.snapshot == snapshot:
            raise ValidationError(_("You already accepted this work plan; nothing changed since."))
    if (
        decision == Decision.ACCEPTED
        and stage is not None
        and any(item.status not in CLOSED_ITEM_STATUSES for item in stages[0].items.all())
    ):
        raise ValidationError(_("This stage still has open items; it can be accepted once they are done."))
    acceptance = _save(
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
    if stage is not None:
        stage.accepted_at = now if decision == Decision.ACCEPTED else None
        stage.reopened_at = now if decision == Decision.REJECTED else None
        stage.reopened_reason = reason if decision == Decision.REJECTED else ""
        stage.save(update_fields=["accepted_at", "reopened_at", "reopened_reason"])
    if decision == Decision.REJECTED:
        _rejection_reopen(by=by, engagement=engagement, acceptance=acceptance, stage=stage, stages=stages, now=now)
    if decision == Decision.ACCEPTED:
        SatisfactionScore.objects.create(
            engagement=engagement, reason=SatisfactionReason.ACCEPTANCE, acceptance=acceptance, asked_at=now
        )
    return acceptance


# Days the team gets to rework what the client rejected, before the rework item is overdue.
REWORK_DAYS = 5


def _rejection_reopen(*, by: User, engagement: Engagement, acceptance, stage, stages, now) -> ChecklistItem:
    """Make a rejection workable: an open rework item (the client's reason as guidance) in the
    rejected stage, or for the whole work plan in its last stage, assigned to the acting PM (else
    the CSM). It keeps the stage from being accepted until the team has dealt with it, shows in
    the next actions and gets the usual reminders. The CSM and PM are told the reason."""
    from notifications.services import notify

    target = stage or stages[-1]
    acting_pm = engagement_acting_pm(engagement, on=timezone.localdate(now))
    owner = acting_pm or engagement.csm
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
    _save(item)
    _event(item, by=by, action="created", changes={"rejection": acceptance.reason}, now=now)
    item_reminders_sync(item, now=now)
    recipients = [person for person in {engagement.csm, acting_pm, engagement.pm} if person is not None]
    anchor = f"#stage-{target.pk}"
    notify(
        event=f"engagement.rejection:{acceptance.pk}",
        recipients=recipients,
        category=CHECKLIST_CATEGORY,
        template="engagements/email/rejection",
        context={
            "engagement_name": engagement.name,
            "subject": subject,
            "reason": acceptance.reason,
            "decided_by": str(by),
            "decided_at": now,
        },
        url=reverse("engagements:detail", args=[engagement.pk]) + anchor,
        now=now,
    )
    return item


@transaction.atomic
def satisfaction_answer(*, by: User, question: SatisfactionScore, score: int, comment: str = "", now=None):
    now = now or timezone.now()
    if not by.is_client_user:
        raise PermissionDenied
    question = SatisfactionScore.objects.visible_to(by).select_for_update().filter(pk=question.pk).first()
    if question is None:
        raise PermissionDenied
    if question.score is not None:
        raise ValidationError(_("You already answered this question. Thank you!"))
    question.score, question.comment, question.answered_at, question.answered_by = score, comment.strip(), now, by
    return _save(question)


@transaction.atomic
def satisfaction_ask_day30(*, now=None) -> int:
    """Ask every engagement 30 days past kickoff for a score, once (a unique constraint makes a
    repeated or concurrent run harmless), and tell the client's key users. Run from a periodic
    task; returns how many engagements were asked."""
    from notifications.services import NotifyRequest, notify_many

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
                template="engagements/email/satisfaction_day30",
                context={"engagement_name": engagement.name},
                url=reverse("portal:engagement", args=[engagement.pk]),
            )
            for engagement in due
            if key_users[engagement.client_id]
        ],
        now=now,
    )
    return len(due)
