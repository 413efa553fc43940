from django.urls import path

from . import views

# Included under the "portal" namespace by onboarding_portal/portal_urls.py.
urlpatterns = [
    path("documents/", views.portal_documents, name="documents"),
    path("documents/<int:pk>/", views.portal_document, name="document"),
    path("documents/versions/<int:pk>/download/", views.portal_version_download, name="document_download"),
    path("documents/versions/<int:pk>/acknowledge/", views.portal_version_acknowledge, name="document_acknowledge"),
]
