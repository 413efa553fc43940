"""Pages that combine the apps: the staff home (dashboard), the director's workload view, the engagement page, and
the portal's home and engagement page. Each parses input, calls the selectors, renders."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import client_required, staff_required
from checklists import forms as checklist_forms
from checklists import selectors as checklist_selectors
from checklists.models import ItemStatus
from engagements import forms as engagement_forms
from engagements import hooks, policy
from engagements import selectors as engagement_selectors
from engagements.health import Health
from engagements.models import Phase
from engagements.policy import object_for_user_or_404
from engagements.services import transitions_from
from engagements.view_helpers import engagement_or_404

from . import selectors

PAGE_SIZE = 50


@require_GET
def home(request):
    """The staff workspace; client users land in their portal instead."""
    if request.user.is_client_user:
        return redirect("portal:home")
    return dashboard(request)


@staff_required
@require_GET
def dashboard(request):
    today = timezone.localdate()
    filters = {
        "phase": request.GET.get("phase", ""),
        "health": request.GET.get("health", ""),
        "query": request.GET.get("q", "").strip()[:100],
        "sort": request.GET.get("sort", "client"),
    }
    engagements = selectors.engagement_list_for_dashboard(user=request.user, today=today, **filters)
    page = Paginator(engagements, PAGE_SIZE).get_page(request.GET.get("page"))
    for engagement in page.object_list:
        selectors.decorate(engagement, today=today)
    context = {
        "page": page,
        "filters": filters,
        "phases": Phase.choices,
        "healths": Health.choices,
        "sorts": [
            ("client", _("Client")),
            ("health", _("Health")),
            ("overdue", _("Overdue items")),
            ("next_due", _("Next due")),
            ("kickoff", _("Kickoff")),
        ],
        "can_create": policy.may_create_client(request.user),
        # Directors are warned on their home page when a CSM carries more than the capacity.
        "over_capacity": [row for row in engagement_selectors.csm_workload() if row.over_capacity]
        if request.user.sees_portfolio
        else [],
    }
    return render(request, "portfolio/dashboard.html", context)


@staff_required
@require_GET
def workload(request):
    if not request.user.sees_portfolio:
        raise Http404
    rows = engagement_selectors.csm_workload()
    return render(
        request,
        "portfolio/workload.html",
        {"rows": rows, "capacity": settings.ENGAGEMENT_CSM_CAPACITY, "over": [r for r in rows if r.over_capacity]},
    )


@staff_required
@require_GET
def engagement_detail(request, pk):
    engagement = engagement_or_404(request, pk)
    page = selectors.engagement_page(engagement=engagement, user=request.user)
    can_manage = policy.may_manage(request.user, engagement)
    context = {
        "engagement": engagement,
        "client_profile": getattr(engagement.client, "client_profile", None),
        "page": page,
        "can_manage": can_manage,
        "transitions": transitions_from(engagement.phase),
        # Said before anyone tries: what the client still has to accept before the go-live.
        "go_live_missing": hooks.phase_blockers(engagement, to=Phase.LIVE)
        if can_manage and engagement.phase == Phase.ONBOARDING
        else [],
        "templates": checklist_selectors.templates_to_apply() if can_manage and not page.checklist.stages else [],
        "assignees": list(engagement_selectors.assignee_choices(engagement)),
        "statuses": ItemStatus.choices,
        "commitment_form": engagement_forms.CommitmentForm(engagement=engagement),
        "milestone_form": engagement_forms.MilestoneForm(),
        "integration_form": engagement_forms.IntegrationForm(),
        "link_form": engagement_forms.ResourceLinkForm(),
        "member_form": engagement_forms.MemberForm(),
        "members": engagement.members.select_related("user"),
        "item_form": checklist_forms.ItemCreateForm(engagement=engagement),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, "portfolio/engagement_detail.html", context)


# --- Client portal -------------------------------------------------------------------------------


@client_required
@require_GET
def portal_home(request):
    engagements = list(engagement_selectors.engagement_list(user=request.user))
    if len(engagements) == 1:
        return redirect("portal:engagement", pk=engagements[0].pk)
    return render(request, "portfolio/portal_home.html", {"engagements": engagements})


@client_required
@require_GET
def portal_engagement(request, pk):
    # The portal's own queryset: it never loads the handoff or the client profile (vendor-internal).
    engagement = object_for_user_or_404(
        engagement_selectors.engagement_list(user=request.user), user=request.user, pk=pk
    )
    page = selectors.engagement_page(engagement=engagement, user=request.user)
    pending = list(checklist_selectors.pending_satisfaction(user=request.user).filter(engagement=engagement))
    context = {
        "engagement": engagement,
        "page": page,
        "pending_satisfaction": pending,
        "today": timezone.localdate(),
        "can_decide": policy.may_decide(request.user, engagement),
    }
    return render(request, "portfolio/portal_engagement.html", context)
