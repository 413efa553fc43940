from django.urls import path

from . import views

app_name = "quality"

# Staff pages, under /quality/ (the client's are in portal_urls.py).
urlpatterns = [
    path("engagements/<int:pk>/", views.engagement_reports, name="engagement_reports"),
    path("engagements/<int:pk>/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("reports/<int:pk>/attachment/", views.report_attachment, name="report_attachment"),
]
