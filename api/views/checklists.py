"""Stages and checklist items: read; assign, re-date, change status, tick (complete), untick (reopen) and comment,
each through ``checklists.services`` (which checks the access again)."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.models import User
from checklists import services
from checklists.models import ChecklistItem, ChecklistStage, ItemComment, ItemEvent

from .. import conventions, serializers
from .base import IDEMPOTENCY_KEY, IF_MATCH, UPDATED_SINCE, ListView, ObjectView, id_filter


class StageMixin:
    scope_area = "checklists"
    serializer_class = serializers.StageSerializer

    def get_queryset(self):
        return ChecklistStage.objects.visible_to(self.user).order_by("pk")


@extend_schema(parameters=[UPDATED_SINCE, id_filter("engagement")])
class StageList(StageMixin, ListView):
    """An engagement's stages (``engagement=<id>``). Stages keep no change time: ``updated_since`` matches stages
    accepted or reopened by the client at or after it."""

    id_filters = {"engagement": "engagement_id"}
    changed_at = ("accepted_at", "reopened_at")


class StageDetail(StageMixin, ObjectView):
    pass


class ItemMixin:
    scope_area = "checklists"
    serializer_class = serializers.ItemSerializer

    def get_queryset(self):
        rows = ChecklistItem.objects.visible_to(self.user).select_related("stage", "assignee", "completed_by")
        return rows.order_by("pk")


@extend_schema(parameters=[UPDATED_SINCE, id_filter("engagement"), id_filter("stage")])
class ItemList(ItemMixin, ListView):
    """Checklist items (filter by ``engagement`` or ``stage``). ``updated_since``: created, or changed in any way
    the item's history records (status, assignee, due date, comments) at or after it."""

    id_filters = {"engagement": "stage__engagement_id", "stage": "stage_id"}

    def since(self, queryset, when):
        changed = ItemEvent.objects.filter(item=OuterRef("pk"), at__gte=when)
        return queryset.filter(Q(created_at__gte=when) | Q(Exists(changed)))


class ItemDetail(ItemMixin, ObjectView):
    @extend_schema(request=serializers.ItemChangeSerializer, parameters=[IF_MATCH])
    def patch(self, request, pk):
        change = serializers.ItemChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        fields = dict(change.validated_data)
        if "assignee" in fields and fields["assignee"] is not None:
            # Who may be assigned is the service's rule (the engagement's people); an unknown id is its error too.
            fields["assignee"] = User.objects.filter(pk=fields["assignee"]).first() or User(pk=0)

        def write(item):
            services.item_update(by=self.user, item=item, **fields)

        return self.update_with(write)


class ItemAction(ItemMixin, ObjectView):
    http_method_names = ["post", "options"]

    def post(self, request, pk):
        return conventions.idempotent(request, lambda: self.act(request))

    def act(self, request):
        item = self.get_object()
        self.perform(item, request)
        return self.represent(self.get_object())


@extend_schema(request=serializers.ItemCompleteSerializer, parameters=[IDEMPOTENCY_KEY])
class ItemComplete(ItemAction):
    """Tick the item (done), with an evidence link where it needs one."""

    def perform(self, item, request):
        data = serializers.ItemCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.item_complete(by=self.user, item=item, evidence_link=data.validated_data.get("evidence_link", ""))


@extend_schema(request=None, parameters=[IDEMPOTENCY_KEY])
class ItemReopen(ItemAction):
    """Untick the item (open again)."""

    def perform(self, item, request):
        services.item_reopen(by=self.user, item=item)


class ItemComments(ItemMixin, ListView):
    """An item's comments (a client user never sees the team's internal ones); POST adds one."""

    serializer_class = serializers.CommentSerializer

    def item(self):
        return get_object_or_404(
            ChecklistItem.objects.visible_to(self.user).select_related("stage"), pk=self.kwargs["pk"]
        )

    def get_queryset(self):
        return ItemComment.objects.visible_to(self.user).filter(item=self.item()).select_related("author")

    @extend_schema(parameters=[UPDATED_SINCE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    changed_at = ("created_at",)

    @extend_schema(
        request=serializers.CommentCreateSerializer,
        responses={201: serializers.CommentSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        return conventions.idempotent(request, lambda: self.add(request))

    def add(self, request):
        data = serializers.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.item_comment_add(by=self.user, item=self.item(), **data.validated_data)
        return Response(serializers.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
