"""Reads for clients, engagements and their records. Each fetches what its page shows in a fixed number of queries;
what a user may see comes from ``visible_to`` and each queryset's ``for_viewer(user)``."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CLIENT_ROLES, VENDOR_ROLES, Invitation, Role, StaffAbsence, User

from . import policy
from .models import (
    BillingKind,
    BillingStatus,
    ClientProfile,
    Engagement,
    Integration,
    Milestone,
    Phase,
    Promise,
    PromiseStatus,
    ResourceLink,
    Stakeholder,
)
from .services import engagement_acting_pm, engagement_people, engagement_warnings

ACTIVE_PHASES = [phase for phase in Phase.values if phase != Phase.CLOSED]

# --- Clients --------------------------------------------------------------------------------------------------


def client_language(client_id) -> str:
    """The language of a client's content (``ClientProfile.language``); English for a client without a profile or
    with a language the site no longer offers."""
    language = ClientProfile.objects.filter(organization_id=client_id).values_list("language", flat=True).first()
    return language if language in dict(settings.LANGUAGES) else "en"


def client_profiles():
    """Client profiles with what their pages show; scope with ``visible_to``/``managed_by``."""
    return ClientProfile.objects.select_related("organization", "csm")


def client_list(*, user):
    return client_profiles().visible_to(user).order_by("organization__name")


def client_choices_for_engagement(*, user):
    """Clients a person may open an engagement for (``policy.clients_open_for``): never every client."""
    return policy.clients_open_for(user).order_by("name")


def client_contract_dates(clients) -> dict:
    """Each client's contract signature date from its profile (one query), for the new-engagement form."""
    return dict(
        ClientProfile.objects.filter(organization__in=clients, contract_signed_on__isnull=False).values_list(
            "organization_id", "contract_signed_on"
        )
    )


def stakeholder_invitations(engagement, stakeholders) -> dict:
    """The latest invitation to each stakeholder's address at the engagement's client, by address (one query)."""
    emails = {s.email.lower() for s in stakeholders if s.email and not s.user_id}
    if not emails:
        return {}
    latest = {}
    for invitation in Invitation.objects.filter(organization_id=engagement.client_id, email__in=emails).order_by(
        "created_at", "pk"
    ):
        latest[invitation.email.lower()] = invitation
    return latest


def vendor_people():
    return User.objects.filter(is_active=True, role__in=VENDOR_ROLES).order_by("full_name")


def client_people(engagement: Engagement) -> list[User]:
    """The client's active people: everyone told when something is delivered to the client (a document, a report)."""
    return list(
        User.objects.filter(organization_id=engagement.client_id, is_active=True, role__in=CLIENT_ROLES).order_by("pk")
    )


# --- Engagements ----------------------------------------------------------------------------------------------


def engagement_with_people():
    """Engagements with the people the engagement page shows; scope with ``visible_to``/``managed_by``."""
    return Engagement.objects.select_related(
        "client__client_profile", "csm", "pm", "deputy_pm", "account_executive", "handoff__handed_over_by"
    )


def engagement_list(*, user):
    """The engagements ``user`` sees, with their people (the portal's list never joins the vendor-internal
    handoff or client profile)."""
    return Engagement.objects.visible_to(user).select_related("client", "csm", "pm", "deputy_pm")


def promise_owner_choices(engagement: Engagement):
    """Who may own a promise on an engagement: our active staff, and the client's own active people."""
    return User.objects.filter(
        Q(role__in=VENDOR_ROLES) | Q(organization_id=engagement.client_id), is_active=True
    ).order_by("full_name")


def assignee_choices(engagement: Engagement):
    """Who work on an engagement may be assigned to: its vendor team and the client's own people (the same rule
    the services enforce)."""
    return engagement_people(engagement).order_by("full_name")


@dataclass
class EngagementRecords:
    """What engagements itself contributes to the engagement page, as ``user`` may see it."""

    stakeholders: list
    warnings: list
    milestones: list
    timeline: list
    acting_pm: User | None
    pm_absent: bool
    promises: list
    integrations: list
    resource_links: list
    handoff: object


