"""Users, clients, engagements and stakeholders: reads through the policy's querysets."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from checklists.selectors import with_progress
from engagements import health, policy
from engagements.models import ClientProfile, Engagement, Stakeholder

from .. import serializers
from .base import UPDATED_SINCE, ApiView, ListView, ObjectView, id_filter


class Me(ApiView):
    scope_area = "users"
    serializer_class = serializers.MeSerializer

    def get(self, request):
        return Response(self.get_serializer(request.user).data)


class ClientMixin:
    scope_area = "clients"
    serializer_class = serializers.ClientSerializer

    def get_queryset(self):
        return policy.clients_seen_by(self.user).order_by("pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "profiles": getattr(self, "_profiles", {})}

    def load_profiles(self, organizations):
        rows = ClientProfile.objects.visible_to(self.user).filter(organization__in=organizations)
        self._profiles = {profile.organization_id: profile for profile in rows.select_related("csm")}


@extend_schema(parameters=[UPDATED_SINCE])
class ClientList(ClientMixin, ListView):
    """Clients the token's user sees (a client user: their own organization). ``updated_since``: created or
    profile changed at or after (organizations have no other updated time)."""

    changed_at = ("created_at", "client_profile__updated_at")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.load_profiles([row.pk for row in page])
        return page


class ClientDetail(ClientMixin, ObjectView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.load_profiles([obj.pk])
        return obj


class EngagementMixin:
    scope_area = "engagements"

    def get_queryset(self):
        today = timezone.localdate()
        rows = Engagement.objects.visible_to(self.user).select_related("csm", "pm", "deputy_pm", "account_executive")
        rows = with_progress(rows, today=today)
        if policy.is_staff(self.user):
            rows = health.with_health(rows, today=today)
        return rows.order_by("pk")

    def get_serializer_class(self):
        return serializers.StaffEngagementSerializer if policy.is_staff(self.user) else serializers.EngagementSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "health": self.health_of}

    @staticmethod
    def health_of(engagement):
        # The annotations ``with_health`` added, read through the registry's own thresholds: as the pages do.
        values = {name: getattr(engagement, name) for name in health.value_names()}
        return health.engagement_health(**values).value, health.health_reasons(**values)


@extend_schema(
    parameters=[UPDATED_SINCE, id_filter("client")], responses=serializers.StaffEngagementSerializer(many=True)
)
class EngagementList(EngagementMixin, ListView):
    """Engagements the token's user sees, with phase, progress and (for staff) health and its reasons."""

    id_filters = {"client": "client_id"}
    changed_at = ("updated_at",)


@extend_schema(responses=serializers.StaffEngagementSerializer)
class EngagementDetail(EngagementMixin, ObjectView):
    pass


class StakeholderMixin:
    scope_area = "stakeholders"

    def get_queryset(self):
        return Stakeholder.objects.visible_to(self.user).order_by("pk")

    def get_serializer_class(self):
        if policy.is_staff(self.user):
            return serializers.StaffStakeholderSerializer
        return serializers.StakeholderSerializer


@extend_schema(parameters=[id_filter("engagement")], responses=serializers.StaffStakeholderSerializer(many=True))
class StakeholderList(StakeholderMixin, ListView):
    """The stakeholder map (a client user reads names, roles and contact details only). No ``updated_since``:
    stakeholder rows keep no change time; filter by ``engagement``."""

    id_filters = {"engagement": "engagement_id"}


@extend_schema(responses=serializers.StaffStakeholderSerializer)
class StakeholderDetail(StakeholderMixin, ObjectView):
    pass
