from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from engagements import portal
from engagements import selectors as engagement_selectors
from engagements.models import Engagement


def navigation(request):
    """The navigation entries for the signed-in user's role (templates only render them), and the absence-cover
    banner, asked only when a page shows it (``cover``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if user.is_client_user:
        return {
            "nav_items": _portal_sections(request, user),
            "cover": _Cover(user),
            # Staff reading the portal as the client (``preview``): the layout shows the banner, disables forms.
            "portal_preview": getattr(request, "portal_preview", None),
        }
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
        if user.leads_delivery or user.role == Role.CSM:
            # Those who manage clients manage their webhook endpoints (``webhooks.permissions``).
            items.append((_("Webhooks"), reverse("webhooks:endpoint_list")))
    return {"nav_items": [(label, url, request.path == url) for label, url in items], "cover": _Cover(user)}


def _current_engagement(request, user) -> int | None:
    """The engagement the portal's sections point at: the one in the URL on one engagement's page, else the
    client's most recent one (one query)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "portal" and match.url_name in portal.per_engagement_url_names():
        return match.kwargs.get("pk")
    return Engagement.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True).first()


def _portal_sections(request, user) -> list[tuple[str, str, bool]]:
    """The portal's sections (``engagements.portal``): label, address for the current engagement, current or not."""
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match is not None and match.namespace == "portal" else None
    engagement_pk = _current_engagement(request, user)
    items = []
    for section in portal.sections():
        url = section.url(engagement_pk)
        if url is not None:
            items.append((section.label, url, section.is_active(url_name)))
    return items


class _Cover:
    """The banner's lines, queried the first time a template reads them (pages that do not show it pay nothing)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def notes(self):
        return engagement_selectors.cover_notes(user=self.user, today=timezone.localdate())
