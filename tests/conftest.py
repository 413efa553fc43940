import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services as account_services
from accounts.models import Role


@pytest.fixture
def world(
    vendor_admin,
    executive,
    director,
    csm,
    other_csm,
    pm,
    deputy_pm,
    team_member,
    client_key_user,
    client_member,
    other_client_user,
    engagement,
    other_engagement,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    """One of everything, for the persona's own client and for another client.

    Apps that add object URLs add their objects here, as ``key`` and ``other_key``.
    """
    personas = {
        "anonymous": None,
        "vendor_admin": vendor_admin,
        "executive": executive,
        "director": director,
        "csm": csm,
        "other_csm": other_csm,
        "pm": pm,
        "deputy_pm": deputy_pm,
        "team_member": team_member,
        "client_key_user": client_key_user,
        "client_member": client_member,
        "other_client_user": other_client_user,
    }
    with django_capture_on_commit_callbacks(execute=False):
        invitation = account_services.invitation_create(
            by=csm,
            organization=engagement.client,
            email="new@acme.example",
            full_name="New Person",
            role=Role.CLIENT_MEMBER,
        )
        other_invitation = account_services.invitation_create(
            by=other_csm,
            organization=other_engagement.client,
            email="new@globex.example",
            full_name="Other Person",
            role=Role.CLIENT_MEMBER,
        )
        email_change = account_services.email_change_request(user=client_member, new_email="ivan.new@acme.example")
    engagement_objects = _engagement_world(engagement, "own", client_key_user, settings, tmp_path)
    other_engagement_objects = _engagement_world(other_engagement, "other", other_client_user, settings, tmp_path)
    from governance.services.feeds import feed_token
    from governance.tests.factories import CalendarFeedFactory
    from notifications.tests.factories import NotificationFactory

    notification = NotificationFactory(recipient=client_key_user, in_app=True)
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tests.factories import StaffAbsenceFactory

    later = timezone.localdate() + timedelta(days=20)
    absence = StaffAbsenceFactory(user=pm, starts_on=later, ends_on=later + timedelta(days=4))
    other_absence = StaffAbsenceFactory(user=other_csm, starts_on=later, ends_on=later + timedelta(days=4))
    other_notification = NotificationFactory(recipient=other_client_user, in_app=True)
    from accounts.tests.factories import UserFactory

    # Members a key user may deactivate (not the personas: the matrix signs them in after the key user's turn).
    member = UserFactory(client_member=True, organization=engagement.client, full_name="Mira Member")
    webhook_objects = _webhook_world(engagement, csm)
    other_webhook_objects = _webhook_world(other_engagement, other_csm)
    from api import tokens as api_tokens

    def api_token(user):
        return api_tokens.token_create(by=user, name="Script", scopes=["engagements:read"]).token

    other_member = UserFactory(client_member=True, organization=other_engagement.client, full_name="Otto Member")
    return {
        **engagement_objects,
        **{f"other_{key}": value for key, value in other_engagement_objects.items()},
        **webhook_objects,
        **{f"other_{key}": value for key, value in other_webhook_objects.items()},
        "personas": personas,
        "notification": notification,
        "absence": absence,
        "other_absence": other_absence,
        "other_notification": other_notification,
        "member": member,
        "other_member": other_member,
        "api_token": api_token(client_key_user),
        "other_api_token": api_token(other_client_user),
        "engagement": engagement,
        "other_engagement": other_engagement,
        "invitation": invitation,
        "other_invitation": other_invitation,
        "token": account_services.invitation_token(invitation),
        "email_change_token": account_services.email_change_token(email_change),
        "feed_token": feed_token(engagement_objects["feed"]),
        "personal_feed_token": feed_token(CalendarFeedFactory(owner=pm, engagement=None)),
    }


def _client_export(engagement):
    """A built data export of the engagement's client, ready to download."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from client_data.models import ClientDataExport, ExportStatus

    export = ClientDataExport(
        organization=engagement.client,
        requested_by=engagement.csm,
        status=ExportStatus.READY,
        expires_at=timezone.now() + timedelta(days=1),
    )
    export.file.save(f"{export.pk.hex}.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    export.save()
    return export


def _webhook_world(engagement, owner):
    """A client's webhook endpoint (made by its CSM) with one delivery."""
    from webhooks.models import Delivery, Event
    from webhooks.tests.factories import EndpointFactory

    endpoint = EndpointFactory(organization=engagement.client, created_by=owner)
    event = Event.objects.create(type="engagement.created", organization=engagement.client)
    return {"webhook_endpoint": endpoint, "webhook_delivery": Delivery.objects.create(event=event, endpoint=endpoint)}


def _engagement_world(engagement, label, key_user, settings, tmp_path):
    """Objects inside an engagement for the URL matrix (issue 3): a stage needing acceptance, a
    client-side item, a done item with an evidence file, an promise, a satisfaction question."""
    from attachments.services import attachment_store
    from checklists.tests.factories import (
        ChecklistItemFactory,
        ChecklistStageFactory,
        ItemDependencyFactory,
        SatisfactionScoreFactory,
        StageActualFactory,
    )
    from engagements.tests.factories import (
        ClientProfileFactory,
        IntegrationFactory,
        MilestoneFactory,
        PromiseFactory,
        ResourceLinkFactory,
        StakeholderFactory,
    )

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title=f"Scope ({label})")
    item = ChecklistItemFactory(stage=stage, client_side=True, title=f"Grant access ({label})")
    evidence = attachment_store(
        uploaded_file=SimpleUploadedFile("evidence.txt", b"signed\n", content_type="text/plain"), by=engagement.csm
    )
    done_item = ChecklistItemFactory(stage=stage, client_side=True, done=True, evidence_file=evidence)
    flag, step, flag_attachment = _escalation_world(engagement, label, key_user, evidence)
    return {
        **_governance_world(engagement, key_user),
        **_delivery_world(engagement, label, evidence),
        "flag": flag,
        "step": step,
        "flag_attachment": flag_attachment,
        # The engagement's CSM is also the client's CSM (``ClientProfile.csm``): that, not the engagement, is what
        # lets them edit the client (issue 7, hole 3).
        "client_profile": ClientProfileFactory(organization=engagement.client, csm=engagement.csm),
        "client_export": _client_export(engagement),
        "client_organization": engagement.client,
        "stage": stage,
        "item": item,
        "done_item": done_item,
        "dependency": ItemDependencyFactory(predecessor=done_item, successor=item),
        "promise": PromiseFactory(engagement=engagement),
        # A promise made to the client (the portal and the API show it to the client's people; ``promise`` not).
        "client_promise": PromiseFactory(engagement=engagement, shown_to_client=True),
        "milestone": MilestoneFactory(engagement=engagement, early_win=True),
        "stakeholder": StakeholderFactory(engagement=engagement),
        "integration": IntegrationFactory(engagement=engagement),
        "resource_link": ResourceLinkFactory(engagement=engagement),
        "stage_actual": StageActualFactory(stage=stage),
        "satisfaction": SatisfactionScoreFactory(engagement=engagement),
        "receipt": _receipt_world(engagement, key_user),
    }


