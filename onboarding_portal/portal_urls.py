"""The client portal: every app contributes its client-facing URLs here, under /portal/."""

from django.urls import include, path

app_name = "portal"

urlpatterns = [
    path("", include("engagements.portal_urls")),
    path("", include("escalations.portal_urls")),
]
