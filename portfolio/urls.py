from django.urls import path

from . import preview, views

app_name = "portfolio"

# Included at the root. The engagement pages keep their paths under /engagements/ (links in sent emails point to
# them), next to the engagements app's own URLs.
urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("search/", views.search_page, name="search"),
    path("engagements/workload/", views.workload, name="workload"),
    path("engagements/export.csv", views.dashboard_csv, name="dashboard_csv"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement"),
    path("engagements/<int:pk>/figures/", views.engagement_figures, name="engagement_figures"),
    path("engagements/<int:pk>/history/", views.engagement_history, name="engagement_history"),
    path("engagements/<int:pk>/history.csv", views.engagement_history_csv, name="engagement_history_csv"),
    path("engagements/<int:pk>/preview/", preview.preview_start, name="preview"),
    path("preview/exit/", preview.preview_exit, name="preview_exit"),
]
