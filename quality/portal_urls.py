from django.urls import path

from . import views

# Included under the "portal" namespace by onboarding_portal/portal_urls.py.
urlpatterns = [
    path("quality/", views.portal_reports, name="quality_reports"),
    path("quality/<int:pk>/", views.portal_report, name="quality_report"),
    path("quality/<int:pk>/attachment/", views.portal_report_attachment, name="quality_report_attachment"),
]
