from django.urls import path

from . import views

app_name = "client_data"

urlpatterns = [
    path("clients/<int:organization_id>/", views.exports_page, name="exports"),
    path("clients/<int:organization_id>/progress/", views.exports_progress, name="progress"),
    path("exports/<uuid:pk>/download/", views.export_download, name="download"),
]
