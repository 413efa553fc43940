"""Meetings and their shared minutes (read), and action items (read; PATCH the status through
``governance.services.actions.action_item_set_status``, which asks ``may_update_action_item``). A client user sees
the meetings that are not vendor-internal and only the minutes as shared (``MinutesVersion``: what was published
to them, version by version); drafts never leave governance."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from engagements import policy
from governance.models import ActionItem, ActionStatus, Meeting, MinutesVersion
from governance.permissions import may_update_action_item
from governance.services.actions import action_item_set_status

from ..serializers import person
from .base import IF_MATCH, UPDATED_SINCE, ListView, ObjectView, id_filter


class MeetingSerializer(serializers.ModelSerializer):
    owner = person()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "engagement",
            "series",
            "title",
            "starts_at",
            "ends_at",
            "status",
            "owner",
            "minutes_version",
            "minutes_published_at",
            "updated_at",
        ]
        read_only_fields = fields


class StaffMeetingSerializer(MeetingSerializer):
    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "is_internal"]
        read_only_fields = fields


class MinutesSerializer(serializers.ModelSerializer):
    published_by = person()

    class Meta:
        model = MinutesVersion
        fields = ["id", "meeting", "number", "content", "change_note", "published_at", "published_by"]
        read_only_fields = fields


class MeetingMixin:
    scope_area = "meetings"

    def get_queryset(self):
        return Meeting.objects.visible_to(self.user).select_related("owner").order_by("pk")

    def get_serializer_class(self):
        return StaffMeetingSerializer if policy.is_staff(self.user) else MeetingSerializer


@extend_schema(parameters=[UPDATED_SINCE, id_filter("engagement")], responses=StaffMeetingSerializer(many=True))
class MeetingList(MeetingMixin, ListView):
    """The governance meetings the token's user sees (``engagement=<id>`` narrows it); ``updated_since`` by each
    meeting's change time (moved, held, cancelled, minutes shared)."""

    id_filters = {"engagement": "engagement_id"}

    changed_at = ("updated_at",)


@extend_schema(responses=StaffMeetingSerializer)
class MeetingDetail(MeetingMixin, ObjectView):
    pass


@extend_schema(parameters=[UPDATED_SINCE])
class MeetingMinutes(MeetingMixin, ListView):
    """A meeting's minutes as shared with the client, version by version (the cursor's order: oldest first);
    ``updated_since`` by when each version was shared. Another client's meeting answers 404."""

    serializer_class = MinutesSerializer

    def get_serializer_class(self):
        return MinutesSerializer

    def get_queryset(self):
        meeting = ObjectView.get_object(self, super().get_queryset())
        rows = MinutesVersion.objects.visible_to(self.user).filter(meeting=meeting)
        return rows.select_related("published_by").order_by("pk")

    changed_at = ("published_at",)


class ActionItemSerializer(serializers.ModelSerializer):
    owner = person()
    completed_by = person()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "engagement",
            "meeting",
            "text",
            "owner",
            "owner_side",
            "due_on",
            "status",
            "completed_at",
            "completed_by",
            "published_at",
            "created_at",
        ]
        read_only_fields = fields


class StaffActionItemSerializer(ActionItemSerializer):
    class Meta(ActionItemSerializer.Meta):
        fields = [*ActionItemSerializer.Meta.fields, "is_internal"]
        read_only_fields = fields


class ActionItemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class ActionItemMixin:
    scope_area = "meetings"

    def get_queryset(self):
        rows = ActionItem.objects.visible_to(self.user).select_related("owner", "completed_by")
        return rows.order_by("pk")

    def get_serializer_class(self):
        return StaffActionItemSerializer if policy.is_staff(self.user) else ActionItemSerializer


@extend_schema(
    parameters=[UPDATED_SINCE, id_filter("engagement"), id_filter("meeting")],
    responses=StaffActionItemSerializer(many=True),
)
class ActionItemList(ActionItemMixin, ListView):
    """The meetings' action items the token's user sees (a client user: those shared in minutes). Action items
    keep no change time: ``updated_since`` matches those recorded, shared or completed at or after it."""

    id_filters = {"engagement": "engagement_id", "meeting": "meeting_id"}
    changed_at = ("created_at", "published_at", "completed_at")


@extend_schema(responses=StaffActionItemSerializer)
class ActionItemDetail(ActionItemMixin, ObjectView):
    @extend_schema(request=ActionItemStatusSerializer, parameters=[IF_MATCH])
    def patch(self, request, pk):
        # The rule first, as the pages ask it: who may not learns nothing, not even what the body lacks.
        if not may_update_action_item(self.user, self.get_object()):
            raise Http404
        change = ActionItemStatusSerializer(data=request.data)
        change.is_valid(raise_exception=True)

        def write(action_item):
            action_item_set_status(by=self.user, outcome=action_item, status=change.validated_data["status"])

        return self.update_with(write)
