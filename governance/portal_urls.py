from django.urls import path

from .views import portal

# Included under the "portal" namespace by onboarding_portal/portal_urls.py.
urlpatterns = [
    path("meetings/", portal.meetings, name="meetings"),
    path("meetings/<int:pk>/", portal.meeting, name="meeting"),
    path("meetings/<int:pk>/meeting.ics", portal.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/acknowledge/", portal.minutes_acknowledge, name="minutes_acknowledge"),
    path("meetings/<int:pk>/comments/", portal.minutes_comment, name="minutes_comment"),
    path("action-items/", portal.action_items, name="action_items"),
    path("action-items/<int:pk>/complete/", portal.action_item_complete, name="action_item_complete"),
    path("engagements/<int:pk>/calendar/", portal.feed_subscribe, name="feed_subscribe"),
    path("promises/", portal.promises, name="promises"),
]
