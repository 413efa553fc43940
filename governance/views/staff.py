"""Staff pages: an engagement's governance plan, a meeting (agenda, attendance, minutes, outcomes), the
upcoming-meetings list. Views parse input, call one selector or service, render."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import staff_required
from accounts.forms import add_service_errors
from engagements import selectors as engagement_selectors
from engagements.models import Engagement, Side
from engagements.policy import object_for_user_or_404

from .. import calendar, forms, selectors
from ..models import AgendaItem, Attendance, MeetingAttendee, MeetingSeries, Outcome, SeriesParticipant
from ..services import actions, agenda, feeds, minutes, plan, promises


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _engagement_or_404(request, pk, *, manage=False) -> Engagement:
    return object_for_user_or_404(
        engagement_selectors.engagement_with_people(), user=request.user, pk=pk, manage=manage
    )


def _meeting_or_404(request, pk, *, manage=False):
    return object_for_user_or_404(selectors.meeting_detail(), user=request.user, pk=pk, manage=manage)


def _row_or_404(request, queryset, pk, *, manage=True):
    return object_for_user_or_404(queryset, user=request.user, pk=pk, manage=manage)


def _to_plan(engagement_id, anchor=""):
    return redirect(reverse("governance:plan", args=[engagement_id]) + anchor)


def _to_meeting(meeting_id, anchor=""):
    return redirect(reverse("governance:meeting", args=[meeting_id]) + anchor)


def _flash(request, call, success) -> bool:
    try:
        call()
    except ValidationError as error:
        messages.error(request, _errors(error))
        return False
    if success:
        messages.success(request, success)
    return True


# --- The governance plan ------------------------------------------------------------------------------------------


@staff_required
@require_GET
def plan_page(request, pk):
    engagement = _engagement_or_404(request, pk)
    page = selectors.governance_page(engagement=engagement, user=request.user)
    context = {
        "engagement": engagement,
        "page": page,
        "promise_form": forms.PromiseForm(engagement=engagement),
        "now": timezone.now(),
    }
    if page.can_manage:
        context["apply_form"] = forms.PlanApplyForm(
            cadences=page.cadences,
            groups=page.cadence_groups,
            running={s.cadence_key for s in page.series if s.ended_on is None},
            initial={
                "time_zone": page.plan.time_zone if page.plan else request.user.time_zone,
                "language": page.language,
                "starts_on": timezone.localdate() + timedelta(days=1),
            },
        )
    return render(request, "governance/plan.html", context)


@staff_required
@require_POST
def plan_apply(request, pk):
    engagement = _engagement_or_404(request, pk, manage=True)
    language = request.POST.get("language", "")
    cadences, groups = plan.cadence_choices(language if language in dict(settings.LANGUAGES) else "en")
    form = forms.PlanApplyForm(request.POST, cadences=cadences, groups=groups)
    if not form.is_valid():
        messages.error(request, _("Nothing was applied: %(errors)s") % {"errors": form.errors.as_text()})
        return _to_plan(engagement.pk)
    try:
        result = plan.plan_apply(
            by=request.user,
            engagement=engagement,
            cadence_keys=form.cadence_keys(),
            time_zone=form.cleaned_data["time_zone"],
            language=form.cleaned_data["language"],
            starts_on=form.cleaned_data["starts_on"],
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return _to_plan(engagement.pk)
    if result.created:
        messages.success(
            request,
            _("Applied: %(names)s. The meetings are in the calendar for the next weeks.")
            % {"names": ", ".join(s.name for s in result.created)},
        )
    for note in result.skipped:
        messages.warning(request, note)
    return _to_plan(engagement.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_add(request, pk):
    engagement = _engagement_or_404(request, pk, manage=True)
    form = forms.MeetingAddForm(request.POST or None, language=agenda.plan_language(engagement.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = plan.meeting_add(
                by=request.user,
                engagement=engagement,
                title=(data["title"] or "").strip(),
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                cadence=data["cadence"],
                is_internal=data["is_internal"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting scheduled."))
            return _to_meeting(meeting.pk)
    return render(
        request, "governance/form_page.html", {"form": form, "title": _("Schedule a meeting"), "engagement": engagement}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def series_edit(request, pk):
    series = _row_or_404(request, MeetingSeries.objects.select_related("engagement"), pk)
    form = forms.SeriesForm(request.POST or None, instance=series)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        # The form is bound to the instance it validated: edit a fresh copy in the service.
        try:
            plan.series_update(by=request.user, series=MeetingSeries.objects.get(pk=series.pk), **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Series saved: the meetings still to come follow it."))
            return _to_plan(series.engagement_id, f"#series-{series.pk}")
    participants = list(series.participants.select_related("user"))
    return render(
        request,
        "governance/series_edit.html",
        {
            "form": form,
            "series": series,
            "engagement": series.engagement,
            "participants": participants,
            "participant_form": forms.ParticipantForm(choices=plan.participant_candidates(series)),
        },
    )


@staff_required
@require_POST
def series_end(request, pk):
    series = _row_or_404(request, MeetingSeries.objects.select_related("engagement"), pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the series should end."))
    else:
        cancelled = plan.series_end(by=request.user, series=series)
        messages.success(request, _("Series ended; %(n)s meetings still to come were cancelled.") % {"n": cancelled})
    return _to_plan(series.engagement_id)


@staff_required
@require_POST
def participant_add(request, pk):
    series = _row_or_404(request, MeetingSeries.objects.select_related("engagement"), pk)
    _flash(
        request,
        lambda: plan.series_participant_add(by=request.user, series=series, person=request.POST.get("person", "")),
        _("Participant added: invitations to the meetings still to come include them."),
    )
    return redirect("governance:series_edit", pk=series.pk)


@staff_required
@require_POST
def participant_remove(request, pk):
    participant = _row_or_404(request, SeriesParticipant.objects.select_related("series__engagement"), pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal."))
    else:
        plan.series_participant_remove(by=request.user, participant=participant)
        messages.success(request, _("Participant removed."))
    return redirect("governance:series_edit", pk=participant.series_id)


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
        **extra,
    }


@staff_required
@require_GET
def meeting_page(request, pk):
    meeting = _meeting_or_404(request, pk)
    return render(request, "governance/meeting.html", _meeting_context(request, meeting))


@staff_required
@require_GET
def meeting_ics(request, pk):
    meeting = _meeting_or_404(request, pk)
    attendees = [(p.name, p.email) for p in meeting.series.participants.all()]
    link = request.build_absolute_uri(reverse("governance:meeting", args=[meeting.pk]))
    return _ics_response(calendar.meeting_ics(meeting, attendees=attendees, link=link), f"meeting-{meeting.pk}.ics")


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
@require_POST
def meeting_prepare(request, pk):
    meeting = _meeting_or_404(request, pk, manage=True)
    _flash(
        request,
        lambda: agenda.agenda_prepare(by=request.user, meeting=meeting),
        _("The agenda is ready: edit it, and take the minutes during the meeting."),
    )
    return _to_meeting(meeting.pk, "#agenda")


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_move(request, pk):
    meeting = _meeting_or_404(request, pk, manage=True)
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at),
        "duration_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
    }
    form = forms.MeetingMoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan.meeting_move(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting moved; invited participants get the update."))
            return _to_meeting(meeting.pk)
    return render(
        request,
        "governance/form_page.html",
        {"form": form, "title": _("Move “%(title)s”") % {"title": meeting.title}, "engagement": meeting.engagement},
    )


@staff_required
@require_POST
def meeting_cancel(request, pk):
    meeting = _meeting_or_404(request, pk, manage=True)
    form = forms.MeetingCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason: the participants see it."))
    else:
        _flash(
            request,
            lambda: plan.meeting_cancel(by=request.user, meeting=meeting, reason=form.cleaned_data["reason"]),
            _("Meeting cancelled; invited participants are told."),
        )
    return _to_meeting(meeting.pk)


@staff_required
@require_POST
def meeting_held(request, pk):
    meeting = _meeting_or_404(request, pk, manage=True)
    _flash(request, lambda: agenda.meeting_mark_held(by=request.user, meeting=meeting), _("Marked as held."))
    return _to_meeting(meeting.pk)


@staff_required
@require_POST
def meeting_publish(request, pk):
    meeting = _meeting_or_404(request, pk, manage=True)
    form = forms.PublishForm(request.POST)
    form.is_valid()
    _flash(
        request,
        lambda: minutes.minutes_publish(
            by=request.user, meeting=meeting, change_note=form.cleaned_data.get("change_note", "")
        ),
        _("Minutes shared: the client's participants are told.")
        if not meeting.is_internal
        else _("Minutes finalised."),
    )
    return _to_meeting(meeting.pk, "#minutes")


@staff_required
@require_POST
def meeting_comment(request, pk):
    meeting = _meeting_or_404(request, pk)
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
    return _to_meeting(meeting.pk, "#minutes-comments")


# --- The agenda (htmx: each answers with the part of the page it changed) -----------------------------------------


def _agenda_response(request, meeting, anchor="#agenda", error=None):
    if request.htmx:
        meeting = _meeting_or_404(request, meeting.pk)
        return render(request, "governance/partials/agenda.html", _meeting_context(request, meeting, error=error))
    if error:
        messages.error(request, error)
    return _to_meeting(meeting.pk, anchor)


def _item_response(request, item, error=None):
    if request.htmx:
        meeting = _meeting_or_404(request, item.meeting_id)
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
    return _to_meeting(item.meeting_id, f"#agenda-item-{item.pk}")


def _item_or_404(request, pk):
    return _row_or_404(request, AgendaItem.objects.select_related("meeting__engagement", "meeting__series"), pk)


@staff_required
@require_POST
def agenda_item_add(request, pk):
    meeting = _meeting_or_404(request, pk, manage=True)
    form = forms.AgendaItemForm(request.POST)
    parent = None
    if request.POST.get("parent", "").isdigit():
        parent = AgendaItem.objects.filter(meeting=meeting, pk=int(request.POST["parent"])).first()
    if form.is_valid():
        _flash(
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
    changes = {}
    for name in ("title", "minutes", "internal_notes"):
        if name in request.POST:
            changes[name] = request.POST[name][:10000]
    if "is_internal" in request.POST:
        changes["is_internal"] = request.POST["is_internal"] == "on"
    error = None
    try:
        agenda.agenda_item_update(by=request.user, item=item, **changes)
    except ValidationError as exc:
        error = _errors(exc)
    return _item_response(request, item, error=error)


@staff_required
@require_POST
def agenda_item_delete(request, pk):
    item = _item_or_404(request, pk)
    meeting = item.meeting
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal."))
    else:
        _flash(request, lambda: agenda.agenda_item_delete(by=request.user, item=item), "")
    return _agenda_response(request, meeting)


@staff_required
@require_POST
def agenda_item_move(request, pk):
    item = _item_or_404(request, pk)
    _flash(
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
            error = _errors(exc)
    else:
        error = _("The outcome was not recorded: %(errors)s") % {
            "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)
        }
    return _item_response(request, item, error=error)


@staff_required
@require_POST
def outcome_delete(request, pk):
    outcome = _row_or_404(request, Outcome.objects.select_related("meeting__engagement", "agenda_item"), pk)
    if request.POST.get("confirm") != "yes":
        return _agenda_response(request, outcome.meeting, error=_("Confirm the removal."))
    agenda.outcome_delete(by=request.user, outcome=outcome)
    return _agenda_response(request, outcome.meeting)


@staff_required
@require_POST
def outcome_status(request, pk):
    # Those who manage the engagement and the item's owner (on our side) update it; anyone else gets 404.
    outcome = _row_or_404(
        request, Outcome.objects.select_related("meeting__engagement", "agenda_item", "owner"), pk, manage=False
    )
    if not actions.may_update(request.user, outcome):
        raise Http404
    form = forms.ActionStatusForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Choose open, done or dropped.")
    else:
        try:
            actions.action_item_set_status(by=request.user, outcome=outcome, status=form.cleaned_data["status"])
        except ValidationError as exc:
            error = _errors(exc)
        except PermissionDenied:
            error = _("Only those who manage the engagement and the item's owner change it.")
    if request.POST.get("next") == "meetings":
        if error:
            messages.error(request, error)
        return redirect("governance:upcoming")
    return _agenda_response(request, outcome.meeting, error=error)


@staff_required
@require_POST
def attendance_set(request, pk):
    attendee = _row_or_404(request, MeetingAttendee.objects.select_related("meeting__engagement"), pk)
    form = forms.AttendanceForm(request.POST)
    if form.is_valid():
        _flash(
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
    return _to_meeting(attendee.meeting_id, "#attendance")


@staff_required
@require_POST
def attendee_add(request, pk):
    meeting = _meeting_or_404(request, pk, manage=True)
    form = forms.GuestForm(request.POST)
    if form.is_valid():
        _flash(
            request,
            lambda: agenda.attendee_add(by=request.user, meeting=meeting, **form.cleaned_data),
            _("Attendee added."),
        )
    else:
        messages.error(request, _("Give the attendee's name."))
    return _to_meeting(meeting.pk, "#attendance")


# --- Lists and feeds ----------------------------------------------------------------------------------------------


@staff_required
@require_GET
def upcoming(request):
    feed = next((f for f in selectors.feeds_of(request.user) if f.engagement_id is None), None)
    return render(
        request,
        "governance/upcoming.html",
        {
            "meetings": selectors.upcoming_meetings(user=request.user),
            "feed": feed,
            "feed_token": feeds.feed_token(feed) if feed else "",
        },
    )


@staff_required
@require_POST
def feed_subscribe(request, pk):
    engagement = _engagement_or_404(request, pk)
    feeds.feed_subscribe(by=request.user, engagement=engagement)
    messages.success(request, _("Your subscription address is below: add it to your calendar program."))
    return _to_plan(engagement.pk, "#calendar")


@staff_required
@require_POST
def my_feed_subscribe(request):
    feeds.feed_subscribe(by=request.user)
    messages.success(request, _("Your subscription address is below: add it to your calendar program."))
    return redirect("governance:upcoming")


# --- Promises -----------------------------------------------------------------------------------------------------


def _record_promise(request, engagement, *, source, source_object=None) -> bool:
    form = forms.PromiseForm(request.POST, engagement=engagement)
    if not form.is_valid():
        messages.error(
            request,
            _("The promise was not recorded: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
        return False
    return _flash(
        request,
        lambda: promises.promise_record(
            by=request.user, engagement=engagement, source=source, source_object=source_object, **form.cleaned_data
        ),
        _("Promise recorded: its owner is reminded before it is due."),
    )


@staff_required
@require_POST
def promise_add(request, pk):
    engagement = _engagement_or_404(request, pk)
    _record_promise(request, engagement, source=promises.CONVERSATION_SOURCE)
    return _to_plan(engagement.pk, "#promises")


@staff_required
@require_POST
def meeting_promise_add(request, pk):
    meeting = _meeting_or_404(request, pk)
    _record_promise(request, meeting.engagement, source=promises.MEETING_SOURCE, source_object=meeting)
    return _to_meeting(meeting.pk, "#promises")


@staff_required
@require_POST
def promise_status(request, pk):
    from engagements.models import Commitment
    from engagements.services import commitment_close

    commitment = _row_or_404(request, Commitment.objects.select_related("engagement"), pk, manage=False)
    form = forms.PromiseStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose kept, dropped or open."))
    else:
        _flash(
            request,
            lambda: commitment_close(by=request.user, commitment=commitment, status=form.cleaned_data["status"]),
            _("Promise updated."),
        )
    meeting_id = request.POST.get("meeting", "")
    if meeting_id.isdigit():
        return _to_meeting(int(meeting_id), "#promises")
    return _to_plan(commitment.engagement_id, "#promises")


@staff_required
@require_GET
def promise_rates(request):
    if not request.user.sees_portfolio:
        raise Http404
    by_engagement, by_pm = promises.promise_rates(user=request.user)
    tables = [
        (_("Per engagement"), by_engagement, "rates-by-engagement"),
        (_("Per project manager"), by_pm, "rates-by-pm"),
    ]
    return render(request, "governance/promise_rates.html", {"tables": tables})
