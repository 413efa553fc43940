from django.urls import path

from .views import meetings, portal, staff

app_name = "governance"

urlpatterns = [
    path("meetings/", staff.upcoming, name="upcoming"),
    path("promises/", staff.promise_rates, name="promise_rates"),
    path("engagements/<int:pk>/promises/", staff.promise_add, name="promise_add"),
    path("meetings/<int:pk>/promises/", staff.meeting_promise_add, name="meeting_promise_add"),
    path("promises/<int:pk>/status/", staff.promise_status, name="promise_status"),
    path("engagements/<int:pk>/", staff.plan_page, name="plan"),
    path("engagements/<int:pk>/apply/", staff.plan_apply, name="plan_apply"),
    path("engagements/<int:pk>/meetings/new/", staff.meeting_add, name="meeting_add"),
    path("engagements/<int:pk>/feed/", staff.feed_subscribe, name="feed_subscribe"),
    path("series/<int:pk>/edit/", staff.series_edit, name="series_edit"),
    path("series/<int:pk>/end/", staff.series_end, name="series_end"),
    path("series/<int:pk>/participants/", staff.participant_add, name="participant_add"),
    path("participants/<int:pk>/delete/", staff.participant_remove, name="participant_remove"),
    path("meetings/<int:pk>/", meetings.meeting_page, name="meeting"),
    path("meetings/<int:pk>/meeting.ics", meetings.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/prepare/", meetings.meeting_prepare, name="meeting_prepare"),
    path("meetings/<int:pk>/move/", meetings.meeting_move, name="meeting_move"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/held/", meetings.meeting_held, name="meeting_held"),
    path("meetings/<int:pk>/publish/", meetings.meeting_publish, name="meeting_publish"),
    path("meetings/<int:pk>/comments/", meetings.meeting_comment, name="meeting_comment"),
    path("meetings/<int:pk>/agenda/", meetings.agenda_item_add, name="agenda_item_add"),
    path("meetings/<int:pk>/attendees/", meetings.attendee_add, name="attendee_add"),
    path("agenda-items/<int:pk>/", meetings.agenda_item, name="agenda_item"),
    path("agenda-items/<int:pk>/delete/", meetings.agenda_item_delete, name="agenda_item_delete"),
    path("agenda-items/<int:pk>/move/", meetings.agenda_item_move, name="agenda_item_move"),
    path("agenda-items/<int:pk>/outcomes/", meetings.outcome_add, name="outcome_add"),
    path("outcomes/<int:pk>/delete/", meetings.outcome_delete, name="outcome_delete"),
    path("outcomes/<int:pk>/status/", meetings.action_item_status, name="outcome_status"),
    path("attendees/<int:pk>/", meetings.attendance_set, name="attendance_set"),
    path("feeds/mine/", staff.my_feed_subscribe, name="my_feed_subscribe"),
    path("feeds/<int:pk>/revoke/", portal.feed_revoke, name="feed_revoke"),
    # Calendar programs fetch these without logging in: the signed token is the key (see models/feeds.py).
    path("feeds/engagements/<int:pk>/<str:token>.ics", portal.engagement_feed, name="engagement_feed"),
    path("feeds/people/<str:token>.ics", portal.personal_feed, name="personal_feed"),
]
