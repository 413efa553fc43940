"""Writes for clients, engagements and their teams, phases, handoff, commitments, stakeholders and records. Each
runs in one transaction, checks access again through ``policy`` (views are not trusted to), validates with
``full_clean`` and raises ``ValidationError`` / ``PermissionDenied``.

Apps above react to what happens here through ``hooks`` (phase gates, moved anchor dates), never by being imported.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationKind, Role, StaffAbsence, User

from . import hooks, policy
from .models import (
    CLIENT_FACING_LINK_KINDS,
    BillingRecord,
    ClientProfile,
    Commitment,
    CommitmentSource,
    CommitmentStatus,
    Engagement,
    EngagementMember,
    Handoff,
    Integration,
    Milestone,
    Phase,
    ResourceLink,
    Side,
    Stakeholder,
)

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


def _save(instance, **kwargs):
    instance.full_clean(**kwargs)
    instance.save()
    return instance


def engagement_lock(engagement: Engagement) -> Engagement:
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


# What a client's profile form edits; never its organization (re-pointing a profile hands over another client).
CLIENT_PROFILE_EDITABLE = (
    "industry",
    "language",
    "contract_signed_on",
    "contract_term_months",
    "services_in_scope",
    "vendor_obligations",
    "client_obligations",
    "commercial_summary",
    "knowledge_page",
    "csm",
)


def _set_profile_fields(profile: ClientProfile, fields: dict) -> None:
    for field, value in fields.items():
        if field not in CLIENT_PROFILE_EDITABLE:
            raise ValueError(field)
        setattr(profile, field, value)


@transaction.atomic
def client_create(*, by: User, name: str, csm: User | None = None, **profile_fields) -> ClientProfile:
    """Open a new client; a CSM who opens one becomes its CSM (``policy.may_create_client``)."""
    if not policy.may_create_client(by):
        raise PermissionDenied
    unknown = set(profile_fields) - set(CLIENT_PROFILE_EDITABLE)
    if unknown:  # Before anything is written.
        raise ValueError(", ".join(sorted(unknown)))
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
    _set_profile_fields(profile, profile_fields)
    return _save(profile)


def _require_client_manager(user: User, profile: ClientProfile) -> None:
    if not policy.may_manage_client(user, profile.organization):
        raise PermissionDenied


@transaction.atomic
def client_profile_update(*, by: User, profile: ClientProfile, **fields) -> ClientProfile:
    """Edit a client's profile, contract and CSM: its CSM, directors and admins (``policy.may_manage_client``)."""
    _require_client_manager(by, profile)
    csm_before = profile.csm_id
    _set_profile_fields(profile, fields)
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
    if fields.get("contract_signed_on") is None:
        # The client's contract, unless this engagement has its own.
        fields["contract_signed_on"] = (
            ClientProfile.objects.filter(organization=client).values_list("contract_signed_on", flat=True).first()
        )
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
    policy.require_manage(by, engagement)
    engagement = engagement_lock(engagement)
    anchors = (engagement.kickoff_on, engagement.contract_signed_on)
    for field, value in fields.items():
        if field not in ENGAGEMENT_EDITABLE:
            raise ValueError(field)
        setattr(engagement, field, value)
    _validate_people(engagement)
    _save(engagement)
    if (engagement.kickoff_on, engagement.contract_signed_on) != anchors:
        hooks.anchor_dates_moved(engagement=engagement, by=by, now=timezone.now())
    return engagement


@transaction.atomic
def engagement_change_phase(
    *, by: User, engagement: Engagement, to: str, kickoff_on: date | None = None, reason: str = "", now=None
) -> Engagement:
    """Move an engagement to another phase, if the transitions table and the gates allow it.

    Moving to the kickoff sets the kickoff date (``kickoff_on``, else the one already planned, else today): the
    first-30-days timeline, the day-30 question and the checklist's due dates count from it. Closing needs the
    reason, which is kept with the engagement."""
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    engagement = engagement_lock(engagement)
    if to not in ALLOWED_TRANSITIONS.get(engagement.phase, set()):
        raise ValidationError(
            _("An engagement cannot move from %(from)s to %(to)s.")
            % {"from": engagement.get_phase_display(), "to": Phase(to).label if to in Phase.values else to}
        )
    reason = (reason or "").strip()
    if to == Phase.CLOSED and not reason:
        raise ValidationError({"reason": _("Say why the engagement is closed; the reason stays with it.")})
    missing = hooks.phase_blockers(engagement, to=to)
    if missing:
        if to == Phase.LIVE:
            raise ValidationError(
                _("The engagement cannot go live yet: %(missing)s.") % {"missing": "; ".join(missing)}
            )
        raise ValidationError(
            _("The engagement cannot move to %(phase)s yet: %(missing)s.")
            % {"phase": Phase(to).label, "missing": "; ".join(missing)}
        )
    anchors = (engagement.kickoff_on, engagement.contract_signed_on)
    if to == Phase.KICKOFF and kickoff_on is not None:
        engagement.kickoff_on = kickoff_on
    if to in (Phase.KICKOFF, Phase.ONBOARDING) and engagement.kickoff_on is None:
        # The kickoff date anchors the first-30-days timeline, the day-30 satisfaction question
        # and the checklist's kickoff-relative due dates.
        engagement.kickoff_on = timezone.localdate(now)
    if to == Phase.CLOSED:
        engagement.closed_at, engagement.closed_reason = now, reason
    from_phase, engagement.phase = engagement.phase, to
    _save(engagement)
    if (engagement.kickoff_on, engagement.contract_signed_on) != anchors:
        hooks.anchor_dates_moved(engagement=engagement, by=by, now=now)
    hooks.phase_changed(engagement=engagement, from_phase=from_phase, by=by, now=now)
    return engagement


