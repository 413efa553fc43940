"""Pages that combine the apps: the staff home (dashboard), the director's workload view, the engagement page, and
the portal's home and engagement page. Each parses input, calls the selectors, renders."""

from datetime import UTC

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.access import client_required, staff_required
from audit import selectors as audit_selectors
from checklists import plan_selectors
from checklists import selectors as checklist_selectors
from engagements import forms as engagement_forms
from engagements import hooks, policy, work
from engagements import selectors as engagement_selectors
from engagements.health import Health
from engagements.models import Phase
from engagements.policy import object_for_user_or_404
from engagements.services import transitions_from
from engagements.view_helpers import engagement_or_404
from exports.csv_files import csv_response

from . import page_cache, search, selectors

PAGE_SIZE = 50


@require_GET
def home(request):
    """The staff workspace; client users land in their portal instead."""
    if request.user.is_client_user:
        return redirect("portal:home")
    return dashboard(request)


SORT_LABELS = {
    "risk": gettext_lazy("Risk"),
    "client": gettext_lazy("Client"),
    "overdue": gettext_lazy("Overdue items"),
    "next_due": gettext_lazy("Next due"),
    "kickoff": gettext_lazy("Kickoff"),
    "go_live": gettext_lazy("Target go-live"),
}


def _person_names(rows, filters):
    """The names of the CSM and PM filtered by, from the rows themselves (no query)."""
    names = {}
    for row in rows:
        if filters.csm and row.csm_id == filters.csm:
            names["csm"] = row.csm_name
        if filters.pm and row.pm_id == filters.pm:
            names["pm"] = row.pm_name
    return names


