"""Representations of the resources. Writes never go through a serializer's ``save``: views call the apps' services.

People are named by ``{id, name}``; times are ISO 8601 in UTC (the views run in UTC).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.calendar_range import validate_calendar_range
from accounts.models import Organization, User
from checklists.models import ChecklistItem, ChecklistStage, ItemComment
from engagements.models import ClientProfile, Engagement, Stakeholder, StakeholderQuerySet


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


def person(**kwargs):
    return PersonSerializer(read_only=True, allow_null=True, **kwargs)


class MeSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    scopes = serializers.SerializerMethodField()
    token_expires_at = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "job_title",
            "time_zone",
            "language",
            "organization",
            "scopes",
            "token_expires_at",
        ]

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
    def get_organization(self, user) -> dict:
        return {"id": user.organization_id, "name": user.organization.name, "kind": user.organization.kind}

    def get_scopes(self, user) -> list[str]:
        return list(self.context["request"].auth.scopes)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_token_expires_at(self, user):
        expires = self.context["request"].auth.expires_at
        return serializers.DateTimeField().to_representation(expires) if expires else None


class ClientProfileSerializer(serializers.ModelSerializer):
    csm = person()

    class Meta:
        model = ClientProfile
        fields = ["industry", "language", "csm", "contract_signed_on", "contract_term_months", "updated_at"]


class ClientSerializer(serializers.ModelSerializer):
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "created_at", "profile"]

    @extend_schema_field(ClientProfileSerializer(allow_null=True))
    def get_profile(self, organization):
        # Vendor staff only: the profile holds the commercial and internal records (``ClientProfile.visible_to``).
        profile = self.context["profiles"].get(organization.pk)
        return ClientProfileSerializer(profile).data if profile is not None else None


class HealthReasonSerializer(serializers.Serializer):
    signal = serializers.CharField()
    text = serializers.CharField()
    level = serializers.CharField()


class HealthSerializer(serializers.Serializer):
    level = serializers.CharField()
    reasons = HealthReasonSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    items_total = serializers.IntegerField()
    items_done = serializers.IntegerField()
    percent = serializers.IntegerField()


class EngagementSerializer(serializers.ModelSerializer):
    csm = person()
    pm = person()
    deputy_pm = person()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id",
            "client",
            "name",
            "phase",
            "csm",
            "pm",
            "deputy_pm",
            "contract_signed_on",
            "kickoff_on",
            "target_go_live_on",
            "closed_at",
            "created_at",
            "updated_at",
            "progress",
        ]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, engagement) -> dict:
        total, done = engagement.items_total or 0, engagement.items_done or 0
        return {"items_total": total, "items_done": done, "percent": round(100 * done / total) if total else 0}


class StaffEngagementSerializer(EngagementSerializer):
    """What the team reads beyond the client: the budget, the account executive and the health with its reasons."""

    account_executive = person()
    health = serializers.SerializerMethodField()

    class Meta(EngagementSerializer.Meta):
        fields = [
            *EngagementSerializer.Meta.fields,
            "description",
            "account_executive",
            "planned_effort_days",
            "planned_amount",
            "currency",
            "closed_reason",
            "health",
        ]

    @extend_schema_field(HealthSerializer)
    def get_health(self, engagement) -> dict:
        level, reasons = self.context["health"](engagement)
        return {"level": level, "reasons": [vars(reason) for reason in reasons]}


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistStage
        fields = [
            "id",
            "engagement",
            "title",
            "description",
            "position",
            "acceptance_required",
            "accepted_at",
            "reopened_at",
            "reopened_reason",
        ]


class ItemSerializer(serializers.ModelSerializer):
    engagement = serializers.IntegerField(source="stage.engagement_id", read_only=True)
    assignee = person()
    completed_by = person()

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "engagement",
            "stage",
            "title",
            "guidance",
            "owner_side",
            "assignee",
            "due_on",
            "status",
            "position",
            "evidence_required",
            "evidence_link",
            "completed_at",
            "completed_by",
            "created_at",
        ]


class ItemChangeSerializer(serializers.Serializer):
    """PATCH an item: assign it, move its due date, change its status (``done`` through ``complete``)."""

    assignee = serializers.IntegerField(allow_null=True, required=False, help_text="A user id, or null.")
    due_on = serializers.DateField(allow_null=True, required=False, validators=[validate_calendar_range])
    status = serializers.ChoiceField(choices=["open", "in_progress", "blocked", "not_applicable"], required=False)


class ItemCompleteSerializer(serializers.Serializer):
    evidence_link = serializers.URLField(required=False, allow_blank=True, max_length=500)


class CommentSerializer(serializers.ModelSerializer):
    author = person()

    class Meta:
        model = ItemComment
        fields = ["id", "item", "author", "body", "is_internal", "created_at"]


class CommentCreateSerializer(serializers.Serializer):
    # Not required here: the service says "write a comment first", after it has checked who asks.
    body = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    is_internal = serializers.BooleanField(default=False, help_text="Team only; ignored for client users.")


class StakeholderSerializer(serializers.ModelSerializer):
    """What the client reads of their own people: the fields their queryset loads for them (the policy's own list)."""

    user = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Stakeholder
        fields = ["id", *StakeholderQuerySet.client_visible_fields]


class StaffStakeholderSerializer(StakeholderSerializer):
    class Meta(StakeholderSerializer.Meta):
        fields = [*StakeholderSerializer.Meta.fields, "involvement", "influence", "cares_about"]
