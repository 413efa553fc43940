"""Reading delivered documents: the engagement's documents for staff (every version and who acknowledged it), and
the client's documents in the portal (published versions only)."""

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from checklists.task_sources import ClientTask
from engagements import policy
from receipts.selectors import with_receipt

from .models import Document, DocumentAcknowledgement, DocumentVersion
from .receipts import KIND as RECEIPT_KIND


def _documents(user, *, engagement=None):
    versions = (
        DocumentVersion.objects.for_viewer(user)
        .select_related("attachment", "uploaded_by", "published_by")
        .prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=with_receipt(DocumentAcknowledgement.objects.select_related("user"), RECEIPT_KIND),
            )
        )
        .order_by("-published_at", "-uploaded_at", "-pk")
    )
    documents = (
        Document.objects.visible_to(user)
        .select_related("engagement")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="shown_versions"))
    )
    if engagement is not None:
        documents = documents.filter(engagement=engagement)
    return documents


def _mark_current(documents):
    """Each document's ``current``: its latest published version, the one waiting for acknowledgement."""
    for document in documents:
        published = [v for v in document.shown_versions if v.is_published]
        document.current = published[0] if published else None
    return documents


def document_detail(*, user):
    """The queryset a document page fetches its document from (``object_for_user_or_404``)."""
    return _documents(user)


def documents_for_engagement(*, user, engagement) -> list[Document]:
    """The engagement's documents with every version (drafts included) and their acknowledgements, for staff."""
    documents = _mark_current(list(_documents(user, engagement=engagement).order_by("title", "pk")))
    key_user = policy.key_user_of(engagement)
    for document in documents:
        document.key_user = key_user
    return documents


def client_documents(*, user) -> list[Document]:
    """The documents delivered to the client user's organization, with their published versions."""
    return _mark_current(list(_documents(user).order_by("engagement__name", "title", "pk")))


def with_current(document: Document) -> Document:
    return _mark_current([document])[0]


def version_for_download(*, user):
    """The versions ``user`` may download: the client's people only published ones (a draft is a 404)."""
    return DocumentVersion.objects.visible_to(user).select_related("attachment", "document")


def client_documents_to_acknowledge(*, user, today) -> list:
    """The delivered versions ``user`` is asked to acknowledge (``checklists.task_sources``): each document's latest
    delivered version on the engagements they decide on (``services.version_acknowledge``), not yet acknowledged by
    them; one query."""
    newer = DocumentVersion.objects.published().filter(
        document=OuterRef("document"), published_at__gt=OuterRef("published_at")
    )
    versions = (
        DocumentVersion.objects.visible_to(user)
        .published()
        .filter(document__engagement__in=policy.engagements_decided_by(user))
        .exclude(Exists(newer))
        .exclude(Exists(DocumentAcknowledgement.objects.filter(version=OuterRef("pk"), user=user)))
        .select_related("document__engagement")
        .order_by("published_at", "pk")
    )
    return [
        ClientTask(
            title=_("Acknowledge receipt of “%(title)s”, version %(label)s")
            % {"title": version.document.title, "label": version.label},
            project=version.document.engagement.name,
            url=reverse("portal:document", args=[version.document_id]),
            source=_("Delivered document"),
            engagement_id=version.document.engagement_id,
        )
        for version in versions
    ]
