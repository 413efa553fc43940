from django.urls import path

from . import views

app_name = "checklists"

# Under /engagements/ (the paths links in sent emails and reminders point to), next to the engagements app's URLs.
urlpatterns = [
    path("<int:pk>/apply-template/", views.template_apply, name="template_apply"),
    path("stages/<int:pk>/items/", views.item_create, name="item_create"),
    path("stages/<int:pk>/actuals/", views.stage_actuals, name="stage_actuals"),
    path("actuals/<int:pk>/delete/", views.stage_actual_delete, name="stage_actual_delete"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/complete/", views.item_complete, name="item_complete"),
    path("items/<int:pk>/comments/", views.item_comment, name="item_comment"),
    path("items/<int:pk>/evidence/", views.item_evidence, name="item_evidence"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/dependencies/", views.dependency_add, name="dependency_add"),
    path("items/<int:pk>/unpin/", views.item_unpin, name="item_unpin"),
    path("dependencies/<int:pk>/delete/", views.dependency_delete, name="dependency_delete"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
]
