from django.urls import path

from .views import staff as views

app_name = "escalations"

urlpatterns = [
    path("", views.flag_list, name="flag_list"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("flags/<int:pk>/acknowledge/", views.flag_acknowledge, name="flag_acknowledge"),
    path("flags/<int:pk>/update/", views.flag_update, name="flag_update"),
    path("flags/<int:pk>/pause/", views.flag_pause, name="flag_pause"),
    path("flags/<int:pk>/resume/", views.flag_resume, name="flag_resume"),
    path("flags/<int:pk>/escalate/", views.flag_escalate, name="flag_escalate"),
    path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("flags/<int:pk>/reopen/", views.flag_reopen, name="flag_reopen"),
    path("flags/<int:pk>/steps/", views.step_add, name="step_add"),
    path("flags/<int:pk>/plan/agree/", views.plan_agree, name="plan_agree"),
    path("steps/<int:pk>/status/", views.step_status, name="step_status"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("raise/", views.flag_raise_start, name="flag_raise_start"),
    path("engagements/<int:pk>/raise/", views.flag_raise, name="flag_raise"),
    path("sla/", views.sla_figures, name="sla"),
    path("sla.csv", views.sla_csv, name="sla_csv"),
    path("rota/", views.rota, name="rota"),
]
