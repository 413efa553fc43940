""" "Preview as client": staff read an engagement's portal exactly as its client sees it, and can do nothing there.

Starting a preview (a POST from the engagement page) puts the engagement's id in the staff member's session. While it
is there, every request under ``/portal/`` is answered for a *preview principal* instead of the staff member:

- an unsaved client member of the engagement's organization (the least a client sees: no key-user decisions), or,
  when staff ask for it, its key user (the key-user pages such as "Our people", and the decision buttons shown
  disabled: the principal never decides, ``policy.may_decide`` knows no such account); its visibility
  ``engagements.policy.engagement_filter`` narrows to the previewed engagement, so a staff member who sees one
  engagement of a client never reads the client's others through the preview;
- it is no account: it cannot log in, its ``save()`` refuses, and nothing is ever assigned to it (its id is
  ``PREVIEW_PK``, which no row has);
- only GET and HEAD are answered; any other method gets 403 and changes nothing;
- the request runs in a transaction that is always rolled back, so even a page that writes as it renders (marks
  something read, say) leaves no trace;
- whether the staff member still sees the engagement is asked again on every request (an ended assignment ends
  the preview).

Pages outside ``/portal/`` (the staff workspace, the staff member's own profile) are untouched: the staff member is
never signed out nor signed in as anyone else. The portal layout shows a banner with the exit button.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import staff_required
from accounts.models import Role, User
from engagements import policy
from engagements.models import Engagement
from engagements.view_helpers import engagement_or_404

SESSION_KEY = "portal_preview"
# Set when the preview is as the client's key user rather than as a member.
SESSION_AS_KEY_USER = "portal_preview_as_key_user"
# No user row has it (ids start at 1): a filter on the principal matches nothing of anyone's.
PREVIEW_PK = -1
SAFE_METHODS = frozenset({"GET", "HEAD"})


def _refuse(*args, **kwargs):
    raise PermissionDenied("The preview principal is not an account.")


def preview_principal(engagement: Engagement, *, staff, key_user: bool = False) -> User:
    """The client's view of ``engagement``, for ``staff`` to read (in their own language and time zone)."""
    principal = User(
        id=PREVIEW_PK,
        email="",
        full_name=_("Preview as %(client)s") % {"client": engagement.client.name},
        organization=engagement.client,
        role=Role.CLIENT_KEY_USER if key_user else Role.CLIENT_MEMBER,
        is_active=True,
        is_staff=False,
        is_superuser=False,
        language=staff.language,
        time_zone=staff.time_zone,
    )
    principal.preview_engagement_id = engagement.pk
    principal.save = _refuse
    principal.delete = _refuse
    principal.set_password = _refuse
    return principal


def _previewed(request) -> Engagement | None:
    """The engagement ``request``'s staff member previews, if they still may see it."""
    pk = request.session.get(SESSION_KEY)
    if not pk or not policy.is_staff(request.user):
        return None
    return Engagement.objects.visible_to(request.user).select_related("client").filter(pk=pk).first()


class PortalPreviewMiddleware:
    """Answers ``/portal/`` for the preview principal while a preview is on (after the authentication and the
    user's preferences, so the staff member's own language and time zone apply)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY not in request.session or not request.path.startswith(reverse("portal:home")):
            return self.get_response(request)
        engagement = _previewed(request)
        if engagement is None:
            # Not staff (any more), or no longer on the engagement: the preview ends, the request goes on as
            # the person themselves (the portal answers staff 404).
            request.session.pop(SESSION_KEY, None)
            request.session.pop(SESSION_AS_KEY_USER, None)
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            raise PermissionDenied(_("The preview is read-only."))
        request.preview_by = request.user
        request.portal_preview = engagement
        request.user = preview_principal(
            engagement, staff=request.user, key_user=bool(request.session.get(SESSION_AS_KEY_USER))
        )
        with transaction.atomic():
            response = self.get_response(request)
            transaction.set_rollback(True)
        return response


@staff_required
@require_POST
def preview_start(request, pk):
    """Open the portal of engagement ``pk`` as its client sees it (any staff member who sees the engagement): as a
    member, or as the key user when the form says ``as=key_user``."""
    engagement = engagement_or_404(request, pk)
    request.session[SESSION_KEY] = engagement.pk
    request.session[SESSION_AS_KEY_USER] = request.POST.get("as") == "key_user"
    return redirect("portal:project", pk=engagement.pk)


@require_POST
def preview_exit(request):
    """Back to the staff workspace, on the engagement that was previewed."""
    pk = request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_AS_KEY_USER, None)
    if pk and policy.is_staff(request.user):
        messages.info(request, _("The client preview has ended."))
        return redirect("portfolio:engagement", pk=pk)
    return redirect("home")
