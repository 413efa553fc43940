from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from portfolio import views as portfolio_views

from . import baseline, health


class FaviconRedirect(RedirectView):
    # Resolved per request, not at import: with hashed static files the manifest may not exist yet when the URLs
    # load (``check --deploy`` before ``collectstatic``).
    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("", portfolio_views.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (the admin, a downloaded file's tab).
    path("favicon.ico", require_GET(login_not_required(FaviconRedirect.as_view())), name="favicon"),
    path("baseline/", baseline.baseline, name="baseline"),
    path("accounts/", include("accounts.urls")),
    # Three apps share the /engagements/ paths (kept as they were: links in sent emails point to them); portfolio's
    # URLs are included at the root and spell theirs out.
    path("engagements/", include("engagements.urls")),
    path("engagements/", include("checklists.urls")),
    path("", include("portfolio.urls")),
    path("escalations/", include("escalations.urls")),
    path("governance/", include("governance.urls")),
    path("quality/", include("quality.urls")),
    path("documents/", include("documents.urls")),
    path("receipts/", include("receipts.urls")),
    path("portal/", include("onboarding_portal.portal_urls")),
    path("notifications/", include("notifications.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("api/", include("api.urls")),
    path("client-data/", include("client_data.urls")),
    # The nested inlines' script data (django-nested-admin) for the checklist template's admin page: under admin/
    # (admin users only, tested with the admin), before the admin's own catch-all.
    path("admin/_nested_admin/", include("nested_admin.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "onboarding_portal.errors.page_not_found"
handler500 = "onboarding_portal.errors.server_error"
handler403 = "onboarding_portal.errors.permission_denied"
