from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganizationKind


class Phase(models.TextChoices):
    HANDOFF = "handoff", _("Handoff")
    KICKOFF = "kickoff", _("Kickoff")
    ONBOARDING = "onboarding", _("Onboarding")
    LIVE = "live", _("Live")
    CLOSED = "closed", _("Closed")


class EngagementQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule for who sees an engagement (and, through it, everything inside it).

        Portfolio roles (admin, executive, director) see all; other vendor staff see the
        engagements they own or are on the team of; client users see their own organization's.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.sees_portfolio:
            return self.all()
        if user.is_client_user:
            return self.filter(client_id=user.organization_id)
        on_team = EngagementMember.objects.filter(engagement=OuterRef("pk"), user=user)
        return self.filter(Q(csm=user) | Q(pm=user) | Q(deputy_pm=user) | Exists(on_team))

    def active(self):
        return self.exclude(phase=Phase.CLOSED)

    def team_user_ids(self):
        """Ids of every vendor person on these engagements (for client-side people lists)."""
        ids = set()
        for csm, pm, deputy in self.values_list("csm_id", "pm_id", "deputy_pm_id"):
            ids.update(i for i in (csm, pm, deputy) if i)
        ids.update(EngagementMember.objects.filter(engagement__in=self).values_list("user_id", flat=True))
        return ids


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
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.HANDOFF, db_index=True)
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
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "name"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")

    def __str__(self):
        return f"{self.client} — {self.name}"


class EngagementMember(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="engagement_memberships")
    role = models.CharField(_("role on the engagement"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "user"], name="engagement_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} on {self.engagement}"
