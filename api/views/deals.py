"""``POST /api/v1/deals/won/``: a CRM's won deal in the generic shape (a service-account token with
``deals:write``). Every payload is kept redacted whatever the answer (``api.crm.receipt_keep``)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from engagements import currencies

from .. import crm
from ..errors import problem
from ..serializers import StaffEngagementSerializer
from .base import ApiView
from .resources import EngagementMixin


class PromisedItemSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    due_at = serializers.DateTimeField()


class AccountSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="The CRM's account id.")
    name = serializers.CharField(max_length=200)


class DealSerializer(serializers.Serializer):
    deal_id = serializers.CharField(max_length=100, help_text="The CRM's deal id: the same id twice opens nothing new.")
    name = serializers.CharField(max_length=200, help_text="The engagement's name.")
    account = AccountSerializer()
    owner_email = serializers.EmailField(help_text="The deal's owner: one of our staff, the account executive.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.ChoiceField(choices=currencies.CURRENCY_CHOICES)
    promises = PromisedItemSerializer(many=True, required=False, default=list)


class DealWonAnswer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["created", "unchanged", "updated"])
    engagement = StaffEngagementSerializer()


class DealWon(EngagementMixin, ApiView):
    # The engagement is answered as the engagements API shows it; the token needs ``deals:write`` only.
    scope_area = "deals"
    source = "generic"

    def deal_from(self, request) -> dict:
        """The request's deal in the generic shape (an adapter maps its CRM's own)."""
        return request.data

    @extend_schema(request=DealSerializer, responses={200: DealWonAnswer, 201: DealWonAnswer})
    def post(self, request):
        raw = request.data if isinstance(request.data, dict | list) else None
        try:
            data = DealSerializer(data=self.deal_from(request))
            data.is_valid(raise_exception=True)
            deal = data.validated_data
            with transaction.atomic():
                engagement, outcome = crm.deal_won(by=self.user, source=self.source, deal=deal)
        except crm.DealRefused:
            detail = _("The engagement has passed its handoff: a changed deal can no longer update it.")
            crm.receipt_keep(source=self.source, payload=raw, status=409, deal_id=_deal_id(raw), outcome=detail)
            return problem(409, detail, kind="deal-after-kickoff")
        except (exceptions.ValidationError, DjangoValidationError, PermissionDenied) as error:
            crm.receipt_keep(source=self.source, payload=raw, status=400, deal_id=_deal_id(raw), outcome=str(error))
            raise
        crm.receipt_keep(
            source=self.source,
            payload=raw,
            status=201 if outcome == "created" else 200,
            deal_id=deal["deal_id"],
            outcome=outcome,
        )
        shown = self.get_queryset().get(pk=engagement.pk)
        body = {"outcome": outcome, "engagement": self.get_serializer(shown).data}
        return Response(body, status=201 if outcome == "created" else 200)


def _deal_id(raw) -> str:
    return str(raw.get("deal_id", "")) if isinstance(raw, dict) else ""
