"""A meeting's staff pages: the meeting (agenda, attendance, minutes, outcomes, promises), its .ics, moving and
cancelling it, sharing the minutes, and the htmx edits of the agenda, each answering with the part it changed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import staff_required
from accounts.forms import add_service_errors, form_error_text
from engagements import policy
from engagements.models import Side
from engagements.view_helpers import error_text, flash

from .. import calendar, forms, permissions, selectors
from ..models import ActionItem, AgendaItem, Attendance, MeetingAttendee, Outcome
from ..services import actions, agenda, minutes
from ..services import series as schedule
from .helpers import meeting_or_404, row_or_404, to_meeting

# --- A meeting ----------------------------------------------------------------------------------------------------


def _meeting_context(request, meeting, **extra):
    page = selectors.meeting_page(meeting=meeting, user=request.user)
    zone = meeting.series.zone
    return {
        "promises": selectors.meeting_promises(meeting=meeting, user=request.user),
        "promise_form": forms.PromiseForm(engagement=meeting.engagement),
        "meeting": meeting,
        "engagement": meeting.engagement,
        "page": page,
        "local_start": meeting.starts_at.astimezone(zone),
        "zone_name": meeting.series.time_zone,
        "outcome_form": forms.OutcomeForm(engagement=meeting.engagement),
        "attendance_choices": Attendance.choices,
        "vendor_owners": list(actions.owner_choices(meeting.engagement, side=Side.VENDOR)),
        "client_owners": []
        if meeting.is_internal
        else list(actions.owner_choices(meeting.engagement, side=Side.CLIENT)),
        "today": timezone.localdate(),
        "now": timezone.now(),
        # Executives and directors without a place on the team watch: no promise or comment forms for them.
        "can_work": policy.may_work(request.user, meeting.engagement),
        **extra,
    }


@staff_required
@require_GET
def meeting_page(request, pk):
    meeting = meeting_or_404(request, pk)
    return render(request, "governance/meeting.html", _meeting_context(request, meeting))


@staff_required
@require_GET
def meeting_ics(request, pk):
    meeting = meeting_or_404(request, pk)
    link = request.build_absolute_uri(reverse("governance:meeting", args=[meeting.pk]))
    # A download is PUBLISH: it asks nobody to reply, so it lists no attendees (RFC 5546).
    return _ics_response(calendar.meeting_ics(meeting, link=link), f"meeting-{meeting.pk}.ics")


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
@require_POST
def meeting_prepare(request, pk):
    meeting = meeting_or_404(request, pk, manage=True)
    flash(
        request,
        lambda: agenda.agenda_prepare(by=request.user, meeting=meeting),
        _("The agenda is ready: edit it, and take the minutes during the meeting."),
    )
    return to_meeting(meeting.pk, "#agenda")


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_move(request, pk):
    meeting = meeting_or_404(request, pk, manage=True)
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at),
        "duration_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
    }
    form = forms.MeetingMoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            schedule.meeting_move(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting moved; invited participants get the update."))
            return to_meeting(meeting.pk)
    return render(
        request,
        "governance/form_page.html",
        {"form": form, "title": _("Move “%(title)s”") % {"title": meeting.title}, "engagement": meeting.engagement},
    )


@staff_required
@require_POST
def meeting_cancel(request, pk):
    meeting = meeting_or_404(request, pk, manage=True)
    flash(
        request,
        lambda data: schedule.meeting_cancel(by=request.user, meeting=meeting, reason=data["reason"]),
        _("Meeting cancelled; invited participants are told."),
        form=forms.MeetingCancelForm(request.POST),
        invalid=_("Give a reason: the participants see it."),
    )
    return to_meeting(meeting.pk)


@staff_required
@require_POST
def meeting_held(request, pk):
    meeting = meeting_or_404(request, pk, manage=True)
    flash(request, lambda: agenda.meeting_mark_held(by=request.user, meeting=meeting), _("Marked as held."))
    return to_meeting(meeting.pk)


@staff_required
@require_POST
def meeting_publish(request, pk):
    meeting = meeting_or_404(request, pk, manage=True)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return to_meeting(meeting.pk, "#minutes")
    flash(
        request,
        lambda: minutes.minutes_share(
            by=request.user,
            meeting=meeting,
            change_note=form.cleaned_data.get("change_note", ""),
            drafts=form.cleaned_data["drafts"],
        ),
        _("Minutes shared: the client's participants are told.")
        if not meeting.is_internal
        else _("Minutes finalised."),
    )
    return to_meeting(meeting.pk, "#minutes")


@staff_required
@require_POST
def meeting_comment(request, pk):
    meeting = meeting_or_404(request, pk, work=True)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
    else:
        try:
            minutes.minutes_comment_add(by=request.user, meeting=meeting, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied):
            messages.error(request, _("Comments open once the minutes are shared with the client."))
        else:
            messages.success(request, _("Comment sent."))
    return to_meeting(meeting.pk, "#minutes-comments")


# --- The agenda (htmx: each answers with the part of the page it changed) -----------------------------------------


def _agenda_response(request, meeting, anchor="#agenda", error=None):
    if request.htmx:
        meeting = meeting_or_404(request, meeting.pk)
        return render(request, "governance/partials/agenda.html", _meeting_context(request, meeting, error=error))
    if error:
        messages.error(request, error)
    return to_meeting(meeting.pk, anchor)


def _item_response(request, item, error=None):
    if request.htmx:
        meeting = meeting_or_404(request, item.meeting_id)
        context = _meeting_context(request, meeting, error=error)
        row = next(
            (
                entry
                for section in context["page"].sections
                for entry in [section.item, *section.entries]
                if entry is not None and entry.pk == item.pk
            ),
            None,
        )
        if row is None:
            return render(request, "governance/partials/agenda.html", context)
        context["row"] = row
        # An entry answers with its editor open: the person is working on it.
        context["editing"] = True
        context["outcome_open"] = error is not None
        template = "agenda_section" if row.parent_id is None else "agenda_entry"
        if row.parent_id is None:
            context["section"] = next(s for s in context["page"].sections if s.item is not None and s.item.pk == row.pk)
        return render(request, f"governance/partials/{template}.html", context)
    if error:
        messages.error(request, error)
    return to_meeting(item.meeting_id, f"#agenda-item-{item.pk}")


def _item_or_404(request, pk):
    return row_or_404(request, AgendaItem.objects.select_related("meeting__engagement", "meeting__series"), pk)


@staff_required
@require_POST
def agenda_item_add(request, pk):
    meeting = meeting_or_404(request, pk, manage=True)
    form = forms.AgendaItemForm(request.POST)
    parent = None
    if request.POST.get("parent", "").isdigit():
        parent = AgendaItem.objects.filter(meeting=meeting, pk=int(request.POST["parent"])).first()
    if form.is_valid():
        flash(
            request,
            lambda: agenda.agenda_item_add(by=request.user, meeting=meeting, parent=parent, **form.cleaned_data),
            "" if request.htmx else _("Agenda item added."),
        )
    else:
        messages.error(request, _("Give the agenda item a title."))
    return _agenda_response(request, meeting)


@staff_required
@require_http_methods(["GET", "POST"])
def agenda_item(request, pk):
    """GET (htmx): an agenda entry with its editor open; POST: save its title, minutes or internal notes."""
    item = _item_or_404(request, pk)
    if request.method == "GET":
        return _item_response(request, item)
    form = forms.AgendaItemEditForm(request.POST)
    if not form.is_valid():
        return _item_response(request, item, error=error_text(ValidationError(form.errors)))
    error = None
    try:
        agenda.agenda_item_update(by=request.user, item=item, **form.changes())
    except ValidationError as exc:
        error = error_text(exc)
    return _item_response(request, item, error=error)


@staff_required
@require_POST
def agenda_item_delete(request, pk):
    item = _item_or_404(request, pk)
    meeting = item.meeting
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal."))
    else:
        flash(request, lambda: agenda.agenda_item_delete(by=request.user, item=item), "")
    return _agenda_response(request, meeting)


@staff_required
@require_POST
def agenda_item_move(request, pk):
    item = _item_or_404(request, pk)
    flash(
        request,
        lambda: agenda.agenda_item_move(by=request.user, item=item, direction=request.POST.get("direction", "")),
        "",
    )
    return _agenda_response(request, item.meeting, f"#agenda-item-{item.pk}")


@staff_required
@require_POST
def outcome_add(request, pk):
    item = _item_or_404(request, pk)
    form = forms.OutcomeForm(request.POST, engagement=item.meeting.engagement)
    error = None
    if form.is_valid():
        try:
            agenda.outcome_add(by=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            error = error_text(exc)
    else:
        error = _("The outcome was not recorded: %(errors)s") % {"errors": form_error_text(form)}
    return _item_response(request, item, error=error)


@staff_required
@require_POST
def outcome_delete(request, pk):
    outcome = row_or_404(request, Outcome.objects.select_related("meeting__engagement", "agenda_item"), pk)
    if request.POST.get("confirm") != "yes":
        return _agenda_response(request, outcome.meeting, error=_("Confirm the removal."))
    agenda.outcome_delete(by=request.user, outcome=outcome)
    return _agenda_response(request, outcome.meeting)


@staff_required
@require_POST
def action_item_status(request, pk):
    # Those who manage the engagement and the item's owner (on our side) update it; anyone else gets 404.
    action_item = row_or_404(
        request, ActionItem.objects.select_related("meeting__engagement", "agenda_item", "owner"), pk, manage=False
    )
    if not permissions.may_update_action_item(request.user, action_item):
        raise Http404
    form = forms.ActionStatusForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Choose open, done or dropped.")
    else:
        try:
            actions.action_item_set_status(by=request.user, action_item=action_item, status=form.cleaned_data["status"])
        except ValidationError as exc:
            error = error_text(exc)
        except PermissionDenied:
            error = _("Only those who manage the engagement and the item's owner change it.")
    if request.POST.get("next") == "meetings":
        if error:
            messages.error(request, error)
        return redirect("governance:upcoming")
    return _agenda_response(request, action_item.meeting, error=error)


@staff_required
@require_POST
def attendance_set(request, pk):
    attendee = row_or_404(request, MeetingAttendee.objects.select_related("meeting__engagement"), pk)
    form = forms.AttendanceForm(request.POST)
    if form.is_valid():
        flash(
            request,
            lambda: agenda.attendance_set(by=request.user, attendee=attendee, **form.cleaned_data),
            "",
        )
    if request.htmx:
        return render(
            request,
            "governance/partials/attendee.html",
            {"attendee": attendee, "attendance_choices": Attendance.choices, "can_run": True},
        )
    return to_meeting(attendee.meeting_id, "#attendance")


@staff_required
@require_POST
def attendee_add(request, pk):
    meeting = meeting_or_404(request, pk, manage=True)
    form = forms.GuestForm(request.POST)
    if form.is_valid():
        flash(
            request,
            lambda: agenda.attendee_add(by=request.user, meeting=meeting, **form.cleaned_data),
            _("Attendee added."),
        )
    else:
        messages.error(request, _("Give the attendee's name."))
    return to_meeting(meeting.pk, "#attendance")
