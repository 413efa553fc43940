"""Reads for the pages that show decisions: whether a decision has its receipt, in the page's own query."""

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from .models import Receipt


def with_receipt(queryset, kind: str):
    """``queryset`` (decision records of ``kind``) with ``has_receipt``: a subquery, so the page's query count stays."""
    receipts = Receipt.objects.filter(kind=kind, object_id=Cast(OuterRef("pk"), CharField()))
    return queryset.annotate(has_receipt=Exists(receipts))