def engagement_records(*, engagement: Engagement, user, today: date | None = None) -> EngagementRecords:
    """People, plan and records of one engagement. Vendor-internal ones come back empty for a client without a
    query (their querysets' ``for_viewer``)."""
    today = today or timezone.localdate()
    stakeholders = list(Stakeholder.objects.for_viewer(user).filter(engagement=engagement).select_related("user"))
    milestones = list(Milestone.objects.for_viewer(user).filter(engagement=engagement))
    timeline = []
    if engagement.kickoff_on:
        end = engagement.kickoff_on + timedelta(days=30)
        for milestone in milestones:
            if engagement.kickoff_on <= milestone.due_on <= end:
                timeline.append({"day": (milestone.due_on - engagement.kickoff_on).days, "milestone": milestone})
    absences = list(StaffAbsence.objects.filter(user_id=engagement.pm_id).covering(today)) if engagement.pm_id else []
    acting_pm = engagement_acting_pm(engagement, on=today, absences=absences)
    return EngagementRecords(
        stakeholders=stakeholders,
        warnings=engagement_warnings(engagement, stakeholders) if policy.is_staff(user) else [],
        milestones=milestones,
        timeline=timeline,
        acting_pm=acting_pm,
        pm_absent=bool(engagement.pm_id and acting_pm and acting_pm.pk != engagement.pm_id),
        promises=list(Promise.objects.for_viewer(user).filter(engagement=engagement).select_related("owner")),
        integrations=list(Integration.objects.for_viewer(user).filter(engagement=engagement)),
        resource_links=list(ResourceLink.objects.for_viewer(user).filter(engagement=engagement)),
        # Vendor-internal, and already joined to the staff page's engagement.
        handoff=getattr(engagement, "handoff", None) if policy.is_staff(user) else None,
    )


# --- Director -------------------------------------------------------------------------------------------------


def _workload(role: str, relation: str, capacity: int):
    rows = (
        User.objects.filter(is_active=True, role=role)
        .annotate(active=Count(relation, filter=~Q(**{f"{relation}__phase": Phase.CLOSED})))
        .order_by("-active", "full_name")
    )
    result = []
    for person in rows:
        person.capacity = capacity
        person.load = round(100 * person.active / capacity) if capacity else 0
        person.over_capacity = person.active > capacity
        result.append(person)
    return result


def csm_workload(*, capacity: int | None = None):
    """Active engagements per CSM against the capacity (``ENGAGEMENT_CSM_CAPACITY``). One query."""
    return _workload(Role.CSM, "engagements_as_csm", capacity or settings.ENGAGEMENT_CSM_CAPACITY)


def pm_workload(*, capacity: int | None = None):
    """Active engagements per PM (as PM, not as deputy) against ``ENGAGEMENT_PM_CAPACITY``. One query."""
    return _workload(Role.PM, "engagements_as_pm", capacity or settings.ENGAGEMENT_PM_CAPACITY)


# --- Absence cover --------------------------------------------------------------------------------------------

# How long after an absence the returning PM is reminded who stood in for them.
BACK_NOTICE_DAYS = 3


@dataclass
class CoverNote:
    """A line of the banner every staff page shows while it lasts: ``standing_in`` (the user stands in for
    ``person``, away until ``until``) or ``back`` (the user is back; ``person`` stood in until ``until``)."""

    kind: str
    person: User
    until: date


def cover_notes(*, user, today: date) -> list[CoverNote]:
    """Whom ``user`` stands in for today, and (for a few days after their own absence) who stood in for them.
    One query on every staff page; a second only just after an absence (who the deputies were)."""
    if not policy.is_staff(user):
        return []
    deputy_of = Engagement.objects.active().filter(pm=OuterRef("user"), deputy_pm=user)
    covering = Q(starts_on__lte=today, ends_on__gte=today)
    absences = list(
        StaffAbsence.objects.filter(
            (covering & Exists(deputy_of))
            | Q(user=user, ends_on__gte=today - timedelta(days=BACK_NOTICE_DAYS), starts_on__lte=today)
        )
        .select_related("user")
        .order_by("ends_on", "user__full_name")
    )
    mine = [a for a in absences if a.user_id == user.pk]
    notes = [CoverNote("standing_in", a.user, a.ends_on) for a in absences if a.user_id != user.pk]
    away_now = any(a.starts_on <= today <= a.ends_on for a in mine)
    back = max((a for a in mine if a.ends_on < today), key=lambda a: a.ends_on, default=None)
    if back is not None and not away_now:
        deputies = User.objects.filter(
            engagements_as_deputy_pm__pm=user, engagements_as_deputy_pm__phase__in=ACTIVE_PHASES
        ).distinct()
        notes += [CoverNote("back", deputy, back.ends_on) for deputy in deputies.order_by("full_name")]
    return notes


