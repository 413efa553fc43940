"""Staff and portal pages for checklists: applying a template, items (inline edits, evidence, comments), actuals,
and the client's tasks, decisions and satisfaction answers. Views parse input, call one selector or service,
render."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import client_required, key_user_required, staff_required
from accounts.forms import add_service_errors
from accounts.step_up import step_up_required
from attachments.services import attachment_response
from engagements import policy
from engagements.models import Engagement, Side
from engagements.policy import object_for_user_or_404
from engagements.selectors import assignee_choices
from engagements.view_helpers import (
    back_to_engagement,
    engagement_or_404,
    error_text,
    flash,
    form_again,
    record_or_404,
)
from receipts.context import decision_context

from . import forms, plan_selectors, selectors, services
from .models import ChecklistItem, ChecklistStage, Evidence, ItemDependency, SatisfactionScore, StageActual


@staff_required
@require_POST
def template_apply(request, pk):
    engagement = engagement_or_404(request, pk, manage=True)
    applied = flash(
        request,
        lambda data: services.template_apply(by=request.user, engagement=engagement, template=data["template"]),
        _("Checklist created from the template."),
        form=forms.TemplateApplyForm(request.POST),
        invalid=_("Choose a checklist template."),
    )
    return back_to_engagement(engagement, "#checklist" if applied else "")


# --- Checklist items --------------------------------------------------------------------------


@staff_required
@require_POST
def item_create(request, pk):
    stage = record_or_404(request, ChecklistStage.objects, pk, manage=True)
    engagement = stage.engagement
    form = forms.ItemCreateForm(request.POST, engagement=engagement)
    if _save_or_explain(form, lambda data: services.item_create(by=request.user, stage=stage, **data)):
        messages.success(request, _("Item added."))
        return back_to_engagement(engagement, f"#stage-{stage.pk}")
    return form_again(request, form, f"{stage.title} · {_('Add an item')}", engagement=engagement)


@staff_required
@require_POST
def stage_actuals(request, pk):
    stage = record_or_404(request, ChecklistStage.objects, pk, manage=True)
    form = forms.ActualsForm(request.POST)
    if _save_or_explain(form, lambda data: services.stage_actual_add(by=request.user, stage=stage, **data)):
        messages.success(request, _("Actuals recorded."))
        return back_to_engagement(stage.engagement, f"#stage-{stage.pk}")
    return form_again(request, form, f"{stage.title} · {_('Record actuals')}", engagement=stage.engagement)


def _save_or_explain(form, call) -> bool:
    """Run the service with the form's data; its errors go next to their fields (the caller shows the form again
    with what was typed)."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


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
    return back_to_engagement(engagement, f"#stage-{entry.stage_id}")


def _item_or_404(request, pk, *, manage=False, work=False) -> ChecklistItem:
    return object_for_user_or_404(
        selectors.item_detail(user=request.user), user=request.user, pk=pk, manage=manage, work=work
    )


def _evidence(item):
    """An item's evidence file as a download (the item was fetched for the user already)."""
    if item.evidence_file is None:
        raise Http404
    return attachment_response(item.evidence_file)


def _complete(request, item, form, *, success) -> bool:
    """Mark an item done with the evidence posted (staff page and portal alike). Errors go to the form's
    fields, in words; the caller shows the form again with what was typed."""
    if not form.is_valid():
        return False
    try:
        services.item_complete(by=request.user, item=item, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, success)
    return True


def _item_context(request, item, **extra):
    engagement = item.stage.engagement
    can_manage = policy.may_manage(request.user, engagement)
    can_work = can_manage or policy.may_work(request.user, engagement)
    today = timezone.localdate()
    item.overdue = item.is_overdue(today)
    # The engagement page annotates this; the row re-rendered after an inline change must show it too.
    item.comment_count = len(item.comments.all())
    return {
        "item": item,
        "engagement": engagement,
        "assignees": assignee_choices(engagement),
        "statuses": selectors.item_statuses(can_manage=can_manage),
        "can_manage": can_manage,
        "can_work": can_work,
        "evidence_form": forms.EvidenceForm(),
        "upload_limit_mb": round(settings.UPLOAD_MAX_BYTES / 1024 / 1024),
        "today": today,
        **extra,
    }


def _item_page_context(request, item, **extra):
    """The item page adds the plan: what it waits for, what waits for it, and the picker for a new link."""
    context = _item_context(request, item, **extra)
    context["plan"] = plan_selectors.item_plan(item=item, today=context["today"])
    context["dependency_kinds"] = forms.DependencyForm.base_fields["kind"].choices
    return context


