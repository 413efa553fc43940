"""The client portal: every app contributes its client-facing URLs here, under /portal/."""

from django.urls import include, path

app_name = "portal"

urlpatterns = [
    path("", include("portfolio.portal_urls")),
    path("", include("accounts.portal_urls")),
    path("", include("checklists.portal_urls")),
    path("", include("escalations.portal_urls")),
    path("", include("governance.portal_urls")),
    path("", include("quality.portal_urls")),
    path("", include("documents.portal_urls")),
    path("", include("engagements.portal_urls")),
]
