from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements import selectors as engagement_selectors


def navigation(request):
    """The navigation entries for the signed-in user's role (templates only render them), and the absence-cover
    banner, asked only when a page shows it (``cover``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if user.is_client_user:
        items = [
            (_("My projects"), reverse("portal:home")),
            (_("My tasks"), reverse("portal:tasks")),
            (_("Meetings"), reverse("portal:meetings")),
            (_("Action items"), reverse("portal:action_items")),
            (_("Our promises"), reverse("portal:promises")),
            (_("Complaints"), reverse("portal:flags")),
            (_("Quality reports"), reverse("portal:quality_reports")),
            (_("Documents"), reverse("portal:documents")),
            (_("Contract and billing"), reverse("portal:contract")),
        ]
    else:
        items = [
            (_("Dashboard"), reverse("home")),
            (_("My work"), reverse("portfolio:my_work")),
            (_("Clients"), reverse("engagements:client_list")),
            (_("My meetings"), reverse("governance:upcoming")),
            (_("Red flags"), reverse("escalations:flag_list")),
        ]
        if user.sees_portfolio:
            items.append((_("Workload"), reverse("portfolio:workload")))
            items.append((_("Promises kept"), reverse("governance:promise_rates")))
        if user.is_vendor_user:
            items.append((_("Invitations"), reverse("accounts:invitation_list")))
            items.append((_("Absences"), reverse("accounts:absences")))
    return {"nav_items": items, "cover": _Cover(user)}


class _Cover:
    """The banner's lines, queried the first time a template reads them (pages that do not show it pay nothing)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def notes(self):
        return engagement_selectors.cover_notes(user=self.user, today=timezone.localdate())
