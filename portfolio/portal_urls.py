from django.urls import path

from . import views

# Included under the "portal" namespace by onboarding_portal/portal_urls.py.
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("engagements/<int:pk>/", views.portal_engagement, name="engagement"),
    path("engagements/<int:pk>/project/", views.portal_project, name="project"),
]
