"""Subscribable calendar feeds behind unguessable, revocable token URLs.

The URL carries the row's random ``nonce`` signed with ``SECRET_KEY`` (as invitation links do): a database reader
alone cannot build a working URL, and the page that offers the subscription can show it again. A feed shows what
its owner may see *now* (a person removed from a team, or deactivated, gets nothing), and revoking it stops it at
once.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def of(self, user):
        """A person manages only their own feeds."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(owner=user)


class CalendarFeed(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds", verbose_name=_("owner")
    )
    # Empty: the owner's own meetings across engagements.
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("engagement"),
    )
    nonce = models.CharField(max_length=64, unique=True, default=new_nonce, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            # One live feed per person and scope: subscribing again shows the same URL.
            models.UniqueConstraint(
                fields=["owner", "engagement"],
                condition=Q(revoked_at__isnull=True, engagement__isnull=False),
                name="calendar_feed_one_active",
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(revoked_at__isnull=True, engagement__isnull=True),
                name="calendar_feed_one_active_personal",
            ),
        ]

    def __str__(self):
        return f"{self.owner}: {self.engagement or _('my meetings')}"
