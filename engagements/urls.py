from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("new/", views.engagement_create, name="create"),
    path("workload/", views.workload, name="workload"),
    path("absences/", views.absences, name="absences"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/billing/", views.billing_record_add, name="billing_add"),
    path("<int:pk>/", views.engagement_detail, name="detail"),
    path("<int:pk>/edit/", views.engagement_edit, name="edit"),
    path("<int:pk>/phase/", views.engagement_phase, name="phase"),
    path("<int:pk>/handoff/", views.handoff_edit, name="handoff"),
    path("<int:pk>/obligations/", views.obligation_add, name="obligation_add"),
    path("<int:pk>/stakeholders/", views.stakeholders, name="stakeholders"),
    path("<int:pk>/apply-template/", views.template_apply, name="template_apply"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/integrations/", views.integration_add, name="integration_add"),
    path("<int:pk>/links/", views.resource_link_add, name="link_add"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="stakeholder_edit"),
    path("stakeholders/<int:pk>/delete/", views.stakeholder_delete, name="stakeholder_delete"),
    path("integrations/<int:pk>/edit/", views.integration_edit, name="integration_edit"),
    path("milestones/<int:pk>/reached/", views.milestone_reached, name="milestone_reached"),
    path("obligations/<int:pk>/close/", views.obligation_close, name="obligation_close"),
    path("stages/<int:pk>/items/", views.item_create, name="item_create"),
    path("stages/<int:pk>/actuals/", views.stage_actuals, name="stage_actuals"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/complete/", views.item_complete, name="item_complete"),
    path("items/<int:pk>/comments/", views.item_comment, name="item_comment"),
    path("items/<int:pk>/evidence/", views.item_evidence, name="item_evidence"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
]
