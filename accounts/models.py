import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.tracking import track

from . import client_access


class OrganizationKind(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    CLIENT = "client", _("Client")


class Role(models.TextChoices):
    VENDOR_ADMIN = "vendor_admin", _("Vendor admin")
    EXECUTIVE = "executive", _("Executive")
    DIRECTOR = "director", _("Delivery director")
    CSM = "csm", _("Customer success manager")
    PM = "pm", _("Project manager")
    TEAM_MEMBER = "team_member", _("Team member")
    CLIENT_KEY_USER = "client_key_user", _("Client key user")
    CLIENT_MEMBER = "client_member", _("Client member")


VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.EXECUTIVE, Role.DIRECTOR, Role.CSM, Role.PM, Role.TEAM_MEMBER})
CLIENT_ROLES = frozenset({Role.CLIENT_KEY_USER, Role.CLIENT_MEMBER})
# Roles that oversee the whole portfolio and so see every engagement.
PORTFOLIO_ROLES = frozenset({Role.VENDOR_ADMIN, Role.EXECUTIVE, Role.DIRECTOR})
# Roles that run delivery: they manage every engagement and client (``engagements.policy``) and record anyone's
# absence. Executives only watch.
DELIVERY_LEAD_ROLES = frozenset({Role.VENDOR_ADMIN, Role.DIRECTOR})

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz or tz == "UTC")


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organizations a user may see: their own (the vendor, for staff) and the clients they see
        (``client_access.clients_seen_by``: portfolio roles all, other staff those they work for)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(models.Q(pk=user.organization_id) | models.Q(pk__in=client_access.clients_seen_by(user)))

    def clients(self):
        return self.filter(kind=OrganizationKind.CLIENT)


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=OrganizationKind.choices, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # A client's people must sign in with a second factor (``accounts.mfa.policy``); set on the client's profile.
    require_mfa = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_("Everyone of this client signs in with an authenticator app as well as their password."),
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            # Two clients may not share a name in any letter case: the check in ``client_create`` cannot see a
            # concurrent request's uncommitted row, this constraint can (a double submit opens one client).
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(kind=OrganizationKind.CLIENT),
                name="organization_client_name_unique_ci",
                violation_error_message=_("A client with this name already exists."),
            ),
        ]

    def __str__(self):
        return self.name


def email_key(value) -> str:
    """The one spelling of a sign-in address that the login, the password reset, the lockout and the mail limits all
    match on: without surrounding spaces, in lower case (addresses are stored so).

    Matched exactly, never with the database's case-insensitive comparison: PostgreSQL's ``UPPER`` folds "ı"
    (dotless i) onto "I" and "ſ" (long s) onto "S", so ``email__iexact`` let "ıt@acme.example" sign in as
    "it@acme.example" while the lockout counted it as another username, with fresh attempts."""
    return str(value).strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def with_email(self, address):
        """The account signing in as ``address`` (see ``email_key``); served by the ``user_email_ci_unique`` index."""
        return self.alias(email_key=Lower("email")).filter(email_key=email_key(address))

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.VENDOR_ADMIN)
        if "organization" not in extra and "organization_id" not in extra:
            extra["organization"] = Organization.objects.filter(kind=OrganizationKind.VENDOR).first()
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.with_email(username).get()


@track(engagement=None, fields=("email", "full_name", "organization", "role", "is_active", "is_staff"))
class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="users", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False, help_text=_("May log into the Django admin."))
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_client_user(self):
        return self.role in CLIENT_ROLES

    @property
    def is_vendor_user(self):
        return self.role in VENDOR_ROLES

    @property
    def sees_portfolio(self):
        return self.is_superuser or self.role in PORTFOLIO_ROLES

    @property
    def leads_delivery(self):
        """Directors, admins and superusers (active vendor staff)."""
        return self.is_active and (self.is_superuser or (self.is_vendor_user and self.role in DELIVERY_LEAD_ROLES))

    @property
    def is_key_user(self):
        return self.role == Role.CLIENT_KEY_USER

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The user's time zone: what every page, email and local-clock reminder uses for them. The one place it
        is looked up; an unknown name (a zone removed from the system's database) falls back to the server's."""
        return zone_named(self.time_zone)


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called ``name``, else the server's (``TIME_ZONE``), else UTC."""
    for candidate in (name, settings.TIME_ZONE):
        try:
            return zoneinfo.ZoneInfo(candidate)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            continue
    return zoneinfo.ZoneInfo("UTC")


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Seen (and revoked) by those who manage the client (its CSM, directors, admins: see
        ``engagements.policy``), and by whoever sent the invitation. Of client users, a key user sees the invitations
        of members to their own organization (which they manage, ``services.key_user_manages_members``)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_key_user:
            return self.filter(organization_id=user.organization_id, role=Role.CLIENT_MEMBER)
        if not user.is_vendor_user:
            return self.none()
        return self.filter(
            models.Q(organization__in=client_access.clients_managed_by(user)) | models.Q(invited_by=user)
        )

    def revocable_by(self, user):
        """The invitations ``user`` may revoke, and so replace by inviting the same address again: those they see
        (``visible_to``). A pending invitation outside it stays as it is (``services.invitation_create``)."""
        return self.visible_to(user)

    def pending(self, now):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A single-use, expiring invitation for a client user.

    The emailed link carries the nonce signed with SECRET_KEY, so a database reader alone
    cannot forge a link, and a worker can rebuild the link from the row when it sends the mail.
    """

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=150)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organization")
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=[(r.value, r.label) for r in (Role.CLIENT_KEY_USER, Role.CLIENT_MEMBER)],
    )
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("account created"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organization}"

    def is_pending(self, now=None):
        now = now or timezone.now()
        return not self.accepted_at and not self.revoked_at and self.expires_at > now

    def status(self, now=None):
        now = now or timezone.now()
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if self.expires_at <= now:
            return _("expired")
        return _("pending")


class EmailChangeQuerySet(models.QuerySet):
    def pending(self, now):
        return self.filter(confirmed_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now)


class EmailChange(models.Model):
    """A requested change of a user's sign-in address. It takes effect only when the new address opens the
    signed link mailed to it (single use, expiring), so nobody can move an account to an address they do not
    control; the old address is told once it has happened."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_changes", verbose_name=_("user")
    )
    new_email = models.EmailField(_("new email address"))
    old_email = models.EmailField(_("previous email address"), blank=True)
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = EmailChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("email change")
        verbose_name_plural = _("email changes")

    def __str__(self):
        return f"{self.user_id}: → {self.new_email}"

    def is_pending(self, now=None):
        now = now or timezone.now()
        return not self.confirmed_at and not self.cancelled_at and self.expires_at > now


# --- Absences ----------------------------------------------------------------------------------------------------


class AbsenceReason(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    SICK = "sick", _("Sick leave")
    TRAINING = "training", _("Training or travel")
    OTHER = "other", _("Other")


class StaffAbsenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see each other's absences (who stands in for whom); client users never do (the portal says who
        stands in, not why)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.all() if user.is_vendor_user or user.is_superuser else self.none()

    def covering(self, on):
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class StaffAbsence(models.Model):
    """A staff member away from/to (inclusive). While a PM is away the deputy acts
    (``engagements.services.engagement_acting_pm``); the escalations on-call rota skips whoever is away."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("person"),
        limit_choices_to={"role__in": sorted(VENDOR_ROLES)},
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=20, choices=AbsenceReason.choices, default=AbsenceReason.OTHER)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = StaffAbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="absence_ends_after_start",
                violation_error_message=_("An absence ends on or after the day it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.starts_on}–{self.ends_on}"
