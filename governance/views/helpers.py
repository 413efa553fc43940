"""What the staff views share: fetching a record the user may see (or manage) or 404, going back to the
plan or the meeting."""

from django.shortcuts import redirect
from django.urls import reverse

from engagements.policy import object_for_user_or_404

from .. import selectors


def meeting_or_404(request, pk, *, manage=False, work=False):
    return object_for_user_or_404(selectors.meeting_detail(), user=request.user, pk=pk, manage=manage, work=work)


def row_or_404(request, queryset, pk, *, manage=True, work=False):
    return object_for_user_or_404(queryset, user=request.user, pk=pk, manage=manage, work=work)


def to_plan(engagement_id, anchor=""):
    return redirect(reverse("governance:plan", args=[engagement_id]) + anchor)


def to_meeting(meeting_id, anchor=""):
    return redirect(reverse("governance:meeting", args=[meeting_id]) + anchor)
