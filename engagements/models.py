from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganizationKind
from audit.tracking import track

from . import currencies, hooks, policy
from .policy import ScopedQuerySet


class Side(models.TextChoices):
    """Who a piece of work or a promise belongs to: the vendor's team or the client's people."""

    VENDOR = "vendor", _("Vendor")
    CLIENT = "client", _("Client")


class Phase(models.TextChoices):
    HANDOFF = "handoff", _("Handoff")
    KICKOFF = "kickoff", _("Kickoff")
    ONBOARDING = "onboarding", _("Onboarding")
    LIVE = "live", _("Live")
    CLOSED = "closed", _("Closed")


class EngagementQuerySet(models.QuerySet):
    """Access to engagements follows ``engagements.policy`` (see there for the rules)."""

    def visible_to(self, user):
        return self.filter(policy.engagement_filter(user))

    def worked_on_by(self, user):
        return self.filter(policy.engagement_filter(user, work=True))

    def managed_by(self, user):
        return self.filter(policy.engagement_filter(user, manage=True))

    def active(self):
        return self.exclude(phase=Phase.CLOSED)


@track(engagement="")
class Engagement(models.Model):
    client = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="engagements",
        limit_choices_to={"kind": OrganizationKind.CLIENT},
        verbose_name=_("client"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=Phase.choices,
        default=Phase.HANDOFF,
        db_index=True,
    )
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="engagements_as_csm",
        verbose_name=_("customer success manager"),
    )
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements_as_pm",
        verbose_name=_("project manager"),
    )
    deputy_pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements_as_deputy_pm",
        verbose_name=_("deputy project manager"),
    )
    contract_signed_on = models.DateField(_("contract signature date"), null=True, blank=True)
    kickoff_on = models.DateField(_("kickoff date"), null=True, blank=True)
    target_go_live_on = models.DateField(_("target go-live"), null=True, blank=True)
    account_executive = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements_as_account_executive",
        verbose_name=_("account executive"),
        help_text=_("Who sold the deal; stays a named contact and joins the kickoff."),
    )
    planned_effort_days = models.DecimalField(
        _("planned effort (person-days)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
    )
    planned_amount = models.DecimalField(_("planned amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=currencies.CURRENCY_CHOICES, default="EUR")
    # Why and when the engagement was closed (asked for when it is closed; cleared nowhere: a closed engagement
    # stays closed).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "name"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")

    def __str__(self):
        return f"{self.client} — {self.name}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kickoff_on and self.contract_signed_on and self.kickoff_on < self.contract_signed_on:
            errors["kickoff_on"] = _("The kickoff cannot come before the contract signature.")
        if self.kickoff_on and self.target_go_live_on and self.target_go_live_on < self.kickoff_on:
            errors["target_go_live_on"] = _("The go-live cannot come before the kickoff.")
        elif self.contract_signed_on and self.target_go_live_on and self.target_go_live_on < self.contract_signed_on:
            errors["target_go_live_on"] = _("The go-live cannot come before the contract signature.")
        for field in ("planned_effort_days", "planned_amount"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("Enter zero or more.")
        if errors:
            raise ValidationError(errors)


@track(engagement="engagement")
class EngagementMember(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="engagement_memberships",
    )
    role = models.CharField(_("role on the engagement"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "user"], name="engagement_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} on {self.engagement}"


class ResourceLinkKind(models.TextChoices):
    BOARD = "board", _("Scrum board")
    DOCS = "docs", _("Documentation")
    REPOSITORY = "repository", _("Repository")
    ENVIRONMENT = "environment", _("Environment")
    OTHER = "other", _("Other")


class StaffOnlyEngagementChildQuerySet(ScopedQuerySet):
    """Vendor-internal records of an engagement: never visible to a client user, whatever their engagement."""

    vendor_internal = True


# The kinds of link a client works with on their project page: shown on their portal unless staff say otherwise.
CLIENT_FACING_LINK_KINDS = frozenset({ResourceLinkKind.BOARD, ResourceLinkKind.DOCS, ResourceLinkKind.ENVIRONMENT})


class ResourceLinkQuerySet(ScopedQuerySet):
    # The client sees the links marked for them (the scrum board, documentation, environments); the team's
    # internal ones (repositories, internal tools) stay among vendor staff.
    client_visible_filter = Q(client_visible=True)


class ResourceLink(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="resource_links")
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=ResourceLinkKind.choices,
        default=ResourceLinkKind.OTHER,
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), max_length=500)
    client_visible = models.BooleanField(_("shown to the client"), default=False)

    objects = ResourceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("resource link")
        verbose_name_plural = _("resource links")

    def __str__(self):
        return self.title


# --- Clients -------------------------------------------------------------------------------


class ClientProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Vendor staff only (the profile holds the commercial summary and the internal knowledge page), for the
        clients they see (``policy.clients_seen_by``: a CSM sees a new client of theirs with no engagement yet)."""
        if not policy.is_staff(user):
            return self.none()
        return self.filter(organization__in=policy.clients_seen_by(user))

    def managed_by(self, user):
        return self.filter(organization__in=policy.clients_managed_by(user))


class ClientProfile(models.Model):
    organization = models.OneToOneField(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="client_profile",
        limit_choices_to={"kind": OrganizationKind.CLIENT},
        verbose_name=_("client"),
    )
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="client_profiles",
        verbose_name=_("customer success manager"),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    # The language of the content made for this client from the vendor's templates (checklist, meetings, agendas):
    # the client's, not each reader's, so everyone on the engagement reads the same stage and agenda titles.
    language = models.CharField(
        _("language of the content"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Checklists, meetings and agendas made from templates are written in this language."),
    )
    contract_signed_on = models.DateField(_("contract signature date"), null=True, blank=True)
    contract_term_months = models.PositiveSmallIntegerField(_("contract term (months)"), null=True, blank=True)
    services_in_scope = models.TextField(_("services in scope"), blank=True)
    vendor_obligations = models.TextField(_("our obligations"), blank=True)
    client_obligations = models.TextField(_("client's obligations"), blank=True)
    commercial_summary = models.TextField(_("commercial summary"), blank=True)
    # Vendor-internal: lets a deputy or a new CSM step in without starting from zero.
    knowledge_page = models.TextField(
        _("knowledge page"),
        blank=True,
        help_text=_("Business processes, IT landscape, configuration, ways of working. Never shown to the client."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ClientProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("client profile")
        verbose_name_plural = _("client profiles")

    def __str__(self):
        return str(self.organization)


class BillingKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    OBLIGATION = "obligation", _("Contractual obligation")


class BillingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class BillingRecord(models.Model):
    """The billing and obligations history of a client: invoices and contractual obligations."""

    profile = models.ForeignKey(ClientProfile, on_delete=models.CASCADE, related_name="billing_records")
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=BillingKind.choices,
        default=BillingKind.INVOICE,
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=currencies.CURRENCY_CHOICES, default="EUR")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BillingStatus.choices,
        default=BillingStatus.PLANNED,
    )

    class Meta:
        ordering = ["-due_on", "pk"]
        verbose_name = _("billing record")
        verbose_name_plural = _("billing records")

    def __str__(self):
        return self.title


# --- Handoff and promises ---------------------------------------------------------------


class Handoff(models.Model):
    """Sales-to-delivery handoff, the gate before kickoff. Vendor-internal as a whole."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="handoff")
    problem = models.TextField(_("the client's problem to solve"))
    success_measures = models.TextField(_("how they measure success"))
    stakeholder_notes = models.TextField(_("key stakeholders and what each cares about"), blank=True)
    concerns = models.TextField(_("concerns and objections raised"), blank=True)
    working_style = models.TextField(_("working style and communication preferences"), blank=True)
    political_dynamics = models.TextField(
        _("political dynamics and sensitivities"),
        blank=True,
        help_text=_("Vendor-internal; never shown to the client."),
    )
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    meeting_on = models.DateField(_("handoff meeting"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StaffOnlyEngagementChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")

    def __str__(self):
        return f"Handoff of {self.engagement}"


class PromiseSource(models.TextChoices):
    """Where engagements' own promises come from. Other apps add theirs (``hooks.register_promise_source``:
    governance's meetings): the field's choices are the registry's, so a new source needs no change here."""

    SALES = "sales", _("Sales promise")
    CONTRACT = "contract", _("Contract")
    CONVERSATION = "conversation", _("Promised in a conversation")


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    DROPPED = "dropped", _("Dropped")


class PromiseQuerySet(ScopedQuerySet):
    # The team's record of what each side promised (the handoff's sales promises included); the client sees only
    # the promises recorded as made to them (governance's promise ledger), with their status.
    client_visible_filter = Q(shown_to_client=True)

    def open(self):
        return self.filter(status=PromiseStatus.OPEN)

    def overdue(self, now):
        """Open past their due time: a promise not kept in time."""
        return self.open().filter(due_at__lt=now)


@track(engagement="engagement")
class Promise(models.Model):
    """Something the vendor or the client promised, with an owner on that side and a due time.

    The handoff records the sales promises, the contract adds its own, governance adds what is promised in
    meetings (its ``source``). "Obligation" is kept for contract text only (the client profile's contractual
    fields, a billing record's kind)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="promises")
    source = models.CharField(
        _("source"),
        max_length=30,
        choices=hooks.promise_source_choices,
        default=PromiseSource.SALES,
    )
    side = models.CharField(_("promised by"), max_length=10, choices=Side.choices, default=Side.VENDOR)
    description = models.CharField(_("promise"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="promises",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PromiseStatus.choices,
        default=PromiseStatus.OPEN,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set once, by governance's sweep, when it passed its due time unkept; it may still be kept (late) after.
    broken_at = models.DateTimeField(_("broken at"), null=True, blank=True)
    shown_to_client = models.BooleanField(
        _("shown to the client"), default=False, help_text=_("A promise made to the client: the portal shows it.")
    )
    # What it was promised in, when that is a record (a governance meeting, a red flag).
    source_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        indexes = [
            # Overdue promises (health, reminders) are looked for among the open ones by due time.
            models.Index(fields=["due_at"], name="promise_open_due", condition=Q(status="open")),
            # The sweep that marks promises broken looks only at open ones not marked yet.
            models.Index(
                fields=["due_at"], name="promise_unbroken_due", condition=Q(status="open", broken_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.description

    def is_overdue(self, now) -> bool:
        return self.status == PromiseStatus.OPEN and self.due_at < now

    @property
    def kept_on_time(self) -> bool:
        return self.status == PromiseStatus.KEPT and self.closed_at is not None and self.closed_at <= self.due_at


# --- People ----------------------------------------------------------------------------------


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class StakeholderQuerySet(ScopedQuerySet):
    # The client sees their own people on the map (names, roles, contact details) read-only; how the team reads
    # them (influence, what they care about, involvement) is vendor-internal and never loaded for a client.
    client_visible_fields = (
        "engagement",
        "user",
        "name",
        "email",
        "role_title",
        "preferred_contact",
        "is_key_user",
        "is_executive_sponsor",
    )


@track(engagement="engagement")
class Stakeholder(models.Model):
    """A person at the client and where they stand in the onboarding."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="stakeholders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholder_roles",
        verbose_name=_("portal account"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    role_title = models.CharField(_("role in their organization"), max_length=150, blank=True)
    involvement = models.CharField(_("involvement in onboarding"), max_length=200, blank=True)
    influence = models.CharField(_("influence"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    cares_about = models.TextField(_("what they care about"), blank=True)
    preferred_contact = models.CharField(_("preferred contact"), max_length=150, blank=True)
    is_key_user = models.BooleanField(_("key user"), default=False)
    is_executive_sponsor = models.BooleanField(_("executive sponsor"), default=False)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        ordering = ["-is_key_user", "-is_executive_sponsor", "name"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        constraints = [
            models.UniqueConstraint(
                fields=["engagement"],
                condition=Q(is_key_user=True),
                name="stakeholder_one_key_user_per_engagement",
                violation_error_message=_("This engagement already has a key user."),
            ),
        ]

    def __str__(self):
        return self.name


class IntegrationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    TESTING = "testing", _("Testing")
    LIVE = "live", _("Live")
    BLOCKED = "blocked", _("Blocked")


class Integration(models.Model):
    """A third-party system the onboarding depends on (courier, payment provider, ERP...)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="integrations")
    provider = models.CharField(_("provider"), max_length=150)
    purpose = models.CharField(_("purpose"), max_length=150, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IntegrationStatus.choices,
        default=IntegrationStatus.PLANNED,
    )
    client_owner = models.CharField(_("client-side owner"), max_length=150, blank=True)
    test_environment_ready = models.BooleanField(_("test environment ready"), default=False)
    blockers = models.TextField(_("blockers"), blank=True)

    # The team's view of the client's systems (blockers included); the portal does not show it.
    objects = StaffOnlyEngagementChildQuerySet.as_manager()

    class Meta:
        ordering = ["provider"]
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")

    def __str__(self):
        return self.provider


class MilestoneQuerySet(ScopedQuerySet):
    # The client sees the early wins once reached, to make value visible early; the plan is the team's.
    client_visible_filter = Q(is_early_win=True, reached_on__isnull=False)


class Milestone(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due date"))
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    is_early_win = models.BooleanField(
        _("early win"),
        default=False,
        help_text=_("Shown to the client when reached, to make value visible early."),
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title


class EngagementFigures(models.Model):
    """An engagement's figures for the dashboards, maintained (``engagements/figures.py``): its checklist's
    progress and next due item, every health signal's value, the health and the risk rank, as of ``as_of`` (the
    site's date they were computed for). Written only by ``figures.figures_refresh``, in the transaction of every
    write that changes them, and by the daily tick for what the clock changes."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, primary_key=True, related_name="figures", verbose_name=_("engagement")
    )
    as_of = models.DateField(_("as of"))
    # Which registered signals (and thresholds) the row was computed with: a deploy that adds or changes one makes
    # every row of another basis stale, recomputed like a row of another date.
    basis = models.CharField(max_length=40, default="")
    items_total = models.IntegerField(default=0)
    items_done = models.IntegerField(default=0)
    overdue_items = models.IntegerField(default=0)
    next_due_title = models.CharField(max_length=300, null=True, blank=True)
    next_due_on = models.DateField(null=True, blank=True)
    # Every registered health signal's value by name (None: no value, e.g. no score yet).
    signals = models.JSONField(default=dict)
    health = models.CharField(max_length=20, default="on_track")
    # ``health.risk_rank`` in columns, so "by risk" sorts in SQL: the health's rank, the sum of the signals' levels
    # and how many signals are past their at-risk threshold.
    risk_health = models.SmallIntegerField(default=0)
    risk_weight = models.SmallIntegerField(default=0)
    risk_count = models.SmallIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("engagement figures")
        verbose_name_plural = _("engagement figures")
        indexes = [models.Index(fields=["as_of"], name="engagement_figures_as_of")]

    def __str__(self):
        return f"{self.engagement_id} @ {self.as_of}"
