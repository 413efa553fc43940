from engagements.policy import clients_exportable_by

from .models import ClientDataExport


def exports_for(*, user, organization):
    """The client's exports ``user`` may see and download (those who may export its data see them all)."""
    return (
        ClientDataExport.objects.filter(organization=organization, organization__in=clients_exportable_by(user))
        .select_related("requested_by", "organization")
        .order_by("-created_at")
    )
