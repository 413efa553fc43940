from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("<int:pk>/", views.engagement_detail, name="detail"),
]
