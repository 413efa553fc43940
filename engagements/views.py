"""Staff and portal pages for engagements. Views parse input, call one selector or service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import client_required, key_user_required, staff_required
from attachments.services import attachment_response
from onboarding_portal.forms import add_service_errors

from . import forms, policy, selectors, services
from .health import Health
from .models import (
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    Engagement,
    Integration,
    Milestone,
    Obligation,
    ObligationStatus,
    Phase,
    PmAbsence,
    ResourceLink,
    SatisfactionScore,
    Side,
    StageActual,
    Stakeholder,
)
from .policy import object_for_user_or_404

PAGE_SIZE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _attempt(request, call, success) -> bool:
    """Run a service call behind a small POST form and say how it went as a flash message."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return False
    messages.success(request, success)
    return True


def _engagement_or_404(request, pk, *, manage=False) -> Engagement:
    """The engagement if the user may see it (with ``manage``: manage it), else 404 (``policy``)."""
    return object_for_user_or_404(selectors.engagement_with_people(), user=request.user, pk=pk, manage=manage)


def _item_or_404(request, pk, *, manage=False) -> ChecklistItem:
    return object_for_user_or_404(selectors.item_detail(user=request.user), user=request.user, pk=pk, manage=manage)


def _record_or_404(request, queryset, pk, *, manage=False):
    """An engagement's record (stage, milestone, ...) with its engagement, if the user may see (manage) it."""
    return object_for_user_or_404(queryset.select_related("engagement"), user=request.user, pk=pk, manage=manage)


def _back_to(engagement, anchor=""):
    return redirect(reverse("engagements:detail", args=[engagement.pk]) + anchor)


# --- Dashboard and workload ---------------------------------------------------------------------


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
        "over_capacity": [row for row in selectors.csm_workload() if row.over_capacity]
        if request.user.sees_portfolio
        else [],
    }
    return render(request, "engagements/dashboard.html", context)


@staff_required
@require_GET
def workload(request):
    if not request.user.sees_portfolio:
        raise Http404
    rows = selectors.csm_workload()
    return render(
        request,
        "engagements/workload.html",
        {"rows": rows, "capacity": settings.ENGAGEMENT_CSM_CAPACITY, "over": [r for r in rows if r.over_capacity]},
    )


# --- Clients ----------------------------------------------------------------------------------


