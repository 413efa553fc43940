from django.urls import path

from . import portal_views

# Included under the "portal" namespace by onboarding_portal/portal_urls.py.
urlpatterns = [
    path("contract/", portal_views.contract, name="contract"),
]
