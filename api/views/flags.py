"""Red flags: read with their timeline; raise for a client, acknowledge, post an update, pause, resume and resolve,
each through ``escalations.services`` (which asks ``escalations.permissions`` again)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status

from engagements import policy
from engagements.models import Engagement
from escalations import services
from escalations.models import FlagEvent, RedFlag

from .. import conventions
from .. import serializers_flags as serializers
from .base import IDEMPOTENCY_KEY, UPDATED_SINCE, ListView, ObjectView, id_filter


class FlagMixin:
    scope_area = "red_flags"

    def get_queryset(self):
        return RedFlag.objects.visible_to(self.user).select_related("owner").order_by("pk")

    def get_serializer_class(self):
        return serializers.StaffRedFlagSerializer if policy.is_staff(self.user) else serializers.RedFlagSerializer


@extend_schema(parameters=[UPDATED_SINCE, id_filter("engagement")])
class FlagList(FlagMixin, ListView):
    """Red flags the token's user sees; POST raises one (a client on their engagement, the team on its behalf)."""

    id_filters = {"engagement": "engagement_id"}

    changed_at = ("updated_at",)

    @extend_schema(
        request=serializers.FlagRaiseSerializer,
        responses={201: serializers.StaffRedFlagSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        return conventions.idempotent(request, lambda: self.raise_flag(request))

    def raise_flag(self, request):
        data = serializers.FlagRaiseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        engagement = get_object_or_404(Engagement.objects.visible_to(self.user), pk=fields.pop("engagement"))
        flag = services.flag_raise(engagement=engagement, by=self.user, **fields)
        response = self.represent(self.get_queryset().get(pk=flag.pk))
        response.status_code = status.HTTP_201_CREATED
        response["Location"] = f"/api/v1/red-flags/{flag.pk}/"
        return response


class FlagDetail(FlagMixin, ObjectView):
    pass


class FlagTimeline(FlagMixin, ListView):
    """The flag's course, oldest first (a client never sees the team's internal notes)."""

    serializer_class = serializers.FlagEventSerializer

    def get_serializer_class(self):
        return serializers.FlagEventSerializer

    def get_queryset(self):
        flag = get_object_or_404(RedFlag.objects.visible_to(self.user), pk=self.kwargs["pk"])
        return FlagEvent.objects.visible_to(self.user).filter(flag=flag).select_related("actor")

    @extend_schema(parameters=[UPDATED_SINCE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    changed_at = ("at",)


class FlagAction(FlagMixin, ObjectView):
    http_method_names = ["post", "options"]
    body = None

    def post(self, request, pk):
        return conventions.idempotent(request, lambda: self.act(request))

    def act(self, request):
        flag = self.get_object()
        fields = {}
        if self.body is not None:
            data = self.body(data=request.data)
            data.is_valid(raise_exception=True)
            fields = data.validated_data
        self.perform(flag, **fields)
        return self.represent(self.get_object())


@extend_schema(request=None, parameters=[IDEMPOTENCY_KEY])
class FlagAcknowledge(FlagAction):
    def perform(self, flag):
        services.flag_acknowledge(flag=flag, by=self.user)


@extend_schema(request=serializers.FlagUpdateSerializer, parameters=[IDEMPOTENCY_KEY])
class FlagPostUpdate(FlagAction):
    """An update the client reads (it restarts the update timer), or with ``internal`` a note for the team."""

    body = serializers.FlagUpdateSerializer

    def perform(self, flag, **fields):
        services.flag_post_update(flag=flag, by=self.user, **fields)


@extend_schema(request=serializers.FlagPauseSerializer, parameters=[IDEMPOTENCY_KEY])
class FlagPause(FlagAction):
    """Wait on the client: the timers stop; ``reason`` says what the client is asked for."""

    body = serializers.FlagPauseSerializer

    def perform(self, flag, **fields):
        services.flag_pause(flag=flag, by=self.user, **fields)


@extend_schema(request=None, parameters=[IDEMPOTENCY_KEY])
class FlagResume(FlagAction):
    def perform(self, flag):
        services.flag_resume(flag=flag, by=self.user)


@extend_schema(request=serializers.FlagResolveSerializer, parameters=[IDEMPOTENCY_KEY])
class FlagResolve(FlagAction):
    body = serializers.FlagResolveSerializer

    def perform(self, flag, **fields):
        services.flag_resolve(flag=flag, by=self.user, **fields)
