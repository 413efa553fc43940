"""The base of every resource: token scopes, UTC times, the token user's language, rate-limit headers, ETags."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, generics, mixins
from rest_framework.response import Response

from .. import conventions

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only rows changed at or after this time (ISO 8601 with its offset).",
)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, description="The ETag read; a changed object answers 412."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, description="A retry with the same key gets the first answer."
)


def id_filter(name):
    return OpenApiParameter(name, int, description=f"Only rows of this {name} (its id).")


def id_param(request, name) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise exceptions.ValidationError({name: [_("Give a numeric id.")]})
    return int(value)


class ApiView(generics.GenericAPIView):
    scope_area: str = ""

    def dispatch(self, request, *args, **kwargs):
        # Times go out in UTC whoever asks; messages in the token user's language once they are known (``initial``).
        with timezone.override(datetime.UTC), translation.override(translation.get_language()):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user is not None and request.user.language:
            translation.activate(request.user.language)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request._request, "api_rate_limit", {}).items():
            response[name] = value
        # Client data, like a signed-in page: no shared cache keeps it (``accounts.middleware.PrivatePagesMiddleware``).
        patch_cache_control(response, private=True, no_store=True)
        return response

    @property
    def user(self):
        return self.request.user

    def represent(self, obj) -> Response:
        """``obj`` as this view shows it, with its ``ETag`` (304 to a GET whose ``If-None-Match`` names it)."""
        data = self.get_serializer(obj).data
        etag = conventions.etag_of(data)
        if self.request.method == "GET" and self.request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})


class ListView(mixins.ListModelMixin, ApiView):
    """A cursor-paginated list of what the user sees. ``id_filters`` maps a query parameter to the lookup it narrows
    by (``{"engagement": "engagement_id"}``); ``changed_at`` names the rows' change times, any of them at or after
    ``updated_since`` matching (a list whose rows keep none has no ``updated_since``, and says so); a list whose
    change is not in its own columns overrides ``since(queryset, when)``."""

    id_filters: dict[str, str] = {}
    changed_at: tuple[str, ...] = ()

    def filter_rows(self, queryset):
        for name, lookup in self.id_filters.items():
            if (value := id_param(self.request, name)) is not None:
                queryset = queryset.filter(**{lookup: value})
        return queryset

    def since(self, queryset, when):
        if not self.changed_at:
            raise exceptions.ValidationError({"updated_since": [_("This list keeps no change times.")]})
        changed = Q()
        for field in self.changed_at:
            changed |= Q(**{f"{field}__gte": when})
        return queryset.filter(changed)

    def get(self, request, *args, **kwargs):
        queryset = self.filter_rows(self.get_queryset())
        when = conventions.updated_since(request)
        if when is not None:
            queryset = self.since(queryset, when)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ObjectView(ApiView):
    """One object the user sees (another client's answers 404), with its ``ETag``."""

    def get_object(self, queryset=None):
        return get_object_or_404(queryset if queryset is not None else self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return self.represent(self.get_object())

    def locked_for_update(self):
        """The object, row-locked for the rest of the transaction, once ``If-Match`` holds for it (412 if not)."""
        obj = self.get_object(self.get_queryset().select_for_update(of=("self",)))
        conventions.check_if_match(self.request, conventions.etag_of(self.get_serializer(obj).data))
        return obj

    def update_with(self, write):
        """PATCH: ``write(obj)`` through the app's service under ``If-Match``, then the new representation."""
        with transaction.atomic():
            obj = self.locked_for_update()
            write(obj)
        return self.represent(self.get_object())
