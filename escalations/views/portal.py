"""Portal pages: the escalation path in plain language, raising a complaint, the client's flags with their level,
deadlines, timeline and action plan, confirming a resolution, marking a duplicate (and taking it back out), and the
client's own SLA figures."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import client_required, key_user_required
from accounts.forms import add_service_errors, error_text, form_error_text
from accounts.step_up import step_up_required
from attachments.services import attachment_response
from engagements import policy
from engagements.models import Engagement
from engagements.policy import object_for_user_or_404
from engagements.view_helpers import flash
from receipts.context import decision_context

from .. import forms, permissions, selectors, services
from ..models import ActionStep, FlagAttachment, FlagStatus, RedFlag, StepStatus
from . import flag_or_404, step_status_change


def _back(pk, anchor=""):
    return reverse("portal:flag", args=[pk]) + anchor


def _decided_or_404(request, pk) -> RedFlag:
    """The flag, if the user answers for the client on it (``permissions.may_answer_for_client``), else 404."""
    flag = flag_or_404(request, pk)
    if not permissions.may_answer_for_client(request.user, flag):
        raise Http404
    return flag


@client_required
@require_GET
def flags(request):
    return render(
        request,
        "escalations/portal_flags.html",
        {
            "flags": selectors.client_flags(user=request.user),
            "paths": selectors.escalation_paths_for_client(user=request.user),
        },
    )


@client_required
@require_http_methods(["GET", "POST"])
def flag_raise(request):
    # The client's name is in each choice's label: joined, so the page's queries do not grow with the projects.
    engagements = Engagement.objects.visible_to(request.user).active().select_related("client").order_by("name")
    form = forms.RaiseForm(request.POST or None, request.FILES or None, engagements=engagements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            flag = services.flag_raise(
                engagement=data["engagement"],
                by=request.user,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                severity=data["severity"],
                files=data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, _("Your complaint is registered. The team has been told, and you can follow it here.")
            )
            return redirect("portal:flag", pk=flag.pk)
    return render(request, "escalations/portal_flag_raise.html", {"form": form})


@client_required
@require_GET
def flag_detail(request, pk):
    flag = flag_or_404(request, pk)
    page = selectors.flag_page(flag=flag, user=request.user)
    decides = permissions.may_answer_for_client(request.user, flag)
    resolved = flag.status == FlagStatus.RESOLVED
    return render(
        request,
        "escalations/portal_flag.html",
        {
            "page": page,
            "flag": flag,
            "reply_form": forms.ReplyForm(),
            "resolved": resolved,
            "may_answer": resolved and decides,
            # Who answers instead, named to those who may not (a reply or a follow grants no decision).
            "decider": None if decides or not resolved else policy.key_user_of(flag.engagement),
            "may_mark_duplicate": decides and bool(page.others),
            "may_unmark_duplicate": decides and flag.status == FlagStatus.DUPLICATE,
            "step_statuses": StepStatus.choices,
        },
    )


@client_required
@require_POST
def flag_reply(request, pk):
    flag = flag_or_404(request, pk)
    form = forms.ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(_back(pk, "#reply"))
    flash(
        request,
        lambda: services.flag_client_reply(
            flag=flag, by=request.user, body=form.cleaned_data["body"], files=form.cleaned_data["files"]
        ),
        _("Thank you; your reply is on the timeline and the team has been told."),
        refused=Http404,
    )
    return redirect(_back(pk, "#timeline"))


@client_required
@require_POST
@step_up_required
def flag_confirm(request, pk):
    flag = _decided_or_404(request, pk)
    flash(
        request,
        lambda: services.flag_confirm(flag=flag, by=request.user, context=decision_context(request)),
        _("Thank you for confirming; the red flag is closed."),
        refused=Http404,
    )
    return redirect(_back(pk))


@client_required
@require_POST
@step_up_required
def flag_reopen(request, pk):
    flag = _decided_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please tell us why it is not resolved."))
        return redirect(_back(pk))
    flash(
        request,
        lambda: services.flag_reopen(
            flag=flag, by=request.user, reason=form.cleaned_data["reason"], context=decision_context(request)
        ),
        _("Reopened; the team must acknowledge it again within its deadline."),
        refused=Http404,
    )
    return redirect(_back(pk))


@key_user_required
@require_http_methods(["GET", "POST"])
def flag_duplicate(request, pk):
    """GET: what marking this report a duplicate of the chosen flag does (the flag kept, the severity it takes, its
    deadlines, the files it gains), to confirm; POST: mark it, if that is still what it does."""
    flag = _decided_or_404(request, pk)
    form = forms.DuplicateForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose the red flag this one duplicates."))
        return redirect(_back(pk))
    original = form.cleaned_data["original"]
    if request.method == "POST" and not form.cleaned_data["severity"]:
        # Not from the page that shows what it does: show it first.
        return redirect(reverse("portal:flag_duplicate", args=[pk]) + f"?original={original}")
    if request.method == "POST":
        flash(
            request,
            lambda: services.flag_mark_duplicate(
                flag=flag, of=original, by=request.user, expected_severity=form.cleaned_data["severity"]
            ),
            _("Marked as a duplicate; its followers now follow the other red flag. You can undo it on this page."),
            refused=Http404,
        )
        return redirect(_back(pk))
    try:
        consequence = services.duplicate_consequence(flag=flag, of=original, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(_back(pk))
    except PermissionDenied:
        raise Http404 from None
    return render(request, "escalations/portal_flag_duplicate.html", {"flag": flag, "consequence": consequence})


@key_user_required
@require_POST
def flag_unmark_duplicate(request, pk):
    flag = _decided_or_404(request, pk)
    flash(
        request,
        lambda: services.flag_unmark_duplicate(flag=flag, by=request.user),
        _("This report is a red flag of its own again; the team must acknowledge it within its deadline."),
        refused=Http404,
    )
    return redirect(_back(pk))


@client_required
@require_POST
def step_status(request, pk):
    step = object_for_user_or_404(ActionStep.objects.client_side(), user=request.user, pk=pk)
    back = (
        request.POST.get("next")
        if request.POST.get("next") == reverse("portal:tasks")
        else _back(step.flag_id, "#plan")
    )
    step_status_change(request, step, _("Thank you; the team sees the step's new status."))
    return redirect(back)


@client_required
@require_GET
def attachment_download(request, pk):
    attached = object_for_user_or_404(FlagAttachment.objects.select_related("attachment"), user=request.user, pk=pk)
    return attachment_response(attached.attachment)


@client_required
@require_GET
def sla_figures(request):
    return render(
        request,
        "escalations/portal_sla.html",
        {"report": selectors.sla_figures(user=request.user, scope="engagement")},
    )
