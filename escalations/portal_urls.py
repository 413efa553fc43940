from django.urls import path

from .views import portal as views

# Included under the "portal" namespace by onboarding_portal/portal_urls.py.
urlpatterns = [
    path("flags/", views.flags, name="flags"),
    path("flags/new/", views.flag_raise, name="flag_raise"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("flags/<int:pk>/reply/", views.flag_reply, name="flag_reply"),
    path("flags/<int:pk>/confirm/", views.flag_confirm, name="flag_confirm"),
    path("flags/<int:pk>/reopen/", views.flag_reopen, name="flag_reopen"),
    path("flags/<int:pk>/duplicate/", views.flag_duplicate, name="flag_duplicate"),
    path("flags/<int:pk>/not-a-duplicate/", views.flag_unmark_duplicate, name="flag_unmark_duplicate"),
    path("flag-steps/<int:pk>/status/", views.step_status, name="flag_step_status"),
    path("flag-attachments/<int:pk>/", views.attachment_download, name="flag_attachment"),
    path("service-levels/", views.sla_figures, name="sla"),
]
