import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from attachments.services import attachment_store
from documents.models import Document, DocumentKind, DocumentVersion, VersionStatus
from engagements.tests.factories import EngagementFactory


def _attachment(version):
    upload = SimpleUploadedFile(f"manual-{version.label}.txt", b"The manual.\n", content_type="text/plain")
    return attachment_store(uploaded_file=upload, by=version.uploaded_by)


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"User manual {n}")
    kind = DocumentKind.USER_MANUAL
    description = "How the warehouse team works with the new system."
    created_by = factory.LazyAttribute(lambda document: document.engagement.csm)


class DocumentVersionFactory(DjangoModelFactory):
    """A draft version (``published=True``: delivered; the document's count of published versions follows)."""

    class Meta:
        model = DocumentVersion
        skip_postgeneration_save = True

    document = factory.SubFactory(DocumentFactory)
    label = factory.Sequence(lambda n: f"1.{n}")
    notes = "First delivery."
    uploaded_by = factory.LazyAttribute(lambda version: version.document.created_by)
    attachment = factory.LazyAttribute(_attachment)

    class Params:
        published = factory.Trait(
            status=VersionStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            published_by=factory.LazyAttribute(lambda version: version.uploaded_by),
        )

    @factory.post_generation
    def count_published(version, create, extracted, **kwargs):
        if create and version.is_published:
            Document.objects.filter(pk=version.document_id).update(
                published_versions=DocumentVersion.objects.filter(
                    document_id=version.document_id, status=VersionStatus.PUBLISHED
                ).count()
            )