def _checklist_changed(response, item):
    """Tell the page that something its figures count changed (htmx fires the event after the swap): the
    engagement page then reloads its progress, stage counts, next actions and health (``portfolio``), without
    this app knowing which page is open."""
    response["HX-Trigger-After-Swap"] = json.dumps(
        {"checklist-changed": {"engagement": item.stage.engagement_id, "item": item.pk}}
    )
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def item_detail(request, pk):
    """One URL for the item page and, for htmx, its row on the engagement page.

    POST applies inline changes (status, assignee, due date) and answers with the updated row: the team's work,
    so those who only read the engagement (executives) get 404.
    """
    item = _item_or_404(request, pk, work=request.method == "POST")
    error = None
    if request.method == "POST":
        engagement = item.stage.engagement
        form = forms.ItemUpdateForm(
            request.POST, engagement=engagement, can_manage=policy.may_manage(request.user, engagement)
        )
        if form.is_valid() and form.changes():
            try:
                services.item_update(by=request.user, item=item, **form.changes())
            except ValidationError as exc:
                error = error_text(exc)
            item = _item_or_404(request, pk, work=True)
        else:
            error = _("Nothing was changed: check the value.") if form.errors else None
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("checklists:item", pk=item.pk)
        response = render(request, "checklists/partials/item_row.html", _item_context(request, item, error=error))
        return response if error else _checklist_changed(response, item)
    if request.htmx:
        return render(request, "checklists/partials/item_row.html", _item_context(request, item))
    return render(request, "checklists/item_detail.html", _item_page_context(request, item))


@staff_required
@require_POST
def item_complete(request, pk):
    """The item page's "complete with evidence" form: on a mistake the page shows again with the link that was
    typed and the error next to its field."""
    item = _item_or_404(request, pk, work=True)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if _complete(request, item, form, success=_("Item done.")):
        return redirect("checklists:item", pk=item.pk)
    return render(request, "checklists/item_detail.html", _item_context(request, item, evidence_form=form))


