"""``/api/``: the schema (public: it is the contract, no data), its reference page (signed-in people: the login
page for others) and ``/api/v1/`` (token only; DRF marks its views ``login_not_required``, so a request without a
session reaches the token check and gets its 401, not the login page)."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import pages
from .views import checklists, deals, delivery, docs, flags, meetings, promises, resources

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
    ("meetings/", meetings.MeetingList, "meeting_list"),
    ("meetings/<int:pk>/", meetings.MeetingDetail, "meeting_detail"),
    ("meetings/<int:pk>/minutes/", meetings.MeetingMinutes, "meeting_minutes"),
    ("action-items/", meetings.ActionItemList, "action_item_list"),
    ("action-items/<int:pk>/", meetings.ActionItemDetail, "action_item_detail"),
    ("promises/", promises.PromiseList, "promise_list"),
    ("promises/<int:pk>/", promises.PromiseDetail, "promise_detail"),
    ("red-flags/", flags.FlagList, "flag_list"),
    ("red-flags/<int:pk>/", flags.FlagDetail, "flag_detail"),
    ("red-flags/<int:pk>/timeline/", flags.FlagTimeline, "flag_timeline"),
    ("red-flags/<int:pk>/acknowledge/", flags.FlagAcknowledge, "flag_acknowledge"),
    ("red-flags/<int:pk>/updates/", flags.FlagPostUpdate, "flag_update"),
    ("red-flags/<int:pk>/pause/", flags.FlagPause, "flag_pause"),
    ("red-flags/<int:pk>/resume/", flags.FlagResume, "flag_resume"),
    ("red-flags/<int:pk>/resolve/", flags.FlagResolve, "flag_resolve"),
    ("documents/", delivery.DocumentList, "document_list"),
    ("documents/<int:pk>/", delivery.DocumentDetail, "document_detail"),
    ("quality-reports/", delivery.QualityReportList, "quality_report_list"),
    ("quality-reports/<int:pk>/", delivery.QualityReportDetail, "quality_report_detail"),
    ("sla/", delivery.SlaFigures, "sla"),
    ("deals/won/", deals.DealWon, "deal_won"),
    ("deals/won/hubspot/", deals.HubSpotDealWon, "deal_won_hubspot"),
    ("deals/won/salesforce/", deals.SalesforceDealWon, "deal_won_salesforce"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path("tokens/", pages.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    path("docs/", login_required(docs.Reference.as_view(url_name="api:schema")), name="docs"),
    *(path(f"v1/{route}", view.as_view(), name=name) for route, view, name in v1),
]
