"""API credentials and the answers kept for retried POSTs.

A token is ``op_<prefix>_<secret>``: the prefix (public, shown in lists) finds the row, and only the SHA-256 of the
whole token is stored, so a leaked database reveals no usable token. The secret is 256 random bits: a plain hash
is enough (no password stretching needed for a value nobody chose).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.tracking import track

# Areas a token may be given read or write access to; ``<area>:write`` includes ``<area>:read``.
AREAS = {
    "users": _("Users"),
    "clients": _("Clients"),
    "engagements": _("Engagements"),
    "checklists": _("Stages and checklist items"),
    "stakeholders": _("Stakeholders"),
    "red_flags": _("Red flags"),
    "promises": _("Promises"),
    "meetings": _("Meetings and shared minutes"),
    "documents": _("Documents and quality reports"),
    # A CRM posting won deals (``api.crm``); only ``deals:write`` means anything.
    "deals": _("Won deals from a CRM"),
}
SCOPES = tuple(f"{area}:{access}" for area in AREAS for access in ("read", "write"))


class TokenKind(models.TextChoices):
    PERSONAL = "personal", _("Personal access token")
    SERVICE = "service", _("Service account")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def manageable_by(self, user):
        """Tokens ``user`` may see and revoke: their own personal tokens; an admin (``is_staff``) every token."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_staff:
            return self
        return self.filter(user=user, kind=TokenKind.PERSONAL)


@track(engagement=None, exclude=("digest", "last_used_at"))
class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    # Whom the token acts as: every request runs with this user's access, checked by the same policy as the pages.
    # For a service account this is a user the admin created for the system (say "CRM", with the role it needs).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("acts as")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.public_id})"

    @property
    def public_id(self) -> str:
        """What identifies the token in lists: its prefix, never its secret."""
        return f"op_{self.prefix}…"

    def allows(self, area: str, *, write: bool) -> bool:
        granted = set(self.scopes)
        return f"{area}:write" in granted or (not write and f"{area}:read" in granted)

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``, per token: a retry gets it again."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # The method, path and body the key was first used with: the same key on another request is refused.
    request_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_per_token")]

    def __str__(self):
        return self.key


class CrmDeal(models.Model):
    """A won deal seen from a CRM and the engagement it opened: the same deal twice opens nothing new."""

    source = models.CharField(_("CRM"), max_length=20)
    deal_id = models.CharField(_("deal id"), max_length=100)
    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="crm_deal", verbose_name=_("engagement")
    )
    # The digest of the deal's normalized fields: a repeat with the same digest changes nothing.
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "deal_id"], name="api_crm_deal_once_per_source")]
        verbose_name = _("CRM deal")
        verbose_name_plural = _("CRM deals")

    def __str__(self):
        return f"{self.source}:{self.deal_id}"


class CrmReceipt(models.Model):
    """Every payload a CRM sent, redacted, kept 30 days for support (``api.crm.receipts_purge``)."""

    source = models.CharField(_("CRM"), max_length=20)
    deal_id = models.CharField(_("deal id"), max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(_("answer"))
    payload = models.JSONField(_("payload (redacted)"), null=True)
    outcome = models.TextField(_("outcome"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("CRM payload")
        verbose_name_plural = _("CRM payloads")

    def __str__(self):
        return f"{self.source} {self.deal_id} {self.status}"


class CrmAccount(models.Model):
    """The CRM's account id of a client: a won deal finds its client by it before trying the name."""

    source = models.CharField(_("CRM"), max_length=20)
    account_id = models.CharField(_("account id"), max_length=100)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="crm_accounts", verbose_name=_("client")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "account_id"], name="api_crm_account_once")]
        verbose_name = _("CRM account")
        verbose_name_plural = _("CRM accounts")

    def __str__(self):
        return f"{self.source}:{self.account_id}"


@track(engagement="deal__engagement")
class CrmDealChange(models.Model):
    """A won deal sent again with other figures before kickoff: what changed (field: [before, after]) and when,
    the engagement's record that its handoff was updated from the CRM."""

    deal = models.ForeignKey(CrmDeal, on_delete=models.CASCADE, related_name="changes", verbose_name=_("CRM deal"))
    changes = models.JSONField(_("changes"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("CRM deal change")
        verbose_name_plural = _("CRM deal changes")

    def __str__(self):
        return f"{self.deal} {self.received_at:%Y-%m-%d %H:%M}"


class CsmRule(models.TextChoices):
    SETTING = "setting", _("As the CRM_CSM setting says")
    FIXED = "fixed", _("Always the same CSM")
    ROUND_ROBIN = "round-robin", _("Round robin: the CSM with the fewest active engagements")


class CrmSettings(models.Model):
    """Who takes a won deal, edited by admins (one row, ``pk=1``); without the row ``settings.CRM_CSM`` decides."""

    csm_rule = models.CharField(_("CSM of a won deal"), max_length=20, choices=CsmRule.choices, default=CsmRule.SETTING)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fixed CSM"),
        help_text=_("The CSM every won deal goes to when the rule is \u201calways the same CSM\u201d."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("CRM settings")
        verbose_name_plural = _("CRM settings")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="api_crm_settings_singleton")]

    def __str__(self):
        return str(_("CRM settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        if self.csm_rule == CsmRule.FIXED and self.csm_id is None:
            raise ValidationError({"csm": _("Name the CSM who takes every won deal.")})

    @classmethod
    def current(cls) -> "CrmSettings | None":
        return cls.objects.select_related("csm").filter(pk=1).first()