def handoff_gate(engagement: Engagement) -> list[str]:
    """The kickoff needs the completed sales handoff (a phase gate, registered in ``EngagementsConfig.ready``)."""
    if Handoff.objects.filter(engagement=engagement, handed_over_at__isnull=False).exists():
        return []
    return [_("record and complete the sales handoff")]


@transaction.atomic
def handoff_record(*, by: User, engagement: Engagement, complete: bool = False, now=None, **fields) -> Handoff:
    """Create or update the handoff; ``complete`` marks it handed over (opening the kickoff gate)."""
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    handoff = Handoff.objects.filter(engagement=engagement).first() or Handoff(engagement=engagement, recorded_by=by)
    for field, value in fields.items():
        setattr(handoff, field, value)
    if handoff.handed_over_by_id is None:
        handoff.handed_over_by = engagement.account_executive or by
    if complete and handoff.handed_over_at is None:
        handoff.handed_over_at = now
    return _save(handoff)


def _validate_commitment_owner(commitment: Commitment) -> None:
    """A promise is owned on the side that made it: our staff for ours, the client's own people for theirs."""
    owner, engagement = commitment.owner, commitment.engagement
    if commitment.side == Side.VENDOR and not owner.is_vendor_user:
        raise ValidationError({"owner": _("The owner of our commitment must be one of our staff.")})
    if commitment.side == Side.CLIENT and owner.organization_id != engagement.client_id:
        raise ValidationError({"owner": _("The owner of the client's commitment must be one of the client's people.")})


@transaction.atomic
def commitment_add(
    *,
    by: User,
    engagement: Engagement,
    description: str,
    owner: User,
    due_at,
    source: str = CommitmentSource.SALES,
    side: str = Side.VENDOR,
    now=None,
) -> Commitment:
    """Track a promise of either side (the team records them; see ``Commitment``)."""
    policy.require_staff(by, engagement)
    commitment = Commitment(
        engagement=engagement,
        description=(description or "").strip(),
        owner=owner,
        due_at=due_at,
        source=source,
        side=side,
        created_at=now or timezone.now(),
    )
    _validate_commitment_owner(commitment)
    _save(commitment)
    hooks.commitment_changed(commitment, now=commitment.created_at)
    return commitment


COMMITMENT_EDITABLE = ("description", "source", "side", "owner", "due_at")


@transaction.atomic
def commitment_update(*, by: User, commitment: Commitment, **fields) -> Commitment:
    """Change what was promised, by whom, its owner or due time (not its status: see ``commitment_close``)."""
    policy.require_staff(by, commitment.engagement)
    commitment = Commitment.objects.select_for_update().select_related("engagement").get(pk=commitment.pk)
    for field, value in fields.items():
        if field not in COMMITMENT_EDITABLE:
            raise ValueError(field)
        setattr(commitment, field, value)
    _validate_commitment_owner(commitment)
    _save(commitment)
    hooks.commitment_changed(commitment, now=timezone.now())
    return commitment


@transaction.atomic
def commitment_reopen(*, by: User, commitment: Commitment) -> Commitment:
    """A kept or dropped commitment turns out to be open after all."""
    return commitment_close(by=by, commitment=commitment, status=CommitmentStatus.OPEN)


@transaction.atomic
def commitment_close(*, by: User, commitment: Commitment, status: str = CommitmentStatus.KEPT, now=None) -> Commitment:
    """Record a commitment as kept or dropped (or, with ``OPEN``, open again)."""
    policy.require_staff(by, commitment.engagement)
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": _("Choose kept, dropped or open.")})
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    now = now or timezone.now()
    commitment.status = status
    commitment.closed_at = None if status == CommitmentStatus.OPEN else now
    _save(commitment)
    hooks.commitment_changed(commitment, now=now)
    return commitment


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
    policy.require_staff(by, engagement)
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
    policy.require_staff(by, stakeholder.engagement)
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


