from django.urls import path

from . import views

# Included under the "portal" namespace by onboarding_portal/portal_urls.py: the key user's people.
urlpatterns = [
    path("people/", views.portal_people, name="people"),
    path("people/invitations/<int:pk>/revoke/", views.portal_invitation_revoke, name="people_invitation_revoke"),
    path("people/<int:pk>/deactivate/", views.portal_member_deactivate, name="people_deactivate"),
]