def _dashboard_context(request, filters, page_number) -> dict:
    today = timezone.localdate()
    rows = selectors.engagement_list_for_dashboard(user=request.user, filters=filters, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    return {
        "page": page,
        "rows": selectors.decorate(page.object_list, today=today),
        "filters": filters,
        "phases": Phase.choices,
        "healths": Health.choices,
        "sorts": list(SORT_LABELS.items()),
        "people": _person_names(page.object_list, filters),
        "portfolio": selectors.portfolio_overview(user=request.user, today=today, current=False)
        if request.user.sees_portfolio
        else None,
        "today": today,
        # Directors are warned on their home page when a CSM carries more than the capacity.
        "over_capacity": [row for row in engagement_selectors.csm_workload() if row.over_capacity]
        if request.user.sees_portfolio
        else [],
    }


@staff_required
@require_GET
def dashboard(request):
    filters = selectors.DashboardFilters.from_query(request.GET)
    page_number = request.GET.get("page")
    body = page_cache.fragment(
        request,
        name="dashboard",
        parts=(filters.as_query(), page_number),
        template="portfolio/partials/dashboard_body.html",
        context=lambda: _dashboard_context(request, filters, page_number),
    )
    context = {"filters": filters, "body": body, "can_create": policy.may_create_client(request.user)}
    return render(request, "portfolio/dashboard.html", context)


@staff_required
@require_GET
def dashboard_csv(request):
    """The dashboard's current filter and sort, every row (not just one page), as CSV in the user's language."""
    today = timezone.localdate()
    filters = selectors.DashboardFilters.from_query(request.GET)
    rows = selectors.engagement_list_for_dashboard(user=request.user, filters=filters, today=today)
    response, writer = csv_response(f"engagements-{today.isoformat()}.csv")
    writer.writerow(
        [
            _("Client"),
            _("Engagement"),
            _("Phase"),
            _("CSM"),
            _("PM"),
            _("Health"),
            _("Why"),
            _("Progress (%)"),
            _("Items done"),
            _("Items"),
            _("Overdue items"),
            _("Next due"),
            _("Next due date"),
            _("Kickoff"),
            _("Target go-live"),
            _("Link"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.client_name,
                row.name,
                Phase(row.phase).label,
                row.csm_name,
                row.pm_name,
                row.health_label,
                "; ".join(reason.text for reason in row.reasons),
                row.progress,
                row.items_done,
                row.items_total,
                row.overdue_items,
                row.next_due_title,
                row.next_due_on.isoformat() if row.next_due_on else "",
                row.kickoff_on.isoformat() if row.kickoff_on else "",
                row.target_go_live_on.isoformat() if row.target_go_live_on else "",
                settings.SITE_URL + reverse("portfolio:engagement", args=[row.pk]),
            ]
        )
    return response


@staff_required
@require_GET
def search_page(request):
    query = request.GET.get("q", "").strip()[:100]
    results = search.search(user=request.user, query=query)
    return render(request, "portfolio/search.html", {"results": results, "search_query": query})


@staff_required
@require_GET
def my_work(request):
    """One inbox per person: every registered list (``engagements.work``) that has something for them."""
    body = page_cache.fragment(
        request,
        name="my_work",
        parts=(),
        template="portfolio/partials/my_work_body.html",
        context=lambda: {"lists": work.work_for(user=request.user, today=timezone.localdate())},
    )
    return render(request, "portfolio/my_work.html", {"body": body})


@staff_required
@require_GET
def workload(request):
    if not request.user.sees_portfolio:
        raise Http404
    csms = engagement_selectors.csm_workload()
    pms = engagement_selectors.pm_workload()
    return render(
        request,
        "portfolio/workload.html",
        {
            "tables": [
                (_("Customer success managers"), csms, "csm", "workload-csm"),
                (_("Project managers"), pms, "pm", "workload-pm"),
            ],
            "csm_capacity": settings.ENGAGEMENT_CSM_CAPACITY,
            "pm_capacity": settings.ENGAGEMENT_PM_CAPACITY,
            "over": [r for r in csms + pms if r.over_capacity],
        },
    )


@staff_required
@require_GET
def engagement_figures(request, pk):
    """The engagement page's figures after an inline change (htmx out-of-band swaps; see the page's
    ``checklist-changed`` listener): health and its reasons, progress, each stage's count, next actions and the
    timeline, from the same selector as the page."""
    engagement = engagement_or_404(request, pk)
    page = selectors.engagement_page(engagement=engagement, user=request.user)
    return render(request, "portfolio/partials/engagement_figures.html", {"engagement": engagement, "page": page})


def _engagement_context(request, engagement) -> dict:
    page = selectors.engagement_page(engagement=engagement, user=request.user)
    can_manage = policy.may_manage(request.user, engagement)
    return {
        "engagement": engagement,
        "page": page,
        "can_manage": can_manage,
        # Executives read every engagement but work on none by their role alone: the page offers them no controls.
        "watching": not policy.may_work(request.user, engagement),
        "transitions": transitions_from(engagement.phase),
        # Said before anyone tries: what the client still has to accept before the go-live.
        "go_live_missing": hooks.phase_blockers(engagement, to=Phase.LIVE)
        if can_manage and engagement.phase == Phase.ONBOARDING
        else [],
        "templates": checklist_selectors.templates_to_apply() if can_manage and not page.checklist.stages else [],
        "assignees": list(engagement_selectors.assignee_choices(engagement)),
        "promise_form": engagement_forms.PromiseForm(engagement=engagement),
        "milestone_form": engagement_forms.MilestoneForm(),
        "integration_form": engagement_forms.IntegrationForm(),
        "link_form": engagement_forms.ResourceLinkForm(),
        "member_form": engagement_forms.MemberForm(),
        "members": engagement.members.select_related("user"),
        # The plan's forecast go-live and what holds it (issue 21).
        "forecast": plan_selectors.engagement_forecast(engagement=engagement),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }


@staff_required
@require_GET
def engagement_detail(request, pk):
    engagement = engagement_or_404(request, pk)
    body = page_cache.fragment(
        request,
        name="engagement",
        parts=(engagement.pk,),
        template="portfolio/partials/engagement_body.html",
        context=lambda: _engagement_context(request, engagement),
    )
    context = {
        "engagement": engagement,
        "client_profile": getattr(engagement.client, "client_profile", None),
        "body": body,
    }
    return render(request, "portfolio/engagement_detail.html", context)


@staff_required
@require_GET
def engagement_history(request, pk):
    """The engagement's audit trail: who changed what and when (or which task), newest first, a page at a time."""
    engagement = engagement_or_404(request, pk)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    trail = audit_selectors.engagement_trail(engagement=engagement, page=page)
    return render(request, "portfolio/engagement_history.html", {"engagement": engagement, "trail": trail})


@staff_required
@require_GET
def engagement_history_csv(request, pk):
    """The engagement's whole trail as CSV, oldest first: one row per changed field (one for a creation or
    deletion)."""
    engagement = engagement_or_404(request, pk)
    response, writer = csv_response(f"engagement-{engagement.pk}-history.csv")
    writer.writerow(
        [
            _("When (UTC)"),
            _("Record"),
            _("Id"),
            _("Action"),
            _("Object"),
            _("Field"),
            _("Before"),
            _("After"),
            _("By"),
            _("Address"),
            _("Task"),
            _("Task id"),
        ]
    )
    for entry in audit_selectors.all_engagement_rows(engagement=engagement):
        head = [entry.at.astimezone(UTC).isoformat(), entry.model, entry.object_id, entry.action_label, entry.summary]
        tail = [entry.user, entry.address, entry.task, entry.task_id]
        for change in entry.changes or [None]:
            middle = [change.field, change.before, change.after] if change else ["", "", ""]
            writer.writerow(head + middle + tail)
    return response


# --- Client portal -------------------------------------------------------------------------------


@client_required
@require_GET
def portal_home(request):
    """The client's home: each of their projects with its progress, the next step on their side and the target
    go-live."""
    body = page_cache.fragment(
        request,
        name="portal_home",
        parts=(),
        template="portfolio/partials/portal_home_body.html",
        context=lambda: {"home": selectors.portal_home(user=request.user)},
    )
    return render(request, "portfolio/portal_home.html", {"body": body})


def _portal_engagement_or_404(request, pk):
    # The portal's own queryset: it never loads the handoff or the client profile (vendor-internal).
    return object_for_user_or_404(engagement_selectors.engagement_list(user=request.user), user=request.user, pk=pk)


@client_required
@require_GET
def portal_project(request, pk):
    """The project: what it is, when it goes live, its timeline, and who works on it on both sides."""
    engagement = _portal_engagement_or_404(request, pk)
    project = selectors.portal_project(engagement=engagement, user=request.user)
    return render(request, "portfolio/portal_project.html", {"engagement": engagement, "project": project})


@client_required
@require_GET
def portal_engagement(request, pk):
    engagement = _portal_engagement_or_404(request, pk)
    page = selectors.engagement_page(engagement=engagement, user=request.user)
    pending = list(checklist_selectors.pending_satisfaction(user=request.user).filter(engagement=engagement))
    context = {
        "engagement": engagement,
        "page": page,
        "pending_satisfaction": pending,
        "today": timezone.localdate(),
        # Staff previewing as the key user see the decision buttons, disabled by the preview (which refuses any
        # POST); the principal itself never decides.
        "can_decide": policy.may_decide(request.user, engagement)
        or (getattr(request, "portal_preview", None) is not None and request.user.is_key_user),
    }
    return render(request, "portfolio/portal_engagement.html", context)