@staff_required
@require_GET
def client_list(request):
    return render(
        request,
        "engagements/client_list.html",
        {"clients": selectors.client_list(user=request.user), "can_create": policy.may_create_client(request.user)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def client_create(request):
    if not policy.may_create_client(request.user):
        raise Http404
    form = forms.ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            profile = services.client_create(by=request.user, name=data.pop("name"), **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Client %(name)s created.") % {"name": profile.organization.name})
            return redirect("engagements:client_detail", pk=profile.pk)
    return render(request, "engagements/form_page.html", {"form": form, "title": _("New client")})


@staff_required
@require_GET
def client_detail(request, pk):
    profile = object_for_user_or_404(selectors.client_profiles(), user=request.user, pk=pk)
    engagements = Engagement.objects.visible_to(request.user).filter(client=profile.organization)
    return render(
        request,
        "engagements/client_detail.html",
        {
            "profile": profile,
            "engagements": engagements.select_related("csm", "pm"),
            "billing_records": profile.billing_records.all(),
            "billing_form": forms.BillingRecordForm(),
            "can_open_engagement": policy.may_open_engagement(request.user, profile.organization),
            "can_manage_client": policy.may_manage_client(request.user, profile.organization),
        },
    )


def _client_to_manage_or_404(request, pk):
    # Those who only read a client get the same 404 as outsiders: the edit URL reveals nothing.
    return object_for_user_or_404(selectors.client_profiles(), user=request.user, pk=pk, manage=True)


@staff_required
@require_http_methods(["GET", "POST"])
def client_edit(request, pk):
    profile = _client_to_manage_or_404(request, pk)
    form = forms.ClientProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            services.client_profile_update(by=request.user, profile=profile, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Client profile saved."))
            return redirect("engagements:client_detail", pk=profile.pk)
    return render(request, "engagements/form_page.html", {"form": form, "title": profile.organization.name})


@staff_required
@require_POST
def billing_record_add(request, pk):
    profile = _client_to_manage_or_404(request, pk)
    form = forms.BillingRecordForm(request.POST)
    if not form.is_valid():
        return _form_again(request, form, f"{profile.organization.name} · {form.helper.inputs[0].value}")
    services.billing_record_add(by=request.user, profile=profile, **form.cleaned_data)
    messages.success(request, _("Record added."))
    return redirect("engagements:client_detail", pk=profile.pk)


# --- Engagements ------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def engagement_create(request):
    # Who may open a new client may come here; the form offers only the clients they may open one for.
    if not policy.may_create_client(request.user):
        raise Http404
    initial = {"client": request.GET.get("client")} if request.GET.get("client", "").isdigit() else {}
    form = forms.EngagementForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            engagement = services.engagement_create(
                by=request.user, client=data.pop("client"), name=data.pop("name"), csm=data.pop("csm"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Engagement created. Next: record the sales handoff."))
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/form_page.html", {"form": form, "title": _("New engagement")})


@staff_required
@require_GET
def engagement_detail(request, pk):
    engagement = _engagement_or_404(request, pk)
    page = selectors.engagement_page(engagement=engagement, user=request.user)
    can_manage = policy.may_manage(request.user, engagement)
    context = {
        "engagement": engagement,
        "client_profile": getattr(engagement.client, "client_profile", None),
        "page": page,
        "can_manage": can_manage,
        "transitions": services.transitions_from(engagement.phase),
        # Said before anyone tries: what the client still has to accept before the go-live.
        "go_live_missing": services.go_live_missing(engagement)
        if can_manage and engagement.phase == Phase.ONBOARDING
        else [],
        "templates": ChecklistTemplate.objects.all() if can_manage and not page.stages else [],
        "assignees": list(selectors.assignee_choices(engagement)),
        "statuses": ChecklistItem._meta.get_field("status").choices,
        "obligation_form": forms.ObligationForm(),
        "milestone_form": forms.MilestoneForm(),
        "integration_form": forms.IntegrationForm(),
        "link_form": forms.ResourceLinkForm(),
        "member_form": forms.MemberForm(),
        "members": engagement.members.select_related("user"),
        "item_form": forms.ItemCreateForm(engagement=engagement),
        "today": timezone.localdate(),
    }
    return render(request, "engagements/engagement_detail.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request, pk):
    engagement = _engagement_or_404(request, pk, manage=True)
    form = forms.EngagementForm(request.POST or None, instance=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Engagement saved."))
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/form_page.html", {"form": form, "title": engagement.name})


@staff_required
@require_POST
def engagement_phase(request, pk):
    engagement = _engagement_or_404(request, pk, manage=True)
    form = forms.PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the phase to move to."))
        return _back_to(engagement)
    _attempt(
        request,
        lambda: services.engagement_change_phase(by=request.user, engagement=engagement, to=form.cleaned_data["to"]),
        _("The engagement moved on."),
    )
    return _back_to(engagement)


@staff_required
@require_http_methods(["GET", "POST"])
def handoff_edit(request, pk):
    engagement = _engagement_or_404(request, pk, manage=True)
    handoff = getattr(engagement, "handoff", None)
    form = forms.HandoffForm(request.POST or None, instance=handoff)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        complete = data.pop("complete")
        if data["handed_over_by"] is None:
            data.pop("handed_over_by")
        try:
            services.handoff_record(by=request.user, engagement=engagement, complete=complete, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Handoff saved."))
            return redirect("engagements:detail", pk=engagement.pk)
    context = {
        "form": form,
        "engagement": engagement,
        "handoff": handoff,
        "obligations": Obligation.objects.filter(engagement=engagement).select_related("owner"),
        "obligation_form": forms.ObligationForm(),
    }
    return render(request, "engagements/handoff_form.html", context)


@staff_required
@require_POST
def obligation_add(request, pk):
    engagement = _engagement_or_404(request, pk)
    form = forms.ObligationForm(request.POST)
    if not form.is_valid():
        return _form_again(request, form, f"{engagement.name} · {form.helper.inputs[0].value}")
    services.obligation_add(by=request.user, engagement=engagement, **form.cleaned_data)
    messages.success(request, _("Commitment tracked."))
    if request.POST.get("next") == "handoff":
        return redirect("engagements:handoff", pk=engagement.pk)
    return _back_to(engagement, "#obligations")


@staff_required
@require_POST
def obligation_close(request, pk):
    obligation = _record_or_404(request, Obligation.objects, pk)
    status = request.POST.get("status", ObligationStatus.DONE)
    if status not in ObligationStatus.values:
        status = ObligationStatus.DONE
    services.obligation_close(by=request.user, obligation=obligation, status=status)
    return _back_to(obligation.engagement, "#obligations")


@staff_required
@require_http_methods(["GET", "POST"])
def stakeholders(request, pk):
    engagement = _engagement_or_404(request, pk)
    can_manage = policy.may_manage(request.user, engagement)
    form = forms.StakeholderForm(request.POST or None, engagement=engagement, may_change_key_user=can_manage)
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_save(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Stakeholder added."))
            return redirect("engagements:stakeholders", pk=engagement.pk)
    people = list(engagement.stakeholders.select_related("user"))
    context = {
        "engagement": engagement,
        "stakeholders": people,
        "warnings": services.engagement_warnings(engagement, people),
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "engagements/stakeholders.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request, pk):
    stakeholder = _record_or_404(request, Stakeholder.objects, pk)
    engagement = stakeholder.engagement
    form = forms.StakeholderForm(
        request.POST or None,
        instance=stakeholder,
        engagement=engagement,
        may_change_key_user=policy.may_manage(request.user, engagement),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_save(
                by=request.user, engagement=engagement, stakeholder=stakeholder, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Stakeholder saved."))
            return redirect("engagements:stakeholders", pk=engagement.pk)
    form.helper.inputs[0].value = _("Save")
    return render(request, "engagements/form_page.html", {"form": form, "title": stakeholder.name})


@staff_required
@require_POST
def stakeholder_delete(request, pk):
    stakeholder = _record_or_404(request, Stakeholder.objects, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the stakeholder should be removed."))
    elif stakeholder.is_key_user and not policy.may_manage(request.user, stakeholder.engagement):
        messages.error(request, _("Only those who manage the engagement change who the key user is."))
    else:
        services.stakeholder_delete(by=request.user, stakeholder=stakeholder)
        messages.success(request, _("Stakeholder removed."))
    return redirect("engagements:stakeholders", pk=stakeholder.engagement_id)


@staff_required
@require_http_methods(["GET", "POST"])
def integration_edit(request, pk):
    return _edit(
        request,
        Integration.objects,
        pk,
        forms.IntegrationForm,
        lambda integration, data: services.integration_save(
            by=request.user, engagement=integration.engagement, integration=integration, **data
        ),
        _("Integration saved."),
        "#integrations",
        title=lambda integration: integration.provider,
    )


def _edit(request, queryset, pk, form_class, save, success, anchor, *, title):
    """The edit page of an engagement's record: the form, the service, and back to the engagement."""
    record = _record_or_404(request, queryset, pk)
    form = form_class(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            save(record, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return _back_to(record.engagement, anchor)
    form.helper.inputs[0].value = _("Save")
    return render(request, "engagements/form_page.html", {"form": form, "title": title(record)})


@staff_required
@require_POST
def member_add(request, pk):
    engagement = _engagement_or_404(request, pk, manage=True)
    form = forms.MemberForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.member_add(by=request.user, engagement=engagement, **form.cleaned_data),
            _("Team member added."),
        )
    else:
        messages.error(request, _("Choose a person from our staff."))
    return _back_to(engagement, "#team")


@staff_required
@require_POST
def template_apply(request, pk):
    engagement = _engagement_or_404(request, pk, manage=True)
    form = forms.TemplateApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a checklist template."))
        return _back_to(engagement)
    _attempt(
        request,
        lambda: services.template_apply(by=request.user, engagement=engagement, template=form.cleaned_data["template"]),
        _("Checklist created from the template."),
    )
    return _back_to(engagement, "#checklist")


def _form_again(request, form, title):
    """Show a form that failed again, with the person's input and the errors next to the fields."""
    return render(request, "engagements/form_page.html", {"form": form, "title": title})


def _add_child(request, pk, form_class, service, success, anchor):
    engagement = _engagement_or_404(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return _back_to(engagement, anchor)
    return _form_again(request, form, f"{engagement.name} · {form.helper.inputs[0].value}")


@staff_required
@require_POST
def milestone_add(request, pk):
    return _add_child(request, pk, forms.MilestoneForm, services.milestone_save, _("Milestone added."), "#timeline")


@staff_required
@require_POST
def milestone_reached(request, pk):
    milestone = _record_or_404(request, Milestone.objects, pk)
    services.milestone_mark_reached(by=request.user, milestone=milestone)
    messages.success(request, _("Milestone reached."))
    return _back_to(milestone.engagement, "#timeline")


@staff_required
@require_POST
def integration_add(request, pk):
    return _add_child(
        request, pk, forms.IntegrationForm, services.integration_save, _("Integration added."), "#integrations"
    )


@staff_required
@require_POST
def resource_link_add(request, pk):
    return _add_child(request, pk, forms.ResourceLinkForm, services.resource_link_save, _("Link added."), "#links")


def _remove(request, queryset, pk, service, kwarg, success, anchor):
    """Remove an engagement's record: only those who manage the engagement (others get 404)."""
    record = _record_or_404(request, queryset, pk, manage=True)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal."))
    else:
        service(by=request.user, **{kwarg: record})
        messages.success(request, success)
    return _back_to(record.engagement, anchor)


@staff_required
@require_POST
def resource_link_delete(request, pk):
    return _remove(
        request, ResourceLink.objects, pk, services.resource_link_delete, "link", _("Link removed."), "#links"
    )


@staff_required
@require_POST
def integration_delete(request, pk):
    return _remove(
        request,
        Integration.objects,
        pk,
        services.integration_delete,
        "integration",
        _("Integration removed."),
        "#integrations",
    )


@staff_required
@require_POST
def milestone_delete(request, pk):
    return _remove(
        request, Milestone.objects, pk, services.milestone_delete, "milestone", _("Milestone removed."), "#timeline"
    )


@staff_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk):
    return _edit(
        request,
        Milestone.objects,
        pk,
        forms.MilestoneForm,
        lambda milestone, data: services.milestone_save(
            by=request.user, engagement=milestone.engagement, milestone=milestone, **data
        ),
        _("Milestone saved."),
        "#timeline",
        title=lambda milestone: milestone.title,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def obligation_edit(request, pk):
    return _edit(
        request,
        Obligation.objects,
        pk,
        forms.ObligationForm,
        lambda obligation, data: services.obligation_update(by=request.user, obligation=obligation, **data),
        _("Commitment saved."),
        "#obligations",
        title=lambda obligation: obligation.description,
    )


@staff_required
@require_POST
def obligation_reopen(request, pk):
    obligation = _record_or_404(request, Obligation.objects, pk)
    services.obligation_reopen(by=request.user, obligation=obligation)
    messages.success(request, _("Commitment reopened."))
    return _back_to(obligation.engagement, "#obligations")


# --- Checklist items --------------------------------------------------------------------------


@staff_required
@require_POST
def item_create(request, pk):
    stage = _record_or_404(request, ChecklistStage.objects, pk, manage=True)
    engagement = stage.engagement
    form = forms.ItemCreateForm(request.POST, engagement=engagement)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.item_create(by=request.user, stage=stage, **form.cleaned_data),
            _("Item added."),
        )
    else:
        messages.error(request, _("The item was not added: give it a title."))
    return _back_to(engagement, f"#stage-{stage.pk}")


@staff_required
@require_POST
def stage_actuals(request, pk):
    stage = _record_or_404(request, ChecklistStage.objects, pk, manage=True)
    form = forms.ActualsForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.stage_actual_add(by=request.user, stage=stage, **form.cleaned_data),
            _("Actuals recorded."),
        )
    else:
        messages.error(
            request,
            _("Nothing was recorded: enter the date and the effort or amount spent (zero or more). %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    return _back_to(stage.engagement, f"#stage-{stage.pk}")


@staff_required
@require_POST
def stage_actual_delete(request, pk):
    entry = object_for_user_or_404(
        StageActual.objects.select_related("stage__engagement"), user=request.user, pk=pk, manage=True
    )
    engagement = entry.stage.engagement
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal."))
    else:
        services.stage_actual_delete(by=request.user, entry=entry)
        messages.success(request, _("Entry removed."))
    return _back_to(engagement, f"#stage-{entry.stage_id}")


def _item_context(request, item, **extra):
    engagement = item.stage.engagement
    today = timezone.localdate()
    item.overdue = item.is_overdue(today)
    # The engagement page annotates this; the row re-rendered after an inline change must show it too.
    item.comment_count = len(item.comments.all())
    return {
        "item": item,
        "engagement": engagement,
        "assignees": selectors.assignee_choices(engagement),
        "statuses": ChecklistItem._meta.get_field("status").choices,
        "can_manage": policy.may_manage(request.user, engagement),
        "evidence_form": forms.EvidenceForm(),
        "comment_form": forms.CommentForm(),
        "today": today,
        **extra,
    }


@staff_required
@require_http_methods(["GET", "POST"])
def item_detail(request, pk):
    """One URL for the item page and, for htmx, its row on the engagement page.

    POST applies inline changes (status, assignee, due date) and answers with the updated row.
    """
    item = _item_or_404(request, pk)
    error = None
    if request.method == "POST":
        form = forms.ItemUpdateForm(request.POST, engagement=item.stage.engagement)
        if form.is_valid() and form.changes():
            try:
                services.item_update(by=request.user, item=item, **form.changes())
            except ValidationError as exc:
                error = _error_text(exc)
            item = _item_or_404(request, pk)
        else:
            error = _("Nothing was changed: check the value.") if form.errors else None
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("engagements:item", pk=item.pk)
    if request.htmx:
        return render(request, "engagements/partials/item_row.html", _item_context(request, item, error=error))
    return render(request, "engagements/item_detail.html", _item_context(request, item))


@staff_required
@require_POST
def item_complete(request, pk):
    item = _item_or_404(request, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.item_complete(
                by=request.user,
                item=item,
                evidence_link=form.cleaned_data["evidence_link"],
                evidence_file=form.cleaned_data["evidence_file"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Item done."))
    else:
        messages.error(request, _("Check the evidence: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("engagements:item", pk=item.pk)


@staff_required
@require_POST
def item_comment(request, pk):
    item = _item_or_404(request, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        services.item_comment_add(by=request.user, item=item, **form.cleaned_data)
    else:
        messages.error(request, _("Write a comment first."))
    if request.htmx:
        item = _item_or_404(request, pk)
        return render(request, "engagements/partials/item_comments.html", _item_context(request, item))
    return redirect("engagements:item", pk=item.pk)


@staff_required
@require_GET
def item_evidence(request, pk):
    item = _item_or_404(request, pk)
    if item.evidence_file is None:
        raise Http404
    return attachment_response(item.evidence_file)


@staff_required
@require_POST
def item_move(request, pk):
    item = _item_or_404(request, pk, manage=True)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.item_move(by=request.user, item=item, direction=direction)
    return _back_to(item.stage.engagement, f"#stage-{item.stage_id}")


@staff_required
@require_POST
def item_delete(request, pk):
    item = _item_or_404(request, pk, manage=True)
    engagement = item.stage.engagement
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the item should be removed."))
        return redirect("engagements:item", pk=item.pk)
    services.item_delete(by=request.user, item=item)
    messages.success(request, _("Item removed."))
    return _back_to(engagement, "#checklist")


# --- Absences -----------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def absences(request):
    form = forms.AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pm_absence_record(by=request.user, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Absence recorded: your deputy steps in on your engagements."))
            return redirect("engagements:absences")
    mine = PmAbsence.objects.filter(user=request.user)
    return render(request, "engagements/absences.html", {"form": form, "absences": mine})


# --- Client portal -------------------------------------------------------------------------------


@client_required
@require_GET
def portal_home(request):
    engagements = list(selectors.engagement_list_for_portal(user=request.user))
    if len(engagements) == 1:
        return redirect("portal:engagement", pk=engagements[0].pk)
    return render(request, "portal/home.html", {"engagements": engagements})


@client_required
@require_GET
def portal_engagement(request, pk):
    # The portal's own queryset: it never loads the handoff or the client profile (vendor-internal).
    engagement = get_object_or_404(selectors.engagement_list_for_portal(user=request.user), pk=pk)
    page = selectors.engagement_page(engagement=engagement, user=request.user)
    pending = list(selectors.pending_satisfaction(user=request.user).filter(engagement=engagement))
    context = {
        "engagement": engagement,
        "page": page,
        "pending_satisfaction": pending,
        "today": timezone.localdate(),
        "can_decide": policy.may_decide(request.user, engagement),
    }
    return render(request, "portal/engagement.html", context)


@client_required
@require_GET
def portal_tasks(request):
    today = timezone.localdate()
    tasks = list(selectors.client_tasks(user=request.user, today=today))
    for task in tasks:
        task.overdue = task.is_overdue(today)
    return render(
        request,
        "portal/tasks.html",
        {
            "open_tasks": [t for t in tasks if not t.is_closed],
            "closed_tasks": [t for t in tasks if t.is_closed],
            "today": today,
        },
    )


def _portal_item_or_404(request, pk) -> ChecklistItem:
    items = selectors.item_detail(user=request.user).filter(owner_side=Side.CLIENT)
    return object_for_user_or_404(items, user=request.user, pk=pk)


@client_required
@require_GET
def portal_item(request, pk):
    item = _portal_item_or_404(request, pk)
    item.overdue = item.is_overdue(timezone.localdate())
    context = {
        "item": item,
        "evidence_form": forms.EvidenceForm(),
        "comment_form": forms.CommentForm(),
        "upload_limit_mb": round(settings.UPLOAD_MAX_BYTES / 1024 / 1024),
    }
    return render(request, "portal/item.html", context)


@client_required
@require_POST
def portal_item_complete(request, pk):
    item = _portal_item_or_404(request, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.item_complete(
                by=request.user,
                item=item,
                evidence_link=form.cleaned_data["evidence_link"],
                evidence_file=form.cleaned_data["evidence_file"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error) if isinstance(error, ValidationError) else _("Not allowed."))
        else:
            messages.success(request, _("Thank you, the task is done."))
    else:
        messages.error(request, _("Check the evidence: %(errors)s") % {"errors": form.errors.as_text()})
    if request.POST.get("next") == "tasks":
        return redirect("portal:tasks")
    return redirect("portal:item", pk=item.pk)


@client_required
@require_POST
def portal_item_comment(request, pk):
    item = _portal_item_or_404(request, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        services.item_comment_add(by=request.user, item=item, body=form.cleaned_data["body"])
        messages.success(request, _("Comment sent."))
    else:
        messages.error(request, _("Write a comment first."))
    return redirect("portal:item", pk=item.pk)


@client_required
@require_GET
def portal_item_evidence(request, pk):
    item = _portal_item_or_404(request, pk)
    if item.evidence_file is None:
        raise Http404
    return attachment_response(item.evidence_file)


def _decide(request, engagement, stage):
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Accept or reject."))
        return
    try:
        services.acceptance_decide(by=request.user, engagement=engagement, stage=stage, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except PermissionDenied:
        messages.error(request, _("Only the key user named for this engagement can accept or reject."))
    else:
        messages.success(request, _("Thank you, your decision is recorded."))


@key_user_required
@require_POST
def portal_stage_decision(request, pk):
    stage = _record_or_404(request, ChecklistStage.objects, pk)
    _decide(request, stage.engagement, stage)
    return redirect(reverse("portal:engagement", args=[stage.engagement_id]) + f"#stage-{stage.pk}")


@key_user_required
@require_POST
def portal_work_plan_decision(request, pk):
    engagement = object_for_user_or_404(Engagement.objects, user=request.user, pk=pk)
    _decide(request, engagement, None)
    return redirect("portal:engagement", pk=engagement.pk)


@client_required
@require_POST
def portal_satisfaction(request, pk):
    question = object_for_user_or_404(SatisfactionScore.objects, user=request.user, pk=pk)
    form = forms.SatisfactionForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.satisfaction_answer(by=request.user, question=question, **form.cleaned_data),
            _("Thank you for your feedback."),
        )
    else:
        messages.error(request, _("Choose a score from 1 to 5."))
    return redirect("portal:engagement", pk=question.engagement_id)
