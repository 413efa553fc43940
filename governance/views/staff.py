"""Staff pages: an engagement's governance plan and its series, the upcoming-meetings list, calendar feeds and the
promise ledger. Views parse input, call one selector or service, render (a meeting's own pages: ``meetings``)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import staff_required
from accounts.forms import add_service_errors
from engagements import policy
from engagements import selectors as engagement_selectors
from engagements import services as engagement_services
from engagements.models import Promise, PromiseSource
from engagements.view_helpers import engagement_or_404, error_text, flash

from .. import forms, selectors
from ..models import MEETING_SOURCE, MeetingSeries, SeriesParticipant
from ..services import agenda, feeds, plan
from ..services import series as schedule
from .helpers import meeting_or_404, row_or_404, to_meeting, to_plan

# --- The governance plan ------------------------------------------------------------------------------------------


@staff_required
@require_GET
def plan_page(request, pk):
    engagement = engagement_or_404(request, pk)
    page = selectors.governance_page(engagement=engagement, user=request.user)
    context = {
        "engagement": engagement,
        "page": page,
        "promise_form": forms.PromiseForm(engagement=engagement),
        "now": timezone.now(),
        "can_work": policy.may_work(request.user, engagement),
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
    engagement = engagement_or_404(request, pk, manage=True)
    language = request.POST.get("language", "")
    cadences, groups = plan.cadence_choices(language if language in dict(settings.LANGUAGES) else "en")
    form = forms.PlanApplyForm(request.POST, cadences=cadences, groups=groups)
    if not form.is_valid():
        messages.error(request, _("Nothing was applied: %(errors)s") % {"errors": form.errors.as_text()})
        return to_plan(engagement.pk)
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
        messages.error(request, error_text(error))
        return to_plan(engagement.pk)
    if result.created:
        messages.success(
            request,
            _("Applied: %(names)s. The meetings are in the calendar for the next weeks.")
            % {"names": ", ".join(s.name for s in result.created)},
        )
    for note in result.skipped:
        messages.warning(request, note)
    return to_plan(engagement.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_add(request, pk):
    engagement = engagement_or_404(request, pk, manage=True)
    form = forms.MeetingAddForm(request.POST or None, language=agenda.plan_language(engagement.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = schedule.meeting_add(
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
            return to_meeting(meeting.pk)
    return render(
        request, "governance/form_page.html", {"form": form, "title": _("Schedule a meeting"), "engagement": engagement}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def series_edit(request, pk):
    series = row_or_404(request, MeetingSeries.objects.select_related("engagement"), pk)
    form = forms.SeriesForm(request.POST or None, instance=series)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        # The form is bound to the instance it validated: edit a fresh copy in the service.
        try:
            schedule.series_update(by=request.user, series=MeetingSeries.objects.get(pk=series.pk), **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Series saved: the meetings still to come follow it."))
            return to_plan(series.engagement_id, f"#series-{series.pk}")
    participants = list(series.participants.select_related("user"))
    return render(
        request,
        "governance/series_edit.html",
        {
            "form": form,
            "series": series,
            "engagement": series.engagement,
            "participants": participants,
            "participant_form": forms.ParticipantForm(choices=schedule.participant_candidates(series)),
        },
    )


@staff_required
@require_POST
def series_end(request, pk):
    series = row_or_404(request, MeetingSeries.objects.select_related("engagement"), pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the series should end."))
    else:
        cancelled = schedule.series_end(by=request.user, series=series)
        messages.success(request, _("Series ended; %(n)s meetings still to come were cancelled.") % {"n": cancelled})
    return to_plan(series.engagement_id)


@staff_required
@require_POST
def participant_add(request, pk):
    series = row_or_404(request, MeetingSeries.objects.select_related("engagement"), pk)
    flash(
        request,
        lambda: schedule.series_participant_add(by=request.user, series=series, person=request.POST.get("person", "")),
        _("Participant added: invitations to the meetings still to come include them."),
    )
    return redirect("governance:series_edit", pk=series.pk)


@staff_required
@require_POST
def participant_remove(request, pk):
    participant = row_or_404(request, SeriesParticipant.objects.select_related("series__engagement"), pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal."))
    else:
        schedule.series_participant_remove(by=request.user, participant=participant)
        messages.success(request, _("Participant removed."))
    return redirect("governance:series_edit", pk=participant.series_id)


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
    engagement = engagement_or_404(request, pk)
    feeds.feed_subscribe(by=request.user, engagement=engagement)
    messages.success(request, _("Your subscription address is below: add it to your calendar program."))
    return to_plan(engagement.pk, "#calendar")


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
    return flash(
        request,
        lambda: engagement_services.promise_record(
            by=request.user, engagement=engagement, source=source, source_object=source_object, **form.cleaned_data
        ),
        _("Promise recorded: its owner is reminded before it is due."),
    )


@staff_required
@require_POST
def promise_add(request, pk):
    engagement = engagement_or_404(request, pk, work=True)
    _record_promise(request, engagement, source=PromiseSource.CONVERSATION)
    return to_plan(engagement.pk, "#promises")


@staff_required
@require_POST
def meeting_promise_add(request, pk):
    meeting = meeting_or_404(request, pk, work=True)
    _record_promise(request, meeting.engagement, source=MEETING_SOURCE, source_object=meeting)
    return to_meeting(meeting.pk, "#promises")


@staff_required
@require_POST
def promise_status(request, pk):
    promise = row_or_404(request, Promise.objects.select_related("engagement"), pk, manage=False, work=True)
    form = forms.PromiseStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose kept, dropped or open."))
    else:
        flash(
            request,
            lambda: engagement_services.promise_close(
                by=request.user, promise=promise, status=form.cleaned_data["status"]
            ),
            _("Promise updated."),
        )
    meeting_id = request.POST.get("meeting", "")
    if meeting_id.isdigit():
        return to_meeting(int(meeting_id), "#promises")
    return to_plan(promise.engagement_id, "#promises")


@staff_required
@require_GET
def promise_rates(request):
    if not request.user.sees_portfolio:
        raise Http404
    by_engagement, by_pm = engagement_selectors.promise_rates(user=request.user)
    tables = [
        (_("Per engagement"), by_engagement, "rates-by-engagement"),
        (_("Per project manager"), by_pm, "rates-by-pm"),
    ]
    return render(request, "governance/promise_rates.html", {"tables": tables})