@staff_required
@require_http_methods(["GET", "POST"])
def item_comment(request, pk):
    """The item's comments: GET loads them (into the engagement page's row when its disclosure opens), POST adds
    one and answers with the updated comments (and, for htmx, the row's new comment count)."""
    item = _item_or_404(request, pk, work=request.method == "POST")
    if request.method == "GET":
        if not request.htmx:
            return redirect(reverse("checklists:item", args=[item.pk]) + "#comments")
        return render(request, "checklists/partials/item_comments.html", _item_context(request, item))
    form = forms.CommentForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.item_comment_add(by=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            error = error_text(exc)
    else:
        error = _("Write a comment first.")
    if request.htmx:
        item = _item_or_404(request, pk, work=True)
        context = _item_context(request, item, comment_error=error, comment_count_oob=not error)
        if error:
            context["comment_body"] = request.POST.get("body", "")
        response = render(request, "checklists/partials/item_comments.html", context)
        return response if error else _checklist_changed(response, item)
    if error:
        messages.error(request, error)
    return redirect(reverse("checklists:item", args=[item.pk]) + "#comments")


@staff_required
@require_GET
def item_evidence(request, pk):
    return _evidence(_item_or_404(request, pk))


@staff_required
@require_POST
def dependency_add(request, pk):
    """The item page's "waits for" form: the item waits for another of its engagement's items."""
    item = _item_or_404(request, pk, work=True)
    flash(
        request,
        lambda data: services.dependency_add(
            by=request.user,
            item=item,
            predecessor_id=data["predecessor"],
            kind=data["kind"],
            lag_days=data["lag_days"],
        ),
        _("Linked: the plan moved what waits for it."),
        form=forms.DependencyForm(request.POST),
        invalid=_("Choose the item it waits for, how, and a lag of 0 to 250 working days."),
    )
    return redirect(reverse("checklists:item", args=[item.pk]) + "#plan")


@staff_required
@require_POST
def dependency_delete(request, pk):
    dependency = object_for_user_or_404(
        ItemDependency.objects.select_related("engagement", "predecessor", "successor"),
        user=request.user,
        pk=pk,
        work=True,
    )
    if request.POST.get("confirm") == "yes":  # as the item's removal: a bare POST changes nothing
        flash(request, lambda: services.dependency_remove(by=request.user, dependency=dependency), _("Link removed."))
    return redirect(reverse("checklists:item", args=[dependency.successor_id]) + "#plan")


@staff_required
@require_POST
def item_unpin(request, pk):
    """Let the plan set the item's date again."""
    item = _item_or_404(request, pk, work=True)
    flash(request, lambda: services.item_unpin(by=request.user, item=item), _("The plan sets this date again."))
    return redirect(reverse("checklists:item", args=[item.pk]) + "#plan")


@staff_required
@require_POST
def item_move(request, pk):
    item = _item_or_404(request, pk, manage=True)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.item_move(by=request.user, item=item, direction=direction)
    return back_to_engagement(item.stage.engagement, f"#stage-{item.stage_id}")


@staff_required
@require_POST
def item_delete(request, pk):
    item = _item_or_404(request, pk, manage=True)
    engagement = item.stage.engagement
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the item should be removed."))
        return redirect("checklists:item", pk=item.pk)
    services.item_delete(by=request.user, item=item)
    messages.success(request, _("Item removed."))
    return back_to_engagement(engagement, "#checklist")


# --- Client portal -------------------------------------------------------------------------------


@client_required
@require_GET
def portal_tasks(request):
    """Everything waiting on the client user, the same list as the portal home's (``selectors.waiting_on_you``),
    then what they finished."""
    waiting = selectors.waiting_on_you(user=request.user, today=timezone.localdate())
    return render(request, "checklists/portal_tasks.html", {"waiting": waiting})


def _portal_item_or_404(request, pk) -> ChecklistItem:
    items = selectors.item_detail(user=request.user).filter(owner_side=Side.CLIENT)
    return object_for_user_or_404(items, user=request.user, pk=pk)


def _portal_item_page(request, item, *, evidence_form=None, comment_form=None):
    item.overdue = item.is_overdue(timezone.localdate())
    context = {
        "item": item,
        "evidence_form": evidence_form or forms.EvidenceForm(file_required=item.evidence_required == Evidence.FILE),
        "comment_form": comment_form or forms.CommentForm(),
        "upload_limit_mb": round(settings.UPLOAD_MAX_BYTES / 1024 / 1024),
        "can_reopen": services.item_reopen_allowed(by=request.user, item=item),
        # On the critical path, the client is told what the task holds (None: it holds nothing).
        "holds_go_live": None if item.is_closed else plan_selectors.item_holds_go_live(item=item),
    }
    return render(request, "checklists/portal_item.html", context)


@client_required
@require_GET
def portal_item(request, pk):
    return _portal_item_page(request, _portal_item_or_404(request, pk))


@client_required
@require_POST
def portal_item_complete(request, pk):
    item = _portal_item_or_404(request, pk)
    form = forms.EvidenceForm(request.POST, request.FILES, file_required=item.evidence_required == Evidence.FILE)
    if not _complete(request, item, form, success=_("Thank you, the task is done.")):
        # The task page shows the form again, with the link typed and the error next to its field.
        return _portal_item_page(request, item, evidence_form=form)
    if request.POST.get("next") == "tasks":
        return redirect("portal:tasks")
    return redirect("portal:item", pk=item.pk)


@client_required
@require_POST
def portal_item_reopen(request, pk):
    """The client takes back a "done" they clicked by mistake (recorded in the item's history)."""
    item = _portal_item_or_404(request, pk)
    flash(request, lambda: services.item_reopen(by=request.user, item=item), _("The task is open again."))
    return redirect("portal:item", pk=item.pk)


@client_required
@require_POST
def portal_item_comment(request, pk):
    item = _portal_item_or_404(request, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.item_comment_add(by=request.user, item=item, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _portal_item_page(request, item, comment_form=form)
    messages.success(request, _("Comment sent. The team has been told."))
    return redirect(reverse("portal:item", args=[item.pk]) + "#comments")


@client_required
@require_GET
def portal_item_evidence(request, pk):
    return _evidence(_portal_item_or_404(request, pk))


def _decide(request, engagement, stage):
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Accept or reject."))
        return
    flash(
        request,
        lambda: services.acceptance_decide(
            by=request.user,
            engagement=engagement,
            stage=stage,
            context=decision_context(request),
            **form.cleaned_data,
        ),
        _("Thank you, your decision is recorded."),
        refused=_("Only the key user named for this engagement can accept or reject."),
    )


@key_user_required
@require_POST
@step_up_required
def portal_stage_decision(request, pk):
    stage = record_or_404(request, ChecklistStage.objects, pk)
    _decide(request, stage.engagement, stage)
    return redirect(reverse("portal:engagement", args=[stage.engagement_id]) + f"#stage-{stage.pk}")


@key_user_required
@require_POST
@step_up_required
def portal_work_plan_decision(request, pk):
    engagement = object_for_user_or_404(Engagement.objects, user=request.user, pk=pk)
    _decide(request, engagement, None)
    return redirect("portal:engagement", pk=engagement.pk)


@client_required
@require_POST
def portal_satisfaction(request, pk):
    question = object_for_user_or_404(SatisfactionScore.objects, user=request.user, pk=pk)
    flash(
        request,
        lambda data: services.satisfaction_answer(by=request.user, question=question, **data),
        _("Thank you for your feedback."),
        form=forms.SatisfactionForm(request.POST),
        invalid=_("Choose a score from 1 to 5."),
    )
    return redirect("portal:engagement", pk=question.engagement_id)