# --- Contract and billing in the portal ---------------------------------------------------------------------------

# Billing records still open: past their date, they show as overdue whatever status was last recorded.
OPEN_BILLING = (BillingStatus.PLANNED, BillingStatus.ISSUED, BillingStatus.OVERDUE)


@dataclass
class ContractPage:
    profile: ClientProfile | None
    engagements: list
    invoices: list
    obligations: list

    @property
    def overdue_count(self) -> int:
        return sum(1 for record in [*self.invoices, *self.obligations] if record.is_overdue)


def client_contract(*, user, today) -> ContractPage:
    """The client user's own organization's contract (profile, each engagement's signature date and value) and its
    invoices and obligations, each marked ``is_overdue``. No id is taken from outside: it is always their own."""
    if not user.is_client_user or user.organization_id is None:
        return ContractPage(profile=None, engagements=[], invoices=[], obligations=[])
    profile = (
        ClientProfile.objects.filter(organization_id=user.organization_id).select_related("csm", "organization").first()
    )
    records = list(profile.billing_records.order_by("-due_on", "-pk")) if profile is not None else []
    for record in records:
        record.is_overdue = record.status == BillingStatus.OVERDUE or (
            record.status in OPEN_BILLING and record.due_on < today
        )
    engagements = list(
        Engagement.objects.visible_to(user)
        .select_related("csm", "pm", "deputy_pm", "account_executive")
        .order_by("name")
    )
    return ContractPage(
        profile=profile,
        engagements=engagements,
        invoices=[r for r in records if r.kind == BillingKind.INVOICE],
        obligations=[r for r in records if r.kind == BillingKind.OBLIGATION],
    )


# --- The promise ledger -----------------------------------------------------------------------------------------

# The ledger lists the open promises and those closed in this window.
LEDGER_WINDOW = timedelta(days=90)


def promise_ledger(*, engagement=None, user, now: datetime | None = None) -> list[Promise]:
    """The engagement's (or, without one, every visible engagement's) promises ``user`` may read: the open ones,
    and those closed in the last 90 days; the client reads only those made to them."""
    now = now or timezone.now()
    promises = Promise.objects.visible_to(user) if engagement is None else Promise.objects.for_viewer(user)
    if engagement is not None:
        promises = promises.filter(engagement=engagement)
    return list(
        promises.filter(Q(status=PromiseStatus.OPEN) | Q(closed_at__gte=now - LEDGER_WINDOW))
        .select_related("owner", "engagement", "source_type")
        .order_by("-status", "due_at", "pk")
    )


def promises_made_in(source_object, *, user) -> list[Promise]:
    """The promises ``user`` may read that were promised in ``source_object`` (a meeting), by due time."""
    return list(
        Promise.objects.for_viewer(user)
        .filter(source_type=ContentType.objects.get_for_model(source_object), source_id=str(source_object.pk))
        .select_related("owner")
        .order_by("due_at", "pk")
    )


def promises_due_or_broken(*, engagement_id, since: datetime, until: datetime) -> list[Promise]:
    """An engagement's promises due in [since, until), those broken and still open, and those broken since
    ``since`` (a meeting's agenda: kept, broken or due soon, each once); dropped ones are left out."""
    return list(
        Promise.objects.filter(engagement_id=engagement_id)
        .exclude(status=PromiseStatus.DROPPED)
        .filter(
            Q(due_at__gte=since, due_at__lt=until)
            | Q(broken_at__isnull=False, status=PromiseStatus.OPEN)
            | Q(broken_at__gte=since)
        )
        .select_related("owner")
        .order_by("due_at", "pk")
    )


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
    """Promises due in the window (not dropped): each is kept on time, kept late, broken or still open."""
    return Promise.objects.filter(due_at__lt=now, due_at__gte=now - window).exclude(status=PromiseStatus.DROPPED)


RATE_ANNOTATIONS = {
    "due": Count("pk"),
    "kept_on_time": Count("pk", filter=Q(status=PromiseStatus.KEPT, closed_at__lte=F("due_at"))),
    "broken": Count("pk", filter=Q(broken_at__isnull=False)),
}


def promise_rates(*, user, now: datetime | None = None, window: timedelta = timedelta(days=180)):
    """The kept-on-time rate per engagement and per PM over the window, for the engagements ``user`` sees (two
    queries, whatever the number of promises)."""
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
