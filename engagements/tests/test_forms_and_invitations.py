"""Forms and messages, and stakeholders, invitations and accounts as one thing (issue 10)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, Role
from engagements import services
from engagements.models import Engagement, Phase, Promise, Stakeholder
from engagements.tests.factories import ClientProfileFactory, HandoffFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


# --- The new-engagement form ------------------------------------------------------------------------------------


def test_the_form_offers_only_the_clients_and_people_that_fit(client, csm, pm, deputy_pm, client_org, other_client_org):
    ClientProfileFactory(organization=client_org, csm=csm, contract_signed_on=date(2026, 5, 4))
    client.force_login(csm)
    body = client.get(reverse("engagements:create") + f"?client={client_org.pk}").content.decode()
    client_select = body.split('name="client"')[1].split("</select>")[0]
    assert client_org.name in client_select and other_client_org.name not in client_select
    assert 'data-contract-signed-on="2026-05-04"' in client_select
    # The contract date comes from the client's profile.
    assert 'name="contract_signed_on" value="2026-05-04"' in body
    pm_select = body.split('name="pm"')[1].split("</select>")[0]
    assert pm.full_name in pm_select and csm.full_name not in pm_select
    csm_select = body.split('name="csm"')[1].split("</select>")[0]
    assert csm.full_name in csm_select and pm.full_name not in csm_select
    currency = body.split('name="currency"')[1].split("</select>")[0]
    assert '<option value="EUR" selected>EUR</option>' in currency and ">CHF<" in currency and ">ZZZ<" not in currency


def _post(client, client_org, csm, **overrides):
    data = {
        "client": client_org.pk,
        "name": "Data migration",
        "csm": csm.pk,
        "currency": "EUR",
        **overrides,
    }
    return client.post(reverse("engagements:create"), data)


def test_a_pm_who_is_also_the_deputy_is_refused_next_to_the_field(client, csm, pm, client_org):
    ClientProfileFactory(organization=client_org, csm=csm)
    client.force_login(csm)
    body = _post(client, client_org, csm, pm=pm.pk, deputy_pm=pm.pk).content.decode()
    assert "The deputy PM must be someone other than the PM." in body and 'value="Data migration"' in body
    assert not Engagement.objects.filter(name="Data migration").exists()


def test_a_kickoff_before_the_contract_is_refused(client, csm, client_org):
    ClientProfileFactory(organization=client_org, csm=csm)
    client.force_login(csm)
    body = _post(client, client_org, csm, contract_signed_on="2026-05-04", kickoff_on="2026-05-01").content.decode()
    assert "The kickoff cannot come before the contract signature." in body
    assert not Engagement.objects.filter(name="Data migration").exists()


def test_an_unknown_currency_is_refused(client, csm, client_org):
    ClientProfileFactory(organization=client_org, csm=csm)
    client.force_login(csm)
    body = _post(client, client_org, csm, currency="EURO").content.decode()
    assert "Select a valid choice" in body
    assert not Engagement.objects.filter(name="Data migration").exists()


def test_the_contract_date_defaults_to_the_clients(csm, client_org):
    ClientProfileFactory(organization=client_org, csm=csm, contract_signed_on=date(2026, 5, 4))
    engagement = services.engagement_create(by=csm, client=client_org, name="X", csm=csm)
    assert engagement.contract_signed_on == date(2026, 5, 4)


# --- Moving the phase -------------------------------------------------------------------------------------------


def test_moving_says_where_the_engagement_went(client, csm, engagement):
    HandoffFactory(engagement=engagement)
    engagement.phase = Phase.HANDOFF
    engagement.save()
    client.force_login(csm)
    response = client.post(
        reverse("engagements:phase", args=[engagement.pk]), {"to": "kickoff", "kickoff_on": "2026-12-01"}, follow=True
    )
    assert f"{engagement.name} moved to Kickoff." in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.kickoff_on == date(2026, 12, 1)


def test_the_kickoff_asks_for_its_date(client, csm, engagement):
    HandoffFactory(engagement=engagement)
    engagement.phase = Phase.HANDOFF
    engagement.kickoff_on = None
    engagement.save()
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert 'name="kickoff_on" id="phase-kickoff-on" required' in page
    body = client.post(reverse("engagements:phase", args=[engagement.pk]), {"to": "kickoff"}).content.decode()
    assert "Give the kickoff date." in body
    engagement.refresh_from_db()
    assert engagement.phase == Phase.HANDOFF


def test_closing_asks_for_a_confirmation_and_a_reason(client, csm, engagement):
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert 'data-confirm="Close this engagement?' in page and 'name="reason" id="phase-close-reason"' in page
    body = client.post(reverse("engagements:phase", args=[engagement.pk]), {"to": "closed"}).content.decode()
    assert "Say why the engagement is closed" in body
    client.post(reverse("engagements:phase", args=[engagement.pk]), {"to": "closed", "reason": "Contract ended"})
    engagement.refresh_from_db()
    assert (engagement.phase, engagement.closed_reason) == (Phase.CLOSED, "Contract ended")
    assert engagement.closed_at is not None


# --- The handoff page -------------------------------------------------------------------------------------------


def test_a_promise_added_on_the_handoff_page_answers_in_place(client, csm, engagement):
    client.force_login(csm)
    page = client.get(reverse("engagements:handoff", args=[engagement.pk])).content.decode()
    assert 'hx-post="' + reverse("engagements:promise_add", args=[engagement.pk]) in page
    due = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("engagements:promise_add", args=[engagement.pk]),
        {
            "next": "handoff",
            "description": "Weekly report",
            "side": "vendor",
            "source": "sales",
            "owner": csm.pk,
            "due_at": due,
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="handoff-promises"' in body and "Weekly report" in body and "Promise tracked." in body
    assert Promise.objects.filter(description="Weekly report").exists()


def test_a_wrong_promise_on_the_handoff_page_keeps_what_was_typed(client, csm, engagement):
    client.force_login(csm)
    response = client.post(
        reverse("engagements:promise_add", args=[engagement.pk]),
        {"next": "handoff", "description": "Weekly report", "side": "vendor", "source": "sales", "owner": csm.pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'value="Weekly report"' in body and "This field is required." in body
    assert not Promise.objects.exists()


# --- Stakeholders, invitations and accounts ----------------------------------------------------------------------


def test_a_client_person_is_invited_from_their_row_and_linked_on_accepting(client, csm, engagement):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    row = StakeholderFactory(engagement=engagement, name="Uma Key", email="Uma@Acme.example", key_user=True)
    client.force_login(csm)
    url = reverse("engagements:stakeholder_invite", args=[row.pk])
    page = client.get(url).content.decode()
    assert 'value="Uma Key"' in page and 'value="Uma@Acme.example"' in page
    assert '<option value="client_key_user" selected>' in page
    response = client.post(url, {"full_name": "Uma Key", "email": "Uma@Acme.example", "role": "client_key_user"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    user = account_services.invitation_accept(
        token=account_services.invitation_token(invitation), password="a-L0ng-pass"
    )
    row.refresh_from_db()
    assert row.user == user and user.role == Role.CLIENT_KEY_USER
    # The "no key user" warning is gone once the key user's account is active.
    assert not any("key user" in warning for warning in services.engagement_warnings(engagement, [row]))


def test_the_map_shows_each_persons_account_and_invitation(client, csm, engagement, client_key_user):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    linked = StakeholderFactory(engagement=engagement, user=client_key_user, name="Linked")
    invited = StakeholderFactory(engagement=engagement, name="Invited", email="invited@acme.example")
    account_services.invitation_create(
        by=csm, organization=engagement.client, email="invited@acme.example", full_name="Invited", role="client_member"
    )
    client.force_login(csm)
    body = client.get(reverse("engagements:stakeholders", args=[engagement.pk])).content.decode()
    assert "active" in body.split(f'data-testid="account-{linked.pk}"')[1].split("</td>")[0]
    assert "waiting" in body.split(f'data-testid="account-{invited.pk}"')[1].split("</td>")[0]
    assert f'data-testid="invite-{invited.pk}"' in body and f'data-testid="invite-{linked.pk}"' not in body


def test_re_inviting_says_what_happened_to_the_earlier_invitation(client, csm, engagement):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    first = account_services.invitation_create(
        by=csm, organization=engagement.client, email="new@acme.example", full_name="New", role="client_member"
    )
    client.force_login(csm)
    response = client.post(reverse("accounts:invitation_resend", args=[first.pk]), follow=True)
    body = response.content.decode()
    assert "A new invitation was sent to new@acme.example." in body
    assert "The earlier invitation of" in body and "was withdrawn" in body
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.pending(timezone.now()).count() == 1


def test_an_expired_invitation_is_resent_and_says_it_had_expired(csm, engagement):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    old = account_services.invitation_create(
        by=csm, organization=engagement.client, email="late@acme.example", full_name="Late", role="client_member"
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    new = account_services.invitation_resend(by=csm, invitation=old)
    assert "had expired" in account_services.invitation_replaced_note(new)


def test_a_member_account_is_not_linked_to_the_key_users_row(engagement, csm):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    row = StakeholderFactory(engagement=engagement, email="kim@acme.example", key_user=True)
    invitation = account_services.invitation_create(
        by=csm, organization=engagement.client, email="kim@acme.example", full_name="Kim", role="client_member"
    )
    account_services.invitation_accept(token=account_services.invitation_token(invitation), password="a-L0ng-pass")
    row.refresh_from_db()
    assert row.user is None


def test_another_clients_row_is_never_linked(engagement, other_engagement, other_csm, csm):
    ClientProfileFactory(organization=other_engagement.client, csm=other_csm)
    mine = StakeholderFactory(engagement=engagement, email="same@example.com")
    invitation = account_services.invitation_create(
        by=other_csm,
        organization=other_engagement.client,
        email="same@example.com",
        full_name="Same",
        role="client_member",
    )
    account_services.invitation_accept(token=account_services.invitation_token(invitation), password="a-L0ng-pass")
    assert Stakeholder.objects.get(pk=mine.pk).user is None
