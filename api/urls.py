"""``/api/``: the schema (public: it is the contract, no data), its reference page (signed-in people: the login
page for others) and ``/api/v1/`` (token only; DRF marks its views ``login_not_required``, so a request without a
session reaches the token check and gets its 401, not the login page)."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from .views import checklists, docs, resources

app_name = "api"


v1 = [
    ("users/me/", resources.Me, "me"),
    ("clients/", resources.ClientList, "client_list"),
    ("clients/<int:pk>/", resources.ClientDetail, "client_detail"),
    ("engagements/", resources.EngagementList, "engagement_list"),
    ("engagements/<int:pk>/", resources.EngagementDetail, "engagement_detail"),
    ("stages/", checklists.StageList, "stage_list"),
    ("stages/<int:pk>/", checklists.StageDetail, "stage_detail"),
    ("items/", checklists.ItemList, "item_list"),
    ("items/<int:pk>/", checklists.ItemDetail, "item_detail"),
    ("items/<int:pk>/complete/", checklists.ItemComplete, "item_complete"),
    ("items/<int:pk>/reopen/", checklists.ItemReopen, "item_reopen"),
    ("items/<int:pk>/comments/", checklists.ItemComments, "item_comments"),
    ("stakeholders/", resources.StakeholderList, "stakeholder_list"),
    ("stakeholders/<int:pk>/", resources.StakeholderDetail, "stakeholder_detail"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path("docs/", login_required(docs.Reference.as_view(url_name="api:schema")), name="docs"),
    *(path(f"v1/{route}", view.as_view(), name=name) for route, view, name in v1),
]
