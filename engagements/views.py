"""Staff pages for clients, engagements and their records. Views parse input, call one selector or service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from accounts.access import staff_required
from accounts.client_address import client_ip
from accounts.forms import add_service_errors, form_error_text
from accounts.models import Role

from . import forms, policy, selectors, services
from .models import (
    Engagement,
    Integration,
    Milestone,
    Phase,
    Promise,
    PromiseStatus,
    ResourceLink,
    Stakeholder,
)
from .policy import object_for_user_or_404
from .view_helpers import back_to_engagement, engagement_or_404, form_again, form_page_context, record_or_404

# The key user's row and the rows linked to a portal account (``policy.may_change_stakeholder``).
LINKED_ROW_REFUSED = gettext_lazy(
    "Only those who manage the engagement change the key user's row or a row linked to a portal account: ask the "
    "engagement's CSM or PM."
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
    return render(
        request,
        "engagements/form_page.html",
        form_page_context(form, _("New client"), parent=(_("Clients"), reverse("engagements:client_list"))),
    )


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
            "can_export_client_data": policy.may_export_client_data(request.user, profile.organization),
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
            services.client_profile_update(
                by=request.user, profile=profile, require_mfa=form.cleaned_data["require_mfa"], **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Client profile saved."))
            return redirect("engagements:client_detail", pk=profile.pk)
    parent = (profile.organization.name, reverse("engagements:client_detail", args=[profile.pk]))
    return render(request, "engagements/form_page.html", form_page_context(form, _("Edit profile"), parent=parent))


@staff_required
@require_POST
def billing_record_add(request, pk):
    profile = _client_to_manage_or_404(request, pk)
    form = forms.BillingRecordForm(request.POST)
    if not form.is_valid():
        parent = (profile.organization.name, reverse("engagements:client_detail", args=[profile.pk]))
        return render(
            request,
            "engagements/form_page.html",
            form_page_context(form, form.helper.inputs[0].value, parent=parent),
        )
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
            return back_to_engagement(engagement)
    return render(request, "engagements/form_page.html", form_page_context(form, _("New engagement")))


@staff_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request, pk):
    engagement = engagement_or_404(request, pk, manage=True)
    form = forms.EngagementForm(request.POST or None, instance=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Engagement saved."))
            return back_to_engagement(engagement)
    return render(request, "engagements/form_page.html", form_page_context(form, _("Edit"), engagement=engagement))


@staff_required
@require_POST
def engagement_phase(request, pk):
    """Move the phase (the engagement page's per-phase forms post here). A refused move shows the form again with
    what was typed (the kickoff date, the reason for closing) and the error next to its field."""
    engagement = engagement_or_404(request, pk, manage=True)
    form = forms.PhaseForm(request.POST)
    if form.is_valid():
        try:
            engagement = services.engagement_change_phase(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s moved to %(phase)s.") % {"name": engagement.name, "phase": engagement.get_phase_display()},
            )
            return back_to_engagement(engagement)
    if form.cleaned_data.get("to") in (Phase.HANDOFF, Phase.ONBOARDING, Phase.LIVE):
        # Nothing typed to keep (a move without a date or reason): back to the page, which says what is missing.
        messages.error(request, form_error_text(form))
        return back_to_engagement(engagement)
    form.fields["to"].choices = services.transitions_from(engagement.phase)
    return form_again(
        request, form, _("Move %(name)s to another phase") % {"name": engagement.name}, engagement=engagement
    )


@staff_required
@require_http_methods(["GET", "POST"])
def handoff_edit(request, pk):
    engagement = engagement_or_404(request, pk, manage=True)
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
            return back_to_engagement(engagement)
    context = {
        "form": form,
        "engagement": engagement,
        "handoff": handoff,
        "promises": Promise.objects.filter(engagement=engagement).select_related("owner"),
        "promise_form": forms.PromiseForm(engagement=engagement),
    }
    return render(request, "engagements/handoff_form.html", context)


@staff_required
@require_POST
def promise_add(request, pk):
    engagement = engagement_or_404(request, pk, work=True)
    form = forms.PromiseForm(request.POST, engagement=engagement)
    if form.is_valid():
        try:
            services.promise_add(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    from_handoff = request.POST.get("next") == "handoff"
    if request.htmx and from_handoff:
        # Answered in place on the handoff page: the handoff's own unsaved text stays as typed.
        added = not form.errors
        context = {
            "engagement": engagement,
            "promises": Promise.objects.filter(engagement=engagement).select_related("owner"),
            "promise_form": forms.PromiseForm(engagement=engagement) if added else form,
            "added": added,
        }
        return render(request, "engagements/partials/handoff_promises.html", context)
    if form.errors:
        return form_again(request, form, form.helper.inputs[0].value, engagement=engagement)
    messages.success(request, _("Promise tracked."))
    if from_handoff:
        return redirect("engagements:handoff", pk=engagement.pk)
    return back_to_engagement(engagement, "#promises")


@staff_required
@require_POST
def promise_close(request, pk):
    promise = record_or_404(request, Promise.objects, pk, work=True)
    status = request.POST.get("status", PromiseStatus.KEPT)
    if status not in PromiseStatus.values:
        status = PromiseStatus.KEPT
    services.promise_close(by=request.user, promise=promise, status=status)
    return back_to_engagement(promise.engagement, "#promises")


@staff_required
@require_http_methods(["GET", "POST"])
def stakeholders(request, pk):
    # Everyone who sees the engagement reads its map; adding a person is the team's work.
    engagement = engagement_or_404(request, pk, work=request.method == "POST")
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
    invitations = selectors.stakeholder_invitations(engagement, people)
    for person in people:
        person.invitation = invitations.get(person.email.lower()) if person.email else None
        person.may_change = policy.may_change_stakeholder(request.user, person)
    context = {
        "engagement": engagement,
        "stakeholders": people,
        "warnings": services.engagement_warnings(engagement, people),
        "form": form,
        "can_manage": can_manage,
        "can_work": can_manage or policy.may_work(request.user, engagement),
        "can_invite": policy.clients_invitable_by(request.user).filter(pk=engagement.client_id).exists(),
        "now": timezone.now(),
    }
    return render(request, "engagements/stakeholders.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def stakeholder_invite(request, pk):
    """Invite a client person from their row on the stakeholder map: name and address come from the row, and the
    account is linked to the row when they accept (``services.stakeholders_link_on_acceptance``)."""
    stakeholder = record_or_404(request, Stakeholder.objects.select_related("user"), pk)
    engagement = stakeholder.engagement
    if not policy.clients_invitable_by(request.user).filter(pk=engagement.client_id).exists():
        raise Http404
    if stakeholder.user_id:
        messages.info(request, _("%(name)s has a portal account already.") % {"name": stakeholder.name})
        return redirect("engagements:stakeholders", pk=engagement.pk)
    initial = {
        "full_name": stakeholder.name,
        "email": stakeholder.email,
        "role": Role.CLIENT_KEY_USER if stakeholder.is_key_user else Role.CLIENT_MEMBER,
    }
    form = forms.StakeholderInviteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = account_services.invitation_create(
                by=request.user, organization=engagement.client, client_ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if invitation.email != (stakeholder.email or "").lower():
                # The row keeps the address the person was invited at, so the acceptance finds it.
                services.stakeholder_save(
                    by=request.user, engagement=engagement, stakeholder=stakeholder, email=invitation.email
                )
            note = account_services.invitation_replaced_note(invitation)
            sent = _("Invitation sent to %(email)s; their account is linked to this row when they accept.") % {
                "email": invitation.email
            }
            messages.success(request, " ".join(filter(None, [sent, note])))
            return redirect("engagements:stakeholders", pk=engagement.pk)
    return render(
        request,
        "engagements/stakeholder_invite.html",
        {"form": form, "stakeholder": stakeholder, "engagement": engagement},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request, pk):
    stakeholder = record_or_404(request, Stakeholder.objects, pk, work=True)
    engagement = stakeholder.engagement
    if not policy.may_change_stakeholder(request.user, stakeholder):
        messages.error(request, LINKED_ROW_REFUSED)
        return redirect("engagements:stakeholders", pk=engagement.pk)
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
    return render(
        request,
        "engagements/form_page.html",
        form_page_context(
            form,
            stakeholder.name,
            parent=(_("Stakeholders"), reverse("engagements:stakeholders", args=[engagement.pk])),
        ),
    )


@staff_required
@require_POST
def stakeholder_delete(request, pk):
    stakeholder = record_or_404(request, Stakeholder.objects, pk, work=True)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the stakeholder should be removed."))
    elif not policy.may_change_stakeholder(request.user, stakeholder):
        messages.error(request, LINKED_ROW_REFUSED)
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
    record = record_or_404(request, queryset, pk, work=True)
    form = form_class(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            save(record, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return back_to_engagement(record.engagement, anchor)
    form.helper.inputs[0].value = _("Save")
    return render(
        request, "engagements/form_page.html", form_page_context(form, title(record), engagement=record.engagement)
    )


@staff_required
@require_POST
def member_add(request, pk):
    engagement = engagement_or_404(request, pk, manage=True)
    form = forms.MemberForm(request.POST)
    if form.is_valid():
        try:
            services.member_add(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team member added."))
            return back_to_engagement(engagement, "#team")
    return form_again(request, form, _("Add a team member"), engagement=engagement)


def _add_child(request, pk, form_class, service, success, anchor):
    engagement = engagement_or_404(request, pk, work=True)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(by=request.user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return back_to_engagement(engagement, anchor)
    return form_again(request, form, form.helper.inputs[0].value, engagement=engagement)


@staff_required
@require_POST
def milestone_add(request, pk):
    return _add_child(request, pk, forms.MilestoneForm, services.milestone_save, _("Milestone added."), "#milestones")


@staff_required
@require_POST
def milestone_reached(request, pk):
    milestone = record_or_404(request, Milestone.objects, pk, work=True)
    services.milestone_mark_reached(by=request.user, milestone=milestone)
    messages.success(request, _("Milestone reached."))
    return back_to_engagement(milestone.engagement, "#milestones")


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


@staff_required
@require_POST
def resource_link_audience(request, pk):
    """Show a link on the client's portal, or take it off (managers of the engagement; others get 404)."""
    link = record_or_404(request, ResourceLink.objects, pk, manage=True)
    form = forms.ResourceLinkAudienceForm(request.POST)
    form.is_valid()  # a missing or unticked box means "team only"; nothing else can be wrong
    link = services.resource_link_set_client_visible(
        by=request.user, link=link, client_visible=form.cleaned_data["client_visible"]
    )
    if link.client_visible:
        messages.success(request, _("The client now sees “%(title)s” on their portal.") % {"title": link.title})
    else:
        messages.success(request, _("Only the team sees “%(title)s” now.") % {"title": link.title})
    return back_to_engagement(link.engagement, "#links")


def _remove(request, queryset, pk, service, kwarg, success, anchor):
    """Remove an engagement's record: only those who manage the engagement (others get 404)."""
    record = record_or_404(request, queryset, pk, manage=True)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal."))
    else:
        service(by=request.user, **{kwarg: record})
        messages.success(request, success)
    return back_to_engagement(record.engagement, anchor)


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
        request, Milestone.objects, pk, services.milestone_delete, "milestone", _("Milestone removed."), "#milestones"
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
        "#milestones",
        title=lambda milestone: milestone.title,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def promise_edit(request, pk):
    return _edit(
        request,
        Promise.objects,
        pk,
        forms.PromiseForm,
        lambda promise, data: services.promise_update(by=request.user, promise=promise, **data),
        _("Promise saved."),
        "#promises",
        title=lambda promise: promise.description,
    )


@staff_required
@require_POST
def promise_reopen(request, pk):
    promise = record_or_404(request, Promise.objects, pk, work=True)
    services.promise_reopen(by=request.user, promise=promise)
    messages.success(request, _("Promise reopened."))
    return back_to_engagement(promise.engagement, "#promises")
