"""Decisions that cannot be faked (issue 20): every client decision writes a signed receipt in its own transaction
(who, when, how signed in, from where, the digest of what was decided on); the receipt page is its people's and the
engagement's staff's; the public verification page tells a valid receipt, a forged one and changed content apart."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checklists import services as checklist_services
from checklists.models import Decision, StageAcceptance
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents import services as document_services
from documents.tests.factories import DocumentFactory, DocumentVersionFactory
from escalations import services as escalation_services
from escalations.tests.factories import raise_flag
from governance.models import MinutesVersion
from governance.services import minutes
from governance.tests.factories import MeetingFactory, MeetingSeriesFactory
from receipts import services
from receipts.context import DecisionContext
from receipts.models import Receipt

pytestmark = pytest.mark.django_db

SIGNED_IN = DecisionContext(authenticated_by=("password", "mfa"), address="203.0.113.7")


@pytest.fixture
def stage(engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Scope")
    ChecklistItemFactory(stage=stage, title="Agree the scope", done=True)
    return stage


def _accept(stage, key_user, **kw):
    return checklist_services.acceptance_decide(
        by=key_user, engagement=stage.engagement, stage=stage, decision=Decision.ACCEPTED, context=SIGNED_IN, **kw
    )


def test_a_stage_acceptance_records_who_when_how_where_and_the_digest(stage, client_key_user):
    acceptance = _accept(stage, client_key_user)
    receipt = Receipt.objects.get()
    assert (receipt.kind, receipt.decision) == ("checklists.acceptance", "accepted")
    assert receipt.object_id == str(acceptance.pk)
    assert receipt.decided_by == client_key_user and receipt.decided_at == acceptance.decided_at
    assert receipt.authenticated_by == "password,mfa" and receipt.address == "203.0.113.7"
    assert receipt.body["content_sha256"] == receipt.digest == services.current_digest(receipt.kind, receipt.object_id)
    assert "Scope" in receipt.subject
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.VALID


def test_work_plan_decisions_and_rejections_get_receipts_too(stage, client_key_user):
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=stage.engagement, decision=Decision.REJECTED, reason="Dates are wrong."
    )
    checklist_services.acceptance_decide(by=client_key_user, engagement=stage.engagement, decision=Decision.ACCEPTED)
    receipts = list(Receipt.objects.order_by("decided_at", "object_id"))
    assert [receipt.decision for receipt in receipts] == ["rejected", "accepted"]
    # Without a request (the demo, a script): a password sign-in, no address.
    assert receipts[0].authenticated_by == "password" and receipts[0].address is None
    assert all(services.receipt_verify(services.receipt_json(r)).outcome == services.VALID for r in receipts)


def test_a_refused_decision_records_no_receipt(stage, client_key_user, client_member):
    ChecklistItemFactory(stage=stage, title="Still open")
    with pytest.raises(ValidationError):
        _accept(stage, client_key_user)
    with pytest.raises(PermissionDenied):
        _accept(stage, client_member)
    assert not Receipt.objects.exists() and not StageAcceptance.objects.exists()


def test_a_decision_whose_receipt_fails_is_not_recorded(stage, client_key_user, monkeypatch):
    # One transaction: when writing the receipt fails, the decision is rolled back with it.
    def broken_sign(data):
        raise RuntimeError("no key")

    monkeypatch.setattr("receipts.signing.sign", broken_sign)
    with pytest.raises(RuntimeError):
        _accept(stage, client_key_user)
    stage.refresh_from_db()
    assert not StageAcceptance.objects.exists() and stage.accepted_at is None and not Receipt.objects.exists()


def test_the_digest_of_a_stage_is_stable_and_follows_its_content(stage, client_key_user):
    acceptance = _accept(stage, client_key_user)
    receipt = Receipt.objects.get()
    # Reordering the keys of the stored JSON changes nothing; changing an item does.
    snapshot = acceptance.snapshot
    StageAcceptance.objects.filter(pk=acceptance.pk).update(snapshot=dict(reversed(list(snapshot.items()))))
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.VALID
    snapshot["stages"][0]["items"][0]["title"] = "Agree a smaller scope"
    StageAcceptance.objects.filter(pk=acceptance.pk).update(snapshot=snapshot)
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.CONTENT_CHANGED
    StageAcceptance.objects.filter(pk=acceptance.pk).delete()
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.CONTENT_GONE


def test_a_tampered_receipt_fails_its_signature(stage, client_key_user):
    _accept(stage, client_key_user)
    document = json.loads(services.receipt_json(Receipt.objects.get()))
    document["receipt"]["decision"] = "rejected"
    assert services.receipt_verify(json.dumps(document)).outcome == services.SIGNATURE_INVALID
    document = json.loads(services.receipt_json(Receipt.objects.get()))
    document["signature"]["value"] = document["signature"]["value"][::-1]
    assert services.receipt_verify(json.dumps(document)).outcome == services.SIGNATURE_INVALID
    for junk in ("", "not json", "[]", '{"receipt": {}, "signature": {}}', "x" * 40000):
        assert services.receipt_verify(junk).outcome == services.MALFORMED


def test_acknowledging_a_document_digests_its_bytes(engagement, client_key_user, uploads):
    document = DocumentFactory(engagement=engagement, title="User manual")
    version = DocumentVersionFactory(document=document, label="1.0", published=True)
    acknowledgement, _created = document_services.version_acknowledge(
        by=client_key_user, version=version, context=SIGNED_IN
    )
    document_services.version_acknowledge(by=client_key_user, version=version, context=SIGNED_IN)
    receipt = Receipt.objects.get()
    assert (receipt.kind, receipt.object_id) == ("documents.acknowledgement", str(acknowledgement.pk))
    assert receipt.digest == "f2a00b444197e817a19dc88c96786d494d98180d81c0ff4a78470d585d3c7f7a"  # b"The manual.\n"
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.VALID
    with open(version.attachment.file.path, "wb") as handle:
        handle.write(b"Another manual.\n")
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.CONTENT_CHANGED


def test_acknowledging_minutes_digests_the_shared_version(engagement, client_key_user):
    series = MeetingSeriesFactory(engagement=engagement)
    meeting = MeetingFactory(series=series, past=True, minutes_version=1)
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=1,
        content={"sections": [{"title": "Progress", "minutes": "Done."}]},
        published_by=engagement.pm,
    )
    acknowledgement = minutes.minutes_acknowledge(by=client_key_user, version=version, context=SIGNED_IN)
    minutes.minutes_acknowledge(by=client_key_user, version=version, context=SIGNED_IN)
    receipt = Receipt.objects.get()
    assert (receipt.kind, receipt.object_id) == ("governance.minutes_acknowledgement", str(acknowledgement.pk))
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.VALID
    MinutesVersion.objects.filter(pk=version.pk).update(content={"sections": [{"title": "Progress", "minutes": "No."}]})
    assert services.receipt_verify(services.receipt_json(receipt)).outcome == services.CONTENT_CHANGED


def test_the_clients_answers_to_a_resolution_get_receipts_and_the_teams_do_not(engagement, client_key_user):
    pm = engagement.pm
    flag = raise_flag(engagement, client_key_user)
    now = timezone.now()
    escalation_services.flag_resolve(flag=flag, by=pm, resolution="Job restarted.", now=now)
    escalation_services.flag_reopen(flag=flag, by=client_key_user, reason="Still lost.", now=now, context=SIGNED_IN)
    escalation_services.flag_resolve(flag=flag, by=pm, resolution="Queue fixed.", now=now + timedelta(minutes=1))
    escalation_services.flag_reopen(flag=flag, by=pm, reason="Found more.", now=now + timedelta(minutes=2))
    escalation_services.flag_resolve(flag=flag, by=pm, resolution="All fixed.", now=now + timedelta(minutes=3))
    escalation_services.flag_confirm(flag=flag, by=client_key_user, now=now + timedelta(minutes=4), context=SIGNED_IN)
    receipts = list(Receipt.objects.order_by("decided_at"))
    assert [receipt.decision for receipt in receipts] == ["reopened", "confirmed"]
    assert all(services.receipt_verify(services.receipt_json(r)).outcome == services.VALID for r in receipts)
    resolved = flag.events.filter(kind="resolved").order_by("-pk").first()
    resolved.body = "Nothing was fixed."
    resolved.save()
    assert services.receipt_verify(services.receipt_json(receipts[1])).outcome == services.CONTENT_CHANGED
    assert services.receipt_verify(services.receipt_json(receipts[0])).outcome == services.VALID


def test_the_receipt_page_is_its_clients_and_its_teams(stage, client_key_user, client_member, csm, other_client_user):
    _accept(stage, client_key_user)
    receipt = Receipt.objects.get()
    for person in (client_key_user, client_member, csm):
        client = Client()
        client.force_login(person)
        page = client.get(reverse("receipts:receipt", args=[receipt.pk]))
        assert page.status_code == 200 and "Valid, content unchanged" in page.content.decode()
        download = client.get(reverse("receipts:download", args=[receipt.pk]))
        assert download["Content-Disposition"].startswith("attachment")
        assert json.loads(download.content)["receipt"]["receipt_id"] == str(receipt.pk)
        link = client.get(reverse("receipts:receipt_for", args=["checklists.acceptance", receipt.object_id]))
        assert link.status_code == 302 and link["Location"] == reverse("receipts:receipt", args=[receipt.pk])
    outsider = Client()
    outsider.force_login(other_client_user)
    for url in (
        reverse("receipts:receipt", args=[receipt.pk]),
        reverse("receipts:download", args=[receipt.pk]),
        reverse("receipts:receipt_for", args=["checklists.acceptance", receipt.object_id]),
    ):
        assert outsider.get(url).status_code == 404
    assert Client().get(reverse("receipts:receipt", args=[receipt.pk])).status_code == 302  # to the login


def test_the_public_page_verifies_signed_out_and_says_only_what_the_receipt_says(stage, client_key_user):
    _accept(stage, client_key_user)
    receipt = Receipt.objects.get()
    text = services.receipt_json(receipt)
    client = Client()
    assert client.get(reverse("receipts:verify")).status_code == 200
    page = client.post(reverse("receipts:verify"), {"text": text}).content.decode()
    assert "Valid, content unchanged" in page and "Scope" in page
    upload = SimpleUploadedFile("receipt.json", text.encode(), content_type="application/json")
    assert "Valid, content unchanged" in client.post(reverse("receipts:verify"), {"file": upload}).content.decode()
    forged = text.replace('"accepted"', '"rejected"')
    page = client.post(reverse("receipts:verify"), {"text": forged}).content.decode()
    # A forged receipt's words are not shown as ours (the pasted text stays in its box).
    assert "Signature invalid" in page and 'data-testid="receipt-fields"' not in page
    page = client.post(reverse("receipts:verify"), {"text": ""}).content.decode()
    assert "Paste a receipt or choose its file" in page
    acceptance = StageAcceptance.objects.get()
    acceptance.snapshot["stages"][0]["title"] = "Scope, smaller"
    acceptance.save()
    page = client.post(reverse("receipts:verify"), {"text": text}).content.decode()
    assert "Content changed since the decision (mismatch)" in page


def test_the_public_page_is_rate_limited_per_address(settings):
    settings.RECEIPT_VERIFY_PER_IP = 2
    client = Client(REMOTE_ADDR="198.51.100.4")
    from django.core.cache import cache

    cache.clear()
    assert [client.post(reverse("receipts:verify"), {"text": "{}"}).status_code for _ in range(3)] == [200, 200, 429]
    assert Client(REMOTE_ADDR="198.51.100.5").post(reverse("receipts:verify"), {"text": "{}"}).status_code == 200


def test_the_readmes_recipe_verifies_a_receipt_outside_the_portal(stage, client_key_user):
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from receipts import signing

    _accept(stage, client_key_user)
    document = json.loads(services.receipt_json(Receipt.objects.get()))
    public = next(key for key in signing.published_keys() if key["key_id"] == document["signature"]["key_id"])
    data = json.dumps(document["receipt"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public["public_key"]))
    key.verify(base64.b64decode(document["signature"]["value"]), data)
    document["receipt"]["decision"] = "rejected"
    forged = json.dumps(document["receipt"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    with pytest.raises(InvalidSignature):
        key.verify(base64.b64decode(document["signature"]["value"]), forged)


def test_the_pages_that_show_a_decision_link_to_its_receipt(stage, client_key_user, engagement, uploads):
    _accept(stage, client_key_user)
    document = DocumentFactory(engagement=engagement, title="User manual")
    version = DocumentVersionFactory(document=document, label="1.0", published=True)
    document_services.version_acknowledge(by=client_key_user, version=version)
    meeting = MeetingFactory(series=MeetingSeriesFactory(engagement=engagement), past=True, minutes_version=1)
    minutes_version = MinutesVersion.objects.create(
        meeting=meeting, number=1, content={"sections": []}, published_by=engagement.pm
    )
    minutes.minutes_acknowledge(by=client_key_user, version=minutes_version)
    flag = raise_flag(engagement, client_key_user)
    escalation_services.flag_resolve(flag=flag, by=engagement.pm, resolution="Job restarted.")
    escalation_services.flag_confirm(flag=flag, by=client_key_user)
    client = Client()
    client.force_login(client_key_user)
    for url, kind in (
        (reverse("portal:engagement", args=[engagement.pk]), "checklists.acceptance"),
        (reverse("portal:document", args=[document.pk]), "documents.acknowledgement"),
        (reverse("portal:meeting", args=[meeting.pk]), "governance.minutes_acknowledgement"),
        (reverse("portal:flag", args=[flag.pk]), "escalations.resolution_answer"),
    ):
        receipt = Receipt.objects.get(kind=kind)
        link = reverse("receipts:receipt_for", args=[kind, receipt.object_id])
        assert link in client.get(url).content.decode(), url
        assert client.get(link, follow=True).status_code == 200


def _page_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_decisions_list_and_the_receipt_page_cost_the_same_however_many_receipts(stage, client_key_user):
    engagement = stage.engagement
    client = Client()
    client.force_login(client_key_user)
    page = reverse("portal:engagement", args=[engagement.pk])

    def decide(times):
        for _ in range(times):
            checklist_services.acceptance_decide(
                by=client_key_user, engagement=engagement, decision=Decision.REJECTED, reason="Dates are wrong."
            )
            checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)

    decide(1)
    _page_queries(client, page)  # warm the per-person caches
    few, receipt_few = (
        _page_queries(client, page),
        _page_queries(client, reverse("receipts:receipt", args=[Receipt.objects.first().pk])),
    )
    decide(4)
    _page_queries(client, page)
    many, receipt_many = (
        _page_queries(client, page),
        _page_queries(client, reverse("receipts:receipt", args=[Receipt.objects.first().pk])),
    )
    assert Receipt.objects.count() == 10
    assert (few, receipt_few) == (many, receipt_many)