def stakeholders_link_on_acceptance(*, invitation, user, now) -> int:
    """A client person accepted an invitation: their rows on the client's stakeholder maps (same address, not linked
    yet) are linked to the new account. Linking the key user's row changes who decides for the client, which is
    told as every such change is. An ``accounts.hooks.on_invitation_accepted`` reaction; returns how many rows."""
    rows = list(
        Stakeholder.objects.filter(
            engagement__client_id=invitation.organization_id, user__isnull=True, email__iexact=invitation.email
        ).select_related("engagement__client", "engagement__csm")
    )
    linked = 0
    for stakeholder in rows:
        if stakeholder.is_key_user and not user.is_key_user:
            # The key user's account must have the key-user role; the team links another one by hand.
            continue
        stakeholder.user = user
        stakeholder.save(update_fields=["user"])
        linked += 1
        if stakeholder.is_key_user:
            _key_user_change_notify(by=user, engagement=stakeholder.engagement, now=now)
    return linked


def engagement_warnings(engagement: Engagement, stakeholders) -> list[str]:
    """What the engagement page warns about while it lasts (stakeholders already fetched, with their accounts)."""
    warnings = []
    key_user = next((s for s in stakeholders if s.is_key_user), None)
    if key_user is None:
        warnings.append(_("No key user: the client cannot accept stages or the work plan."))
    elif key_user.user is None or not key_user.user.is_active:
        warnings.append(
            _(
                "The key user %(name)s has no active portal account yet, so the client cannot accept stages or the "
                "work plan: invite them from the stakeholder map."
            )
            % {"name": key_user.name}
        )
    if not any(s.is_executive_sponsor for s in stakeholders):
        warnings.append(_("No executive sponsor on the client side."))
    return warnings


def engagement_people(engagement: Engagement):
    """Who may be assigned work on an engagement: its vendor team (CSM, PM, deputy, account
    executive, members) and the client's own active people. Nobody else, so an id posted from
    another engagement or another client is refused."""
    team = Q(pk__in=[engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id, engagement.account_executive_id])
    team |= Q(pk__in=EngagementMember.objects.filter(engagement=engagement).values("user_id"))
    return User.objects.filter(team | Q(organization_id=engagement.client_id), is_active=True)


@transaction.atomic
def member_add(*, by: User, engagement: Engagement, user: User, role: str = "") -> EngagementMember:
    policy.require_manage(by, engagement)
    if not user.is_vendor_user:
        raise ValidationError({"user": _("Team members come from our own staff.")})
    member, _created = EngagementMember.objects.update_or_create(
        engagement=engagement, user=user, defaults={"role": role.strip()}
    )
    return member


def user_is_absent(user: User | None, *, on: date, absences=None) -> bool:
    if user is None:
        return False
    if absences is not None:
        return any(a.user_id == user.pk and a.starts_on <= on <= a.ends_on for a in absences)
    return StaffAbsence.objects.filter(user=user).covering(on).exists()


def engagement_acting_pm(engagement: Engagement, *, on: date | None = None, absences=None) -> User | None:
    """Who acts as PM on a day: the PM, or the deputy PM while the PM is absent.

    Assignment, approvals, reminders and escalations meant for the PM all ask this, so an
    absence reroutes them without anyone reassigning by hand. ``absences`` (prefetched
    ``accounts.StaffAbsence`` rows) avoids a query per engagement on list pages.
    """
    on = on or timezone.localdate()
    if engagement.pm_id and user_is_absent(engagement.pm, on=on, absences=absences) and engagement.deputy_pm_id:
        return engagement.deputy_pm
    return engagement.pm


def _engagement_record_save(*, by: User, engagement: Engagement, record, model, fields: dict):
    """Create or update a record that belongs to one engagement: staff who see the engagement only,
    and never a record of another engagement passed in with this one."""
    policy.require_staff(by, engagement)
    record = record or model(engagement=engagement)
    if record.engagement_id != engagement.pk:
        raise PermissionDenied
    for field, value in fields.items():
        setattr(record, field, value)
    return _save(record)


def _engagement_record_delete(*, by: User, record) -> None:
    """Remove a record of an engagement: only those who manage the engagement."""
    policy.require_manage(by, record.engagement)
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
    if link is None and "client_visible" not in fields:
        # A new link of a kind the client works with (board, documentation, environment) is theirs to see.
        fields["client_visible"] = fields.get("kind") in CLIENT_FACING_LINK_KINDS
    return _engagement_record_save(by=by, engagement=engagement, record=link, model=ResourceLink, fields=fields)


@transaction.atomic
def resource_link_set_client_visible(*, by: User, link: ResourceLink, client_visible: bool) -> ResourceLink:
    """Show a link on the client's portal or keep it to the team: what the client sees is the managers' call, as
    removing a link is."""
    policy.require_manage(by, link.engagement)
    if link.client_visible != client_visible:
        link.client_visible = client_visible
        link.save(update_fields=["client_visible"])
    return link


@transaction.atomic
def resource_link_delete(*, by: User, link: ResourceLink) -> None:
    _engagement_record_delete(by=by, record=link)


@transaction.atomic
def milestone_mark_reached(*, by: User, milestone: Milestone, now=None) -> Milestone:
    """Mark a milestone reached today; a reached early win shows in the client's portal."""
    policy.require_staff(by, milestone.engagement)
    if milestone.reached_on is None:
        milestone.reached_on = timezone.localdate(now or timezone.now())
        _save(milestone)
    return milestone
