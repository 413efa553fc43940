from django.urls import path

from . import views

# Included under the "portal" namespace by onboarding_portal/portal_urls.py.
urlpatterns = [
    path("engagements/<int:pk>/work-plan/decision/", views.portal_work_plan_decision, name="work_plan_decision"),
    path("tasks/", views.portal_tasks, name="tasks"),
    path("tasks/<int:pk>/", views.portal_item, name="item"),
    path("tasks/<int:pk>/complete/", views.portal_item_complete, name="item_complete"),
    path("tasks/<int:pk>/comments/", views.portal_item_comment, name="item_comment"),
    path("tasks/<int:pk>/reopen/", views.portal_item_reopen, name="item_reopen"),
    path("tasks/<int:pk>/evidence/", views.portal_item_evidence, name="item_evidence"),
    path("stages/<int:pk>/decision/", views.portal_stage_decision, name="stage_decision"),
    path("satisfaction/<int:pk>/", views.portal_satisfaction, name="satisfaction"),
]
