"""Red flags and their timeline. A client reads their flags' course, never the team's internal notes or timers."""

from rest_framework import serializers

from escalations.models import FlagCategory, FlagEvent, RedFlag, Severity

from .serializers import person


class RedFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedFlag
        fields = [
            "id",
            "engagement",
            "title",
            "description",
            "category",
            "severity",
            "status",
            "level",
            "raised_at",
            "ack_due_at",
            "resolve_due_at",
            "paused_at",
            "resolved_at",
            "resolution",
            "closed_at",
            "updated_at",
        ]


class StaffRedFlagSerializer(RedFlagSerializer):
    owner = person()

    class Meta(RedFlagSerializer.Meta):
        fields = [
            *RedFlagSerializer.Meta.fields,
            "owner",
            "level_acknowledged_at",
            "first_response_at",
            "last_update_at",
            "update_due_at",
            "next_due_at",
        ]


class FlagEventSerializer(serializers.ModelSerializer):
    actor = person()

    class Meta:
        model = FlagEvent
        fields = ["id", "kind", "actor", "at", "body", "level", "is_internal"]


class FlagRaiseSerializer(serializers.Serializer):
    engagement = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000)
    category = serializers.ChoiceField(choices=FlagCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)


class FlagUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000, required=False, default="", allow_blank=True)
    internal = serializers.BooleanField(default=False, help_text="A note the client never sees.")


class FlagPauseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class FlagResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=10000, required=False, default="", allow_blank=True)
