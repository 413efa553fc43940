"""The client's governance pages in the portal: the meeting calendar with its subscribe link, the shared minutes
with their versions and what changed, their action items, and calendar feeds (public, by token)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import client_required
from accounts.step_up import step_up_required
from engagements import selectors as engagement_selectors
from engagements.models import Engagement
from engagements.policy import object_for_user_or_404
from engagements.view_helpers import flash
from receipts.context import decision_context

from .. import calendar, forms, permissions, selectors
from ..models import ActionItem, CalendarFeed, MinutesVersion
from ..services import actions, feeds, minutes


@client_required
@require_GET
def meetings(request):
    upcoming, past = selectors.client_meetings(user=request.user)
    engagements = list(Engagement.objects.visible_to(request.user).order_by("name"))
    subscribed = {f.engagement_id: f for f in selectors.feeds_of(request.user) if f.engagement_id}
    subscriptions = [
        {
            "engagement": engagement,
            "feed": subscribed.get(engagement.pk),
            "url": request.build_absolute_uri(
                reverse("governance:engagement_feed", args=[engagement.pk, feeds.feed_token(subscribed[engagement.pk])])
            )
            if engagement.pk in subscribed
            else "",
        }
        for engagement in engagements
    ]
    return render(
        request,
        "portal/governance/meetings.html",
        {"upcoming": upcoming, "past": past, "subscriptions": subscriptions},
    )


def _version_number(request, meeting) -> int:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isdigit() else meeting.minutes_version


@client_required
@require_GET
def meeting(request, pk):
    meeting = object_for_user_or_404(selectors.meeting_detail(), user=request.user, pk=pk)
    versions = list(
        MinutesVersion.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("published_by")
        .prefetch_related(Prefetch("acknowledgements", queryset=selectors.acknowledgements_with_receipts()))
        .order_by("-number")
    )
    number = _version_number(request, meeting)
    shown = next((v for v in versions if v.number == number), versions[0] if versions else None)
    previous = next((v for v in versions if shown and v.number == shown.number - 1), None)
    context = {
        "meeting": meeting,
        "versions": versions,
        "shown": shown,
        "changes": minutes.minutes_changes(previous.content, shown.content) if shown and previous else [],
        "previous": previous,
        "comments": list(meeting.minutes_comments.select_related("author", "version")),
        "can_acknowledge": permissions.may_acknowledge_minutes(request.user, meeting),
        "can_comment": permissions.may_comment_minutes(request.user, meeting),
        "acknowledged": bool(shown and any(a.user_id == request.user.pk for a in shown.acknowledgements.all())),
        "comment_form": forms.CommentForm(),
        "local_start": meeting.starts_at,
    }
    return render(request, "portal/governance/meeting.html", context)


@client_required
@require_GET
def meeting_ics(request, pk):
    meeting = object_for_user_or_404(selectors.meeting_detail(), user=request.user, pk=pk)
    link = request.build_absolute_uri(reverse("portal:meeting", args=[meeting.pk]))
    response = HttpResponse(calendar.meeting_ics(meeting, link=link), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@client_required
@require_POST
@step_up_required
def minutes_acknowledge(request, pk):
    meeting = object_for_user_or_404(selectors.meeting_detail(), user=request.user, pk=pk)
    version = meeting.minutes_versions.filter(number=meeting.minutes_version).first()
    if version is None:
        raise Http404
    flash(
        request,
        lambda: minutes.minutes_acknowledge(by=request.user, version=version, context=decision_context(request)),
        _("Thank you: the team sees that you read the minutes."),
        refused=_("Only the key user named for this engagement acknowledges the minutes."),
    )
    return redirect("portal:meeting", pk=meeting.pk)


@client_required
@require_POST
def minutes_comment(request, pk):
    meeting = object_for_user_or_404(selectors.meeting_detail(), user=request.user, pk=pk)
    flash(
        request,
        lambda data: minutes.minutes_comment_add(by=request.user, meeting=meeting, body=data["body"]),
        _("Comment sent to the team."),
        form=forms.CommentForm(request.POST),
        invalid=_("Write a comment first."),
        refused=_("The key user named for this engagement comments on the minutes."),
    )
    return redirect(reverse("portal:meeting", args=[meeting.pk]) + "#minutes-comments")


@client_required
@require_GET
def action_items(request):
    today = timezone.localdate()
    items = list(selectors.client_action_items(user=request.user))
    return render(
        request,
        "portal/governance/action_items.html",
        {
            "open_items": [i for i in items if i.is_open],
            "closed_items": [i for i in items if not i.is_open],
            "today": today,
        },
    )


@client_required
@require_POST
def action_item_complete(request, pk):
    item = object_for_user_or_404(ActionItem.objects.client_side(), user=request.user, pk=pk)
    try:
        actions.action_item_set_status(by=request.user, outcome=item, status="done")
    except (ValidationError, PermissionDenied):
        messages.error(request, _("This action item cannot be completed here."))
    else:
        messages.success(request, _("Thank you, the action item is done."))
    if request.POST.get("next") == "tasks":
        return redirect("portal:tasks")
    return redirect("portal:action_items")


@client_required
@require_POST
def feed_subscribe(request, pk):
    engagement = object_for_user_or_404(Engagement.objects, user=request.user, pk=pk)
    feeds.feed_subscribe(by=request.user, engagement=engagement)
    messages.success(request, _("Your subscription address is below: add it to your calendar program."))
    return redirect(reverse("portal:meetings") + "#calendar")


# --- Feeds by token (no login: calendar programs fetch them) and revoking one -------------------------------------


def _feed_response(feed, meetings, *, name) -> HttpResponse:
    content = calendar.feed_ics(meetings, name=name, link_for=lambda meeting: _link(meeting, feed.owner))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def _link(meeting, owner) -> str:
    name = "portal:meeting" if owner.is_client_user else "governance:meeting"
    return settings.SITE_URL + reverse(name, args=[meeting.pk])


@login_not_required
@never_cache
@require_GET
def engagement_feed(request, pk, token):
    feed = feeds.feed_for_token(token, engagement_id=pk)
    if feed is None:
        raise Http404
    meetings = feeds.feed_meetings(feed, now=timezone.now())
    return _feed_response(feed, meetings, name=feed.engagement.name)


@login_not_required
@never_cache
@require_GET
def personal_feed(request, token):
    feed = feeds.feed_for_token(token, engagement_id=None)
    if feed is None:
        raise Http404
    meetings = feeds.feed_meetings(feed, now=timezone.now())
    return _feed_response(feed, meetings, name=_("My meetings"))


@require_POST
def feed_revoke(request, pk):
    feed = get_object_or_404(CalendarFeed.objects.of(request.user), pk=pk)
    feeds.feed_revoke(by=request.user, feed=feed)
    messages.success(request, _("Subscription revoked: the address no longer works."))
    if request.user.is_client_user:
        return redirect(reverse("portal:meetings") + "#calendar")
    if feed.engagement_id:
        return redirect(reverse("governance:plan", args=[feed.engagement_id]) + "#calendar")
    return redirect("governance:upcoming")


@client_required
@require_GET
def promises(request):
    """The promises made to the client, with their status (open, kept, kept late, broken, dropped)."""
    return render(
        request,
        "portal/governance/promises.html",
        {"promises": engagement_selectors.promise_ledger(user=request.user), "now": timezone.now()},
    )
