from django.urls import path

from . import views

app_name = "portfolio"

# Under /engagements/ (the paths links in sent emails point to), next to the engagements app's own URLs.
urlpatterns = [
    path("workload/", views.workload, name="workload"),
    path("<int:pk>/", views.engagement_detail, name="engagement"),
]
