from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("new/", views.engagement_create, name="create"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/billing/", views.billing_record_add, name="billing_add"),
    path("<int:pk>/edit/", views.engagement_edit, name="edit"),
    path("<int:pk>/phase/", views.engagement_phase, name="phase"),
    path("<int:pk>/handoff/", views.handoff_edit, name="handoff"),
    path("<int:pk>/promises/", views.promise_add, name="promise_add"),
    path("<int:pk>/stakeholders/", views.stakeholders, name="stakeholders"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/integrations/", views.integration_add, name="integration_add"),
    path("<int:pk>/links/", views.resource_link_add, name="link_add"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="stakeholder_edit"),
    path("stakeholders/<int:pk>/delete/", views.stakeholder_delete, name="stakeholder_delete"),
    path("stakeholders/<int:pk>/invite/", views.stakeholder_invite, name="stakeholder_invite"),
    path("integrations/<int:pk>/edit/", views.integration_edit, name="integration_edit"),
    path("integrations/<int:pk>/delete/", views.integration_delete, name="integration_delete"),
    path("links/<int:pk>/audience/", views.resource_link_audience, name="link_audience"),
    path("links/<int:pk>/delete/", views.resource_link_delete, name="link_delete"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("milestones/<int:pk>/reached/", views.milestone_reached, name="milestone_reached"),
    path("promises/<int:pk>/edit/", views.promise_edit, name="promise_edit"),
    path("promises/<int:pk>/reopen/", views.promise_reopen, name="promise_reopen"),
    path("promises/<int:pk>/close/", views.promise_close, name="promise_close"),
]
