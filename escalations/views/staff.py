"""Staff pages: the red-flag list, a flag's page and its actions, raising a flag for a client, SLA figures (and
their CSV), the on-call rota. Views parse input, call one selector or service, render."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import staff_required
from accounts.forms import add_service_errors, form_error_text
from accounts.step_up import step_up_required
from attachments.services import attachment_response
from engagements import selectors as engagement_selectors
from engagements.policy import object_for_user_or_404
from engagements.view_helpers import flash
from exports.csv_files import csv_response

from .. import forms, permissions, selectors, services, sla
from ..models import RUNNING_STATUSES, ActionStep, FlagAttachment, Severity
from . import flag_or_404, step_status_change

PAGE_SIZE = 50


def _back(flag_pk, anchor=""):
    return reverse("escalations:flag", args=[flag_pk]) + anchor


def _filters_query(filters) -> str:
    """The list's filters as the query string of its page links (the page number follows)."""
    mine = "&mine=1" if filters["mine"] else ""
    return (
        f"status={filters['status']}&severity={filters['severity']}&level={filters['level']}"
        f"&engagement={filters['engagement']}{mine}&q={quote(filters['query'], safe='/')}"
    )


@staff_required
@require_GET
def flag_list(request):
    filters = {
        "status": request.GET.get("status", "open"),
        "severity": request.GET.get("severity", ""),
        "level": request.GET.get("level", ""),
        "engagement": request.GET.get("engagement", ""),
        "mine": request.GET.get("mine") == "1",
        "query": request.GET.get("q", "").strip()[:100],
    }
    flags = selectors.flag_list(user=request.user, **filters)
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "escalations/flag_list.html",
        {
            "page": page,
            "filters": filters,
            "filters_query": _filters_query(filters),
            "statuses": [
                ("open", _("Open")),
                ("waiting", _("Waiting on the client")),
                ("resolved", _("Resolved")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
            "severities": Severity.choices,
            "engagements": selectors.flag_list_engagements(user=request.user),
            "raisable": selectors.engagements_for_raising(user=request.user),
            "now": timezone.now(),
        },
    )


@staff_required
@require_GET
def flag_detail(request, pk):
    flag = flag_or_404(request, pk)
    page = selectors.flag_page(flag=flag, user=request.user)
    return render(
        request,
        "escalations/flag_detail.html",
        {
            "page": page,
            "flag": flag,
            "update_form": forms.UpdateForm(),
            "step_form": forms.StepForm(owners=selectors.step_owner_choices(flag)),
            "step_status_form": forms.StepStatusForm(),
            "may_escalate": permissions.may_escalate_flag(request.user, flag),
            "running": flag.status in RUNNING_STATUSES,
            "now": timezone.now(),
        },
    )


@staff_required
@require_POST
def flag_acknowledge(request, pk):
    flag = flag_or_404(request, pk, work=True)
    form = forms.AcknowledgeForm(request.POST)
    level = form.cleaned_data.get("level") if form.is_valid() else None
    flash(
        request,
        lambda: services.flag_acknowledge(flag=flag, by=request.user, expected_level=level),
        _("Acknowledged: the red flag is yours at this level."),
        refused=Http404,
    )
    return redirect(_back(pk))


@staff_required
@require_POST
def flag_update(request, pk):
    flag = flag_or_404(request, pk, work=True)
    form = forms.UpdateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(_back(pk, "#update"))
    internal = form.cleaned_data["internal"]
    flash(
        request,
        lambda: services.flag_post_update(
            flag=flag,
            by=request.user,
            body=form.cleaned_data["body"],
            internal=internal,
            files=form.cleaned_data["files"],
        ),
        _("Internal note saved.") if internal else _("Update posted; the client sees it."),
        refused=Http404,
    )
    return redirect(_back(pk, "#timeline"))


def _reason_action(request, pk, service, success, field="reason", form_class=forms.ReasonForm):
    flag = flag_or_404(request, pk, work=True)
    flash(
        request,
        lambda data: service(flag=flag, by=request.user, **{field: data[field]}),
        success,
        form=form_class(request.POST),
        invalid=form_error_text,
        refused=Http404,
    )
    return redirect(_back(pk))


@staff_required
@require_POST
def flag_pause(request, pk):
    return _reason_action(
        request, pk, services.flag_pause, _("The clock is stopped until the client answers; they see what you asked.")
    )


@staff_required
@require_POST
def flag_resume(request, pk):
    flag = flag_or_404(request, pk, work=True)
    flash(
        request, lambda: services.flag_resume(flag=flag, by=request.user), _("The clock runs again."), refused=Http404
    )
    return redirect(_back(pk))


@staff_required
@require_POST
def flag_escalate(request, pk):
    flag = flag_or_404(request, pk, work=True)
    if not permissions.may_escalate_flag(request.user, flag):
        raise Http404
    return _reason_action(request, pk, services.flag_escalate, _("Escalated to the next level; they have been told."))


@staff_required
@require_POST
def flag_resolve(request, pk):
    return _reason_action(
        request,
        pk,
        services.flag_resolve,
        _("Resolved; the client is asked to confirm."),
        field="resolution",
        form_class=forms.ResolveForm,
    )


@staff_required
@require_POST
@step_up_required
def flag_reopen(request, pk):
    return _reason_action(request, pk, services.flag_reopen, _("Reopened; the level must acknowledge it again."))


@staff_required
@require_POST
def step_add(request, pk):
    flag = flag_or_404(request, pk, work=True)
    flash(
        request,
        lambda data: services.step_add(
            flag=flag,
            by=request.user,
            title=data["title"],
            owner_side=data["owner_side"],
            owner=data["owner"],
            due_on=data["due_on"],
            risk=data["risk"],
        ),
        _("Step added to the action plan."),
        form=forms.StepForm(request.POST, owners=selectors.step_owner_choices(flag)),
        invalid=form_error_text,
        refused=Http404,
    )
    return redirect(_back(pk, "#plan"))


@staff_required
@require_POST
def plan_agree(request, pk):
    flag = flag_or_404(request, pk, work=True)
    flash(
        request,
        lambda: services.plan_agree(flag=flag, by=request.user),
        _("Action plan agreed; every step's owner has been told."),
        refused=Http404,
    )
    return redirect(_back(pk, "#plan"))


@staff_required
@require_POST
def step_status(request, pk):
    step = object_for_user_or_404(ActionStep.objects.all(), user=request.user, pk=pk, work=True)
    step_status_change(request, step, _("Step updated; the client sees its status."))
    return redirect(_back(step.flag_id, "#plan"))


@staff_required
@require_GET
def attachment_download(request, pk):
    attached = object_for_user_or_404(FlagAttachment.objects.select_related("attachment"), user=request.user, pk=pk)
    return attachment_response(attached.attachment)


@staff_required
@require_GET
def flag_raise_start(request):
    """The list page's "raise for a client" picker: on to the chosen engagement's form."""
    engagement_id = request.GET.get("engagement", "")
    if not engagement_id.isdigit():
        messages.error(request, _("Choose the project the complaint is about."))
        return redirect("escalations:flag_list")
    engagement = object_for_user_or_404(
        engagement_selectors.engagement_with_people(), user=request.user, pk=engagement_id, work=True
    )
    return redirect("escalations:flag_raise", pk=engagement.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def flag_raise(request, pk):
    """Staff raise a red flag on the client's behalf (a complaint by phone or in a meeting is a flag too)."""
    engagement = object_for_user_or_404(
        engagement_selectors.engagement_with_people(), user=request.user, pk=pk, work=True
    )
    reporters = selectors.client_people(engagement)
    form = forms.RaiseForm(
        request.POST or None, request.FILES or None, reporters=reporters, submit_label=_("Raise for the client")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            flag = services.flag_raise(
                engagement=engagement,
                by=request.user,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                severity=data["severity"],
                files=data["files"],
                reporter=data.get("reporter"),
                reporter_name=data.get("reporter_name", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Red flag raised; its first level has been told."))
            return redirect("escalations:flag", pk=flag.pk)
    return render(request, "escalations/flag_raise.html", {"form": form, "engagement": engagement})


def _sla_filters(request):
    scope = request.GET.get("scope", "overall")
    return scope if scope in sla.SCOPES else "overall"


@staff_required
@require_GET
def sla_figures(request):
    scope = _sla_filters(request)
    report = selectors.sla_figures(user=request.user, scope=scope)
    return render(
        request,
        "escalations/sla.html",
        {
            "report": report,
            "scope": scope,
            "scopes": [("overall", _("Overall")), ("client", _("Per client")), ("engagement", _("Per engagement"))],
        },
    )


@staff_required
@require_GET
def sla_csv(request):
    scope = _sla_filters(request)
    report = selectors.sla_figures(user=request.user, scope=scope)
    response, writer = csv_response(f"sla-{scope}-{timezone.localdate():%Y-%m-%d}.csv", for_spreadsheets=False)
    writer.writerows(sla.csv_rows(report))
    return response


@staff_required
@require_GET
def rota(request):
    return render(
        request, "escalations/rota.html", {"rotas": selectors.rota_overview(user=request.user), "now": timezone.now()}
    )
