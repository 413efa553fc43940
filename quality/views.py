"""Quality report pages: the engagement's reports for staff (write, publish, correct) and the client's in the portal.
Views parse input, call one selector or service, render."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import client_required, staff_required
from attachments.services import attachment_response
from engagements import policy
from engagements.policy import object_for_user_or_404
from engagements.view_helpers import engagement_or_404, flash, form_submit

from . import selectors, services
from .forms import QualityReportCorrectionForm, QualityReportForm

# --- Staff --------------------------------------------------------------------------------------------------------


def _report(request, pk, *, manage=False):
    return object_for_user_or_404(selectors.report_detail(user=request.user), user=request.user, pk=pk, manage=manage)


def _reports_page(request, engagement, form=None):
    can_manage = policy.may_manage(request.user, engagement)
    reports = selectors.reports_for_engagement(user=request.user, engagement=engagement)
    context = {
        "engagement": engagement,
        "reports": reports,
        "trends": selectors.pass_rate_trends([r for r in reports if r.is_published]),
        "form": form or (QualityReportForm() if can_manage else None),
        "can_manage": can_manage,
    }
    return render(request, "quality/engagement_reports.html", context)


@staff_required
@require_GET
def engagement_reports(request, pk):
    """The engagement's reports and their trend, and (for its managers) the form of a new draft."""
    return _reports_page(request, engagement_or_404(request, pk))


@staff_required
@require_POST
def report_create(request, pk):
    engagement = engagement_or_404(request, pk, manage=True)
    form = QualityReportForm(request.POST, request.FILES)
    created, report = form_submit(
        request,
        form,
        lambda data: services.report_create(by=request.user, engagement=engagement, **data),
        _("Draft saved. Publish it when it is ready for the client."),
    )
    if created:
        return redirect("quality:report", pk=report.pk)
    return _reports_page(request, engagement, form)


@staff_required
@require_GET
def report(request, pk):
    report = _report(request, pk)
    can_manage = policy.may_manage(request.user, report.engagement)
    form = None
    if can_manage:
        form_class = QualityReportCorrectionForm if report.is_published else QualityReportForm
        form = form_class(instance=report)
    return render(request, "quality/report.html", {"report": report, "form": form, "can_manage": can_manage})


@staff_required
@require_POST
def report_edit(request, pk):
    """Save a draft's changes, or correct a published report (with a reason, recorded)."""
    report = _report(request, pk, manage=True)
    form_class = QualityReportCorrectionForm if report.is_published else QualityReportForm
    form = form_class(request.POST, request.FILES, instance=report)
    save = services.report_correct if report.is_published else services.report_update
    saved, _result = form_submit(
        request,
        form,
        lambda data: save(by=request.user, report=report, **data),
        _("Report corrected; the correction is recorded.") if report.is_published else _("Draft saved."),
    )
    if saved:
        return redirect("quality:report", pk=report.pk)
    report = _report(request, pk)
    return render(request, "quality/report.html", {"report": report, "form": form, "can_manage": True})


@staff_required
@require_POST
def report_publish(request, pk):
    report = _report(request, pk, manage=True)
    flash(
        request,
        lambda: services.report_publish(by=request.user, report=report),
        _("Published: the client's people are told and can read the report."),
    )
    return redirect("quality:report", pk=report.pk)


@staff_required
@require_GET
def report_attachment(request, pk):
    report = _report(request, pk)
    if report.attachment is None:
        raise Http404
    return attachment_response(report.attachment)


# --- The client portal --------------------------------------------------------------------------------------------


@client_required
@require_GET
def portal_reports(request):
    reports = selectors.client_reports(user=request.user)
    return render(
        request,
        "portal/quality/reports.html",
        {"reports": reports, "trends": selectors.pass_rate_trends(reports)},
    )


@client_required
@require_GET
def portal_report(request, pk):
    report = _report(request, pk)
    return render(request, "portal/quality/report.html", {"report": report})


@client_required
@require_GET
def portal_report_attachment(request, pk):
    report = _report(request, pk)
    if report.attachment is None:
        raise Http404
    return attachment_response(report.attachment)
