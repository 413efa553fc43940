"""What the vendor delivers, read: documents with their versions, quality reports, and the SLA figures of red flags.

Each goes through the selectors the pages use (``documents.selectors.document_detail``,
``quality.selectors.report_detail``, ``escalations.selectors.sla_figures``), so a client user reads only delivered
versions and published reports of their own organization, as in the portal.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from documents.models import Document, DocumentVersion
from documents.selectors import document_detail
from engagements import policy
from engagements.models import Engagement
from escalations import sla
from escalations.selectors import sla_figures
from quality.models import FIGURES, QualityReport
from quality.selectors import report_detail

from ..serializers import person
from .base import UPDATED_SINCE, ApiView, ListView, ObjectView, id_filter, id_param

# --- Documents ---------------------------------------------------------------------------------------------------


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["id", "label", "notes", "status", "uploaded_at", "published_at"]
        read_only_fields = fields


class StaffDocumentVersionSerializer(DocumentVersionSerializer):
    uploaded_by = person()
    published_by = person()
    acknowledged_by = serializers.SerializerMethodField()

    class Meta(DocumentVersionSerializer.Meta):
        fields = [*DocumentVersionSerializer.Meta.fields, "uploaded_by", "published_by", "acknowledged_by"]
        read_only_fields = fields

    def get_acknowledged_by(self, version) -> list[int]:
        return [ack.user_id for ack in version.acknowledgements.all()]


class DocumentSerializer(serializers.ModelSerializer):
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "engagement", "title", "kind", "description", "created_at", "versions"]
        read_only_fields = fields

    def version_serializer(self):
        staff = policy.is_staff(self.context["request"].user)
        return StaffDocumentVersionSerializer if staff else DocumentVersionSerializer

    def get_versions(self, document) -> list[dict]:
        # ``shown_versions``: the versions the viewer may see (a client: delivered ones), newest first.
        return self.version_serializer()(document.shown_versions, many=True, context=self.context).data


class DocumentMixin:
    scope_area = "documents"
    serializer_class = DocumentSerializer

    def get_queryset(self):
        return document_detail(user=self.user).order_by("pk")


@extend_schema(parameters=[UPDATED_SINCE, id_filter("engagement")])
class DocumentList(DocumentMixin, ListView):
    """Documents delivered on the engagements the token's user sees, with their versions (a client user: delivered
    versions only). ``updated_since``: created, or a version uploaded or delivered, at or after it."""

    id_filters = {"engagement": "engagement_id"}

    def since(self, queryset, when):
        changed = DocumentVersion.objects.filter(document=OuterRef("pk")).filter(
            Q(uploaded_at__gte=when) | Q(published_at__gte=when)
        )
        return queryset.filter(Q(created_at__gte=when) | Exists(changed))


class DocumentDetail(DocumentMixin, ObjectView):
    pass


# --- Quality reports ---------------------------------------------------------------------------------------------


class QualityReportSerializer(serializers.ModelSerializer):
    open_defects = serializers.IntegerField(read_only=True)

    class Meta:
        model = QualityReport
        fields = ["id", "engagement", *FIGURES, "open_defects", "status", "published_at", "updated_at"]
        read_only_fields = fields


class QualityReportMixin:
    scope_area = "documents"
    serializer_class = QualityReportSerializer

    def get_queryset(self):
        return report_detail(user=self.user).order_by("pk")


@extend_schema(parameters=[UPDATED_SINCE, id_filter("engagement")])
class QualityReportList(QualityReportMixin, ListView):
    """Quality reports of the engagements the token's user sees (a client user: published ones only)."""

    id_filters = {"engagement": "engagement_id"}

    changed_at = ("updated_at",)


class QualityReportDetail(QualityReportMixin, ObjectView):
    pass


# --- SLA figures -------------------------------------------------------------------------------------------------


def _hours(value):
    return None if value is None else round(value.total_seconds() / 3600, 2)


class FiguresSerializer(serializers.Serializer):
    flags = serializers.IntegerField()
    responses_decided = serializers.IntegerField()
    responses_within = serializers.IntegerField()
    response_share = serializers.FloatField(allow_null=True, help_text="Percent of decided responses within target.")
    mean_response_hours = serializers.SerializerMethodField()
    resolutions_decided = serializers.IntegerField()
    resolutions_within = serializers.IntegerField()
    resolution_share = serializers.FloatField(allow_null=True)
    mean_resolution_hours = serializers.SerializerMethodField()
    paused_hours = serializers.SerializerMethodField()

    def get_mean_response_hours(self, figures) -> float | None:
        return _hours(figures.mean_response)

    def get_mean_resolution_hours(self, figures) -> float | None:
        return _hours(figures.mean_resolution)

    def get_paused_hours(self, figures) -> float:
        return _hours(figures.paused)


class SlaRowSerializer(serializers.Serializer):
    scope_id = serializers.IntegerField(allow_null=True)
    scope_name = serializers.CharField()
    month = serializers.DateField()
    severity = serializers.CharField()
    figures = FiguresSerializer()


class SlaReportSerializer(serializers.Serializer):
    scope = serializers.CharField()
    total = FiguresSerializer()
    by_severity = serializers.DictField(child=FiguresSerializer())
    rows = SlaRowSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "scope",
            str,
            enum=list(sla.SCOPES),
            description="overall (default), per client or per engagement; a client user reads per engagement.",
        ),
        id_filter("engagement"),
    ],
    responses=SlaReportSerializer,
)
class SlaFigures(ApiView):
    """The SLA figures of the red flags the token's user sees (as on the SLA page), by month and severity: responses
    and resolutions within target, their means in business hours, time paused."""

    scope_area = "red_flags"
    serializer_class = SlaReportSerializer

    def get(self, request):
        scope = request.query_params.get("scope", "overall" if policy.is_staff(self.user) else "engagement")
        if scope not in sla.SCOPES:
            raise exceptions.ValidationError({"scope": [_("Choose overall, client or engagement.")]})
        if not policy.is_staff(self.user):
            scope = "engagement"  # the portal's SLA page: per engagement
        engagement = None
        if (engagement_id := id_param(request, "engagement")) is not None:
            engagement = Engagement.objects.visible_to(self.user).filter(pk=engagement_id).first()
            if engagement is None:
                raise exceptions.NotFound()
        report = sla_figures(user=self.user, engagement=engagement, scope=scope)
        return Response(self.get_serializer(report).data)