def _receipt_world(engagement, key_user):
    """The signed receipt of the key user's acceptance of the work plan (issue 20)."""
    from checklists.receipts import acceptance_receipt
    from checklists.tests.factories import StageAcceptanceFactory
    from receipts.models import Receipt

    acceptance = StageAcceptanceFactory(engagement=engagement, decided_by=key_user, snapshot={"stages": []})
    acceptance_receipt(acceptance, context=None)
    return Receipt.objects.get(kind="checklists.acceptance", object_id=str(acceptance.pk))


def _governance_world(engagement, key_user):
    """A client meeting of a weekly series, held, with a prepared agenda and minutes shared (so the client sees
    its client-side action item), an attendee, a participant, and the key user's calendar feed."""
    from django.utils import timezone

    from governance.models import MeetingAttendee, MinutesVersion
    from governance.tests.factories import (
        AgendaItemFactory,
        CalendarFeedFactory,
        MeetingFactory,
        MeetingSeriesFactory,
        OutcomeFactory,
        SeriesParticipantFactory,
    )

    series = MeetingSeriesFactory(engagement=engagement)
    meeting = MeetingFactory(
        series=series, past=True, status="held", minutes_version=1, agenda_prepared_at=timezone.now()
    )
    MinutesVersion.objects.create(meeting=meeting, number=1, content={"sections": []}, published_by=engagement.pm)
    item = AgendaItemFactory(meeting=meeting)
    return {
        "series": series,
        "participant": SeriesParticipantFactory(series=series, user=engagement.pm),
        "meeting": meeting,
        "agenda_item": item,
        "outcome": OutcomeFactory(agenda_item=item, client_action=True, shared=True),
        "attendee": MeetingAttendee.objects.create(meeting=meeting, name="Guest", side="client"),
        "feed": CalendarFeedFactory(owner=key_user, engagement=engagement),
    }


def _escalation_world(engagement, label, key_user, attachment):
    """A red flag the key user raised, with a client-side action-plan step and an attachment."""
    from datetime import timedelta

    from django.utils import timezone

    from escalations import services as escalation_services
    from escalations.models import FlagAttachment, StepSide

    flag = escalation_services.flag_raise(
        engagement=engagement,
        by=key_user,
        title=f"Orders lost ({label})",
        description="No order reached the warehouse today.",
        category="quality",
        severity="high",
    )
    step = escalation_services.step_add(
        flag=flag,
        by=engagement.pm,
        title="Send the list of lost orders",
        owner_side=StepSide.CLIENT,
        owner=key_user,
        due_on=timezone.localdate() + timedelta(days=2),
        risk="Orders stay lost",
    )
    raised = flag.events.get(kind="raised")
    return flag, step, FlagAttachment.objects.create(flag=flag, event=raised, attachment=attachment, added_by=key_user)


def _delivery_world(engagement, label, attachment):
    """Quality reports (a published one with an attachment, a draft) and a delivered document with a published
    version and a draft one."""
    from documents.tests.factories import DocumentFactory, DocumentVersionFactory
    from quality.tests.factories import QualityReportFactory

    document = DocumentFactory(engagement=engagement, title=f"User manual ({label})")
    return {
        "quality_report": QualityReportFactory(engagement=engagement, published=True, attachment=attachment),
        "draft_report": QualityReportFactory(engagement=engagement),
        "document": document,
        "document_version": DocumentVersionFactory(
            document=document, label="1.0", published=True, attachment=attachment
        ),
        "draft_version": DocumentVersionFactory(document=document, label="1.1", attachment=attachment),
    }
