"""Delivered documents: versions delivered to the client, the key user's acknowledgement (once per version), the
reminder N working days later (exactly once), who sees what, and pages whose query counts do not grow."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Document, DocumentAcknowledgement, DocumentVersion
from documents.tests.factories import DocumentFactory, DocumentVersionFactory
from engagements.working_days import working_days_later
from notifications.models import Notification, Reminder, ReminderStatus
from notifications.services import reminder_sweep

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")


def _upload(name="manual.txt"):
    return SimpleUploadedFile(name, b"How to pick an order.\n", content_type="text/plain")


@pytest.fixture
def document(engagement, uploads):
    return services.document_create(by=engagement.csm, engagement=engagement, title="User manual", kind="user_manual")


def _deliver(document, label, *, now=None):
    version = services.version_add(by=document.engagement.pm, document=document, label=label, upload=_upload())
    return services.version_publish(by=document.engagement.pm, version=version, now=now)


def test_a_draft_version_is_the_vendors_until_delivered(document, client_key_user):
    version = services.version_add(by=document.engagement.pm, document=document, label="1.0", upload=_upload())
    assert not Document.objects.visible_to(client_key_user).exists()
    assert not DocumentVersion.objects.visible_to(client_key_user).exists()
    services.version_publish(by=document.engagement.pm, version=version)
    assert DocumentVersion.objects.visible_to(client_key_user).get() == version


def test_version_labels_are_unique_per_document_and_said_so(document):
    _deliver(document, "1.0")
    with pytest.raises(ValidationError) as caught:
        services.version_add(by=document.engagement.pm, document=document, label="1.0", upload=_upload())
    assert "already has a version 1.0" in caught.value.message_dict["label"][0]
    with pytest.raises(ValidationError) as caught:
        services.version_add(by=document.engagement.pm, document=document, label="2.0", upload=None)
    assert "Choose the file" in caught.value.message_dict["upload"][0]
    assert document.versions.count() == 1


def test_only_the_engagements_managers_deliver(document, team_member, client_key_user):
    with pytest.raises(PermissionDenied):
        services.version_add(by=team_member, document=document, label="1.0", upload=_upload())
    with pytest.raises(PermissionDenied):
        services.document_create(by=client_key_user, engagement=document.engagement, title="x", kind="other")


def test_delivery_tells_the_client_and_schedules_the_reminder(document, client_key_user, client_member):
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("UTC"))
    version = _deliver(document, "1.0", now=friday)
    told = set(Notification.objects.filter(category="documents").values_list("recipient_id", flat=True))
    assert told == {client_key_user.pk, client_member.pk}
    reminder = Reminder.objects.get(key=services.ack_reminder_key(version.pk))
    # Three working days after Friday in the key user's zone: Wednesday, same local time.
    assert reminder.due_at == working_days_later(friday, 3, client_key_user.zone)
    assert reminder.due_at.astimezone(client_key_user.zone).weekday() == 2


def test_the_key_user_acknowledges_once_however_often_they_click(document, client_key_user):
    version = _deliver(document, "1.0")
    first, created = services.version_acknowledge(by=client_key_user, version=version)
    again, created_again = services.version_acknowledge(by=client_key_user, version=version)
    assert created and not created_again and first == again
    assert DocumentAcknowledgement.objects.count() == 1
    assert Reminder.objects.get(key=services.ack_reminder_key(version.pk)).status == ReminderStatus.CANCELLED


def test_only_the_key_user_acknowledges(document, client_member, other_client_user, csm):
    version = _deliver(document, "1.0")
    for person in (client_member, other_client_user, csm):
        with pytest.raises(PermissionDenied):
            services.version_acknowledge(by=person, version=version)
    assert not DocumentAcknowledgement.objects.exists()


def test_a_new_version_supersedes_the_earlier_for_acknowledgement(document, client_key_user):
    first = _deliver(document, "1.0")
    second = _deliver(document, "1.1")
    assert Reminder.objects.get(key=services.ack_reminder_key(first.pk)).status == ReminderStatus.CANCELLED
    with pytest.raises(ValidationError, match="Version 1.1 was delivered since"):
        services.version_acknowledge(by=client_key_user, version=first)
    services.version_acknowledge(by=client_key_user, version=second)
    assert DocumentVersion.objects.visible_to(client_key_user).count() == 2  # the earlier stays listed


def _reminders_sent():
    return Notification.objects.filter(event__startswith="documents.acknowledgement_due")


def test_the_reminder_reaches_the_key_user_exactly_once(document, client_key_user):
    published = timezone.now() - timedelta(days=10)
    version = _deliver(document, "1.0", now=published)
    reminder_sweep(now=timezone.now())
    reminder_sweep(now=timezone.now() + timedelta(days=2))
    assert set(_reminders_sent().values_list("recipient_id", "channel")) == {
        (client_key_user.pk, "email"),
        (client_key_user.pk, "in_app"),
    }
    assert _reminders_sent().count() == 2
    reminder = Reminder.objects.get(key=services.ack_reminder_key(version.pk))
    assert reminder.status == ReminderStatus.DONE and reminder.fired_count == 1


def test_no_reminder_once_acknowledged_or_superseded(document, client_key_user):
    published = timezone.now() - timedelta(days=10)
    acknowledged = _deliver(document, "1.0", now=published)
    services.version_acknowledge(by=client_key_user, version=acknowledged)
    other = DocumentFactory(engagement=document.engagement)
    superseded = _deliver(other, "1.0", now=published)
    _deliver(other, "2.0")
    # Even a reminder row left pending (a race with the sweep) fires nothing for these versions.
    Reminder.objects.filter(key__in=[services.ack_reminder_key(v.pk) for v in (acknowledged, superseded)]).update(
        status=ReminderStatus.PENDING
    )
    reminder_sweep(now=timezone.now())
    assert not _reminders_sent().exists()


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_key_user_downloads_and_acknowledges_and_staff_see_it(client, document, client_key_user, csm):
    version = _deliver(document, "1.0")
    client.force_login(client_key_user)
    page = client.get(reverse("portal:document", args=[document.pk])).text
    assert 'data-testid="acknowledge-1.0"' in page
    download = client.get(reverse("portal:document_download", args=[version.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    client.post(reverse("portal:document_acknowledge", args=[version.pk]))
    client.post(reverse("portal:document_acknowledge", args=[version.pk]))
    assert DocumentAcknowledgement.objects.count() == 1
    client.force_login(csm)
    staff_page = client.get(reverse("documents:document", args=[document.pk])).text
    assert "acknowledged by Kasia Key" in staff_page


def test_staff_see_what_is_still_waiting(client, document, client_key_user, csm):
    _deliver(document, "1.0")
    client.force_login(csm)
    page = client.get(reverse("documents:engagement_documents", args=[document.engagement_id])).text
    assert "waiting for Kasia Key" in page


def test_another_clients_documents_answer_404(client, other_engagement, client_key_user, uploads):
    other = DocumentFactory(engagement=other_engagement)
    version = DocumentVersionFactory(document=other, published=True)
    client.force_login(client_key_user)
    assert client.get(reverse("portal:document", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:document_download", args=[version.pk])).status_code == 404
    assert client.post(reverse("portal:document_acknowledge", args=[version.pk])).status_code == 404
    assert other.title not in client.get(reverse("portal:documents")).text
    assert not DocumentAcknowledgement.objects.exists()


def test_a_draft_version_answers_404_to_the_client(client, document, client_key_user):
    _deliver(document, "1.0")
    draft = DocumentVersionFactory(document=document, label="2.0-draft")
    client.force_login(client_key_user)
    assert client.get(reverse("portal:document_download", args=[draft.pk])).status_code == 404
    assert client.post(reverse("portal:document_acknowledge", args=[draft.pk])).status_code == 404
    assert "2.0-draft" not in client.get(reverse("portal:document", args=[document.pk])).text


def _documents(engagement, n):
    for _ in range(n):
        document = DocumentFactory(engagement=engagement)
        first = DocumentVersionFactory(document=document, published=True)
        DocumentVersionFactory(document=document, published=True)
        DocumentVersionFactory(document=document)
        DocumentAcknowledgement.objects.create(version=first, user=engagement.client.users.first())


@pytest.mark.parametrize(
    ("persona", "url_name", "target"),
    [
        ("client_key_user", "portal:documents", None),
        ("client_key_user", "portal:document", "document"),
        ("csm", "documents:engagement_documents", "engagement"),
        ("csm", "documents:document", "document"),
    ],
)
def test_document_pages_run_the_same_queries_at_two_sizes(
    request, client, page_queries, engagement, client_key_user, uploads, persona, url_name, target
):
    client.force_login(request.getfixturevalue(persona))
    _documents(engagement, 1)
    first = Document.objects.get()

    def url():
        if target == "engagement":
            return reverse(url_name, args=[engagement.pk])
        if target == "document":
            return reverse(url_name, args=[first.pk])
        return reverse(url_name)

    small = page_queries(client, url())
    _documents(engagement, 5)
    for i in range(4):
        DocumentVersionFactory(document=first, published=True, label=f"9.{i}")
    assert page_queries(client, url()) == small


def test_the_reminder_skips_the_teams_public_holidays(settings, document, client_key_user):
    """The same working days as governance's: 11 November (Independence Day) is no working day in Poland."""
    client_key_user.time_zone = "Europe/Warsaw"
    client_key_user.save(update_fields=["time_zone"])
    friday = datetime(2026, 11, 6, 9, 0, tzinfo=WARSAW)
    settings.HOLIDAY_COUNTRY = "PL"
    polish = _deliver(document, "1.0", now=friday)
    settings.HOLIDAY_COUNTRY = ""
    weekends_only = _deliver(document, "2.0", now=friday)
    due = {v.label: Reminder.objects.get(key=services.ack_reminder_key(v.pk)).due_at for v in (polish, weekends_only)}
    # Monday 9, Tuesday 10, (Wednesday 11 off), Thursday 12, at the time of the delivery.
    assert due["1.0"] == datetime(2026, 11, 12, 9, 0, tzinfo=WARSAW)
    assert due["2.0"] == datetime(2026, 11, 11, 9, 0, tzinfo=WARSAW)
