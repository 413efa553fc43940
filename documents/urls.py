from django.urls import path

from . import views

app_name = "documents"

# Staff pages, under /documents/ (the client's are in portal_urls.py).
urlpatterns = [
    path("engagements/<int:pk>/", views.engagement_documents, name="engagement_documents"),
    path("engagements/<int:pk>/new/", views.document_create, name="document_create"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/versions/", views.version_add, name="version_add"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/download/", views.version_download, name="version_download"),
]
