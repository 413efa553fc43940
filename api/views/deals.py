"""``POST /api/v1/deals/won/``: a CRM's won deal in the generic shape (a service-account token with
``deals:write``). Every payload is kept redacted whatever the answer (``api.crm.receipt_keep``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.models import User
from engagements import currencies

from .. import crm, crm_signatures
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
    closed_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day the deal was won: the contract signature date.",
    )
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


class SignedDealWon(DealWon):
    """A CRM's own outbound call, signed by it instead of carrying a token; it acts as the staff user its setting
    names. Only the POST is the CRM's; another method is answered as any API path."""

    signature_header = ""  # The header that carries the CRM's signature.
    user_setting = ""  # The setting naming (by email) the staff user the CRM's calls act as.

    def signature_valid(self, request) -> bool:
        raise NotImplementedError

    def get_authenticators(self):
        signed = getattr(self.request, "method", None) == "POST"  # No request while the schema is generated.
        return [] if signed else super().get_authenticators()

    def get_authenticate_header(self, request):
        return self.signature_header if request.method == "POST" else super().get_authenticate_header(request)

    def get_permissions(self):
        return [] if getattr(self.request, "method", None) == "POST" else super().get_permissions()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.acting = None
        if request.method != "POST":
            return
        valid = self.signature_valid(request)
        self.acting = User.objects.filter(email__iexact=getattr(settings, self.user_setting), is_active=True).first()
        if not valid or self.acting is None:
            if not request.headers.get(self.signature_header) and not request.headers.get("Authorization"):
                raise exceptions.NotAuthenticated()  # 401, as to a request without a token
            # 404 as to an outsider: a wrongly signed caller (or another API token) learns nothing of the path.
            raise exceptions.NotFound(self.refused)

    @property
    def user(self):
        return self.acting if self.request.method == "POST" else self.request.user


class HubSpotDealWon(SignedDealWon):
    """A HubSpot workflow's "Send a webhook" action (signed v3) with the deal's properties: ``objectId``,
    ``properties`` (``dealname``, ``amount``, ``deal_currency_code``, ``owner_email``), ``company`` (``id``,
    ``name``) and optional ``promises``. It acts as the staff user ``CRM_HUBSPOT_USER`` names (an email)."""

    source = "hubspot"
    signature_header = "X-HubSpot-Signature-v3"
    user_setting = "CRM_HUBSPOT_USER"

    @property
    def refused(self):
        return _("The HubSpot signature is missing, wrong or stale.")

    def signature_valid(self, request) -> bool:
        return crm_signatures.hubspot_valid(
            secret=settings.CRM_HUBSPOT_SECRET,
            method=request.method,
            uri=request.build_absolute_uri(),
            body=request.body,
            timestamp=request.headers.get("X-HubSpot-Request-Timestamp", ""),
            signature=request.headers.get(self.signature_header, ""),
            now=timezone.now(),
        )

    def deal_from(self, request) -> dict:
        raw = request.data if isinstance(request.data, dict) else {}
        props = raw.get("properties") or {}
        return {
            "deal_id": str(raw.get("objectId", "")),
            "name": props.get("dealname", ""),
            "account": raw.get("company") or {},
            "owner_email": props.get("owner_email", ""),
            "amount": props.get("amount"),
            "currency": props.get("deal_currency_code", ""),
            "promises": raw.get("promises") or [],
        }


class SalesforceDealWon(SignedDealWon):
    """A Salesforce Flow (or Apex) HTTP callout when an Opportunity turns Closed Won, signed with the shared secret
    ``CRM_SALESFORCE_SECRET`` (``api.crm_signatures``): the Opportunity's ``Id``, ``Name``, ``StageName`` (must be
    ``Closed Won``, or ``IsWon`` true), ``Amount``, ``CurrencyIsoCode``, ``CloseDate``, ``Owner`` (``Email``),
    ``Account`` (``Id``, ``Name``) and optional ``promises``. It acts as the staff user ``CRM_SALESFORCE_USER``
    names (an email)."""

    source = "salesforce"
    signature_header = "X-Salesforce-Signature"
    user_setting = "CRM_SALESFORCE_USER"

    @property
    def refused(self):
        return _("The Salesforce signature is missing, wrong or stale.")

    def signature_valid(self, request) -> bool:
        return crm_signatures.salesforce_valid(
            secret=settings.CRM_SALESFORCE_SECRET,
            body=request.body,
            timestamp=request.headers.get("X-Salesforce-Timestamp", ""),
            signature=request.headers.get(self.signature_header, ""),
            now=timezone.now(),
        )

    def deal_from(self, request) -> dict:
        raw = request.data if isinstance(request.data, dict) else {}
        if raw.get("IsWon") is not True and raw.get("StageName") != "Closed Won":
            raise exceptions.ValidationError({"StageName": [_("Only a Closed Won opportunity opens an engagement.")]})
        owner = raw.get("Owner") if isinstance(raw.get("Owner"), dict) else {}
        account = raw.get("Account") if isinstance(raw.get("Account"), dict) else {}
        return {
            "deal_id": str(raw.get("Id", "")),
            "name": raw.get("Name", ""),
            "account": {"id": account.get("Id", ""), "name": account.get("Name", "")},
            "owner_email": owner.get("Email", ""),
            "amount": raw.get("Amount"),
            "currency": raw.get("CurrencyIsoCode") or "",
            "closed_on": raw.get("CloseDate"),
            "promises": raw.get("promises") or [],
        }
