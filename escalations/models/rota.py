"""On-call rotas for 24/7 engagements: shifts with handover times, and overrides (by hand, or made from staff
absences by ``services.rota``). Who is on duty at an instant: an override covering it, else the shift."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TIME_ZONE_CHOICES
from audit.tracking import track


class OnCallRotaQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Vendor staff see every rota (who to call at night is no secret inside the vendor); clients none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not (user.is_vendor_user or user.is_superuser):
            return self.none()
        return self.all()


@track(engagement=None)
class OnCallRota(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Warsaw")
    handover_time = models.TimeField(_("handover time"), help_text=_("Local time at which one shift hands over."))
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("backup"),
        help_text=_("Covers a shift whose person is absent."),
        limit_choices_to={"organization__kind": "vendor"},
    )

    objects = OnCallRotaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("on-call rota")
        verbose_name_plural = _("on-call rotas")

    def __str__(self):
        return self.name


@track(engagement=None)
class OnCallShift(models.Model):
    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="shifts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
        verbose_name=_("on duty"),
        limit_choices_to={"organization__kind": "vendor"},
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))

    class Meta:
        ordering = ["rota", "starts_at"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")
        indexes = [models.Index(fields=["rota", "starts_at", "ends_at"], name="on_call_shift_when")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="on_call_shift_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.person}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class OverrideSource(models.TextChoices):
    MANUAL = "manual", _("Set by hand")
    ABSENCE = "absence", _("Staff absence")


class OnCallOverride(models.Model):
    """Someone else on duty for a while: a swap agreed by hand, or cover for a person's absence."""

    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="overrides")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on duty instead"),
        help_text=_("Empty: nobody covers (the flag goes to its level as usual)."),
        limit_choices_to={"organization__kind": "vendor"},
    )
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=OverrideSource.choices, default=OverrideSource.MANUAL)
    # The absence an ABSENCE override covers (no foreign key: absences belong to accounts, and the sync removes the
    # override when its absence goes).
    absence_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["rota", "starts_at"]
        verbose_name = _("on-call override")
        verbose_name_plural = _("on-call overrides")
        indexes = [models.Index(fields=["rota", "starts_at", "ends_at"], name="on_call_override_when")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="on_call_override_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.person or '—'}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"
