"""Promises (the promise ledger, ``engagements.Promise``): read. A client user sees only the promises recorded as
made to them (``PromiseQuerySet.visible_to``), as in the portal's *Our promises*."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from engagements import policy
from engagements.models import Promise

from ..serializers import person
from .base import UPDATED_SINCE, ListView, ObjectView, id_filter


class PromiseSerializer(serializers.ModelSerializer):
    owner = person()

    class Meta:
        model = Promise
        fields = [
            "id",
            "engagement",
            "source",
            "side",
            "description",
            "owner",
            "due_at",
            "status",
            "closed_at",
            "broken_at",
            "created_at",
        ]
        read_only_fields = fields


class StaffPromiseSerializer(PromiseSerializer):
    class Meta(PromiseSerializer.Meta):
        fields = [*PromiseSerializer.Meta.fields, "shown_to_client"]
        read_only_fields = fields


class PromiseMixin:
    scope_area = "promises"

    def get_queryset(self):
        return Promise.objects.visible_to(self.user).select_related("owner").order_by("pk")

    def get_serializer_class(self):
        return StaffPromiseSerializer if policy.is_staff(self.user) else PromiseSerializer


@extend_schema(parameters=[UPDATED_SINCE, id_filter("engagement")], responses=StaffPromiseSerializer(many=True))
class PromiseList(PromiseMixin, ListView):
    """What each side promised, with its owner, due time and status (``engagement=<id>`` narrows it). Promises
    keep no change time: ``updated_since`` matches those recorded, closed (kept or dropped) or broken at or after
    it."""

    id_filters = {"engagement": "engagement_id"}
    changed_at = ("created_at", "closed_at", "broken_at")


@extend_schema(responses=StaffPromiseSerializer)
class PromiseDetail(PromiseMixin, ObjectView):
    pass
