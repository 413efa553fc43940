"""Confirming or reopening a red flag for the client is a decision (``policy.may_decide``, as stage acceptance
is): a key user who does not decide on the engagement, and a member who replied (and so follows the flag), may
reply but neither close nor reopen it, in the service or through the portal; the portal names who decides."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Role
from accounts.tests.factories import UserFactory
from engagements.tests.factories import EngagementFactory
from escalations import services
from escalations.models import FlagFollower, FlagStatus
from notifications.models import Channel, Notification
from notifications.services import notification_relay

from .factories import raise_flag, warsaw

pytestmark = pytest.mark.django_db


def _key_user_of_another_team(engagement, other_csm):
    """A key user invited by the PM of the client's other engagement: they decide there, not on ``engagement``."""
    elsewhere = EngagementFactory(client=engagement.client, csm=other_csm, pm=UserFactory(pm=True), deputy_pm=None)
    invitation = account_services.invitation_create(
        by=elsewhere.pm,
        organization=engagement.client,
        email="karl@acme.example",
        full_name="Karl Elsewhere",
        role=Role.CLIENT_KEY_USER,
    )
    return account_services.invitation_accept(
        token=account_services.invitation_token(invitation), password="a-long-phrase-42!"
    )


def _resolved(engagement, client_key_user, pm):
    flag = raise_flag(engagement, client_key_user)
    return services.flag_resolve(flag=flag, by=pm, resolution="Job restarted.", now=warsaw(2026, 11, 10, 12))


def test_a_key_user_who_does_not_decide_on_the_engagement_neither_confirms_nor_reopens(
    engagement, other_csm, client_key_user, pm
):
    outsider = _key_user_of_another_team(engagement, other_csm)
    flag = _resolved(engagement, client_key_user, pm)
    with pytest.raises(PermissionDenied):
        services.flag_confirm(flag=flag, by=outsider, now=warsaw(2026, 11, 10, 13))
    with pytest.raises(PermissionDenied):
        services.flag_reopen(flag=flag, by=outsider, reason="Still failing.", now=warsaw(2026, 11, 10, 13))
    services.flag_confirm(flag=flag, by=client_key_user, now=warsaw(2026, 11, 10, 14))
    with pytest.raises(PermissionDenied):
        services.flag_reopen(flag=flag, by=outsider, reason="Back again.", now=warsaw(2026, 11, 10, 15))
    flag.refresh_from_db()
    assert (flag.status, flag.cycle, flag.confirmed_by) == (FlagStatus.CLOSED, 1, client_key_user)


def test_a_member_who_replied_follows_the_flag_but_does_not_confirm_it(engagement, client_key_user, client_member, pm):
    flag = raise_flag(engagement, client_key_user)
    services.flag_client_reply(flag=flag, by=client_member, body="Same here.", now=warsaw(2026, 11, 10, 11))
    assert FlagFollower.objects.filter(flag=flag, user=client_member).exists()
    services.flag_resolve(flag=flag, by=pm, resolution="Job restarted.", now=warsaw(2026, 11, 10, 12))
    with pytest.raises(PermissionDenied):
        services.flag_confirm(flag=flag, by=client_member, now=warsaw(2026, 11, 10, 13))
    with pytest.raises(PermissionDenied):
        services.flag_reopen(flag=flag, by=client_member, reason="Still failing.", now=warsaw(2026, 11, 10, 13))
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED


def test_the_portal_offers_confirm_and_reopen_only_to_the_decider_and_names_them_to_others(
    client, engagement, other_csm, client_key_user, client_member, pm
):
    outsider = _key_user_of_another_team(engagement, other_csm)
    flag = raise_flag(engagement, client_key_user)
    services.flag_client_reply(flag=flag, by=client_member, body="Same here.", now=warsaw(2026, 11, 10, 11))
    services.flag_resolve(flag=flag, by=pm, resolution="Job restarted.", now=warsaw(2026, 11, 10, 12))
    page_url = reverse("portal:flag", args=[flag.pk])
    for person in (outsider, client_member):
        client.force_login(person)
        response = client.get(page_url)
        page = response.content.decode()
        assert response.context["may_answer"] is False
        assert 'data-testid="confirm-resolution"' not in page
        assert reverse("portal:flag_reopen", args=[flag.pk]) not in page
        assert 'data-testid="who-decides"' in page and client_key_user.full_name in page
        assert client.post(reverse("portal:flag_confirm", args=[flag.pk])).status_code == 404
        response = client.post(reverse("portal:flag_reopen", args=[flag.pk]), {"reason": "Still failing."})
        assert response.status_code == 404
        flag.refresh_from_db()
        assert (flag.status, flag.cycle) == (FlagStatus.RESOLVED, 1)
    client.force_login(client_key_user)
    page = client.get(page_url).content.decode()
    assert 'data-testid="confirm-resolution"' in page and 'data-testid="who-decides"' not in page
    client.post(reverse("portal:flag_confirm", args=[flag.pk]))
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED and flag.confirmed_by == client_key_user


def test_only_the_decider_is_asked_to_confirm_a_resolution_the_other_followers_are_told(
    engagement, client_key_user, client_member, pm
):
    flag = raise_flag(engagement, client_key_user)
    services.flag_client_reply(flag=flag, by=client_member, body="Same here.", now=warsaw(2026, 11, 10, 11))
    services.flag_resolve(flag=flag, by=pm, resolution="Job restarted.", now=warsaw(2026, 11, 10, 12))
    notification_relay(now=warsaw(2026, 11, 10, 12))
    mails = Notification.objects.filter(channel=Channel.EMAIL, event__startswith=f"redflag:{flag.pk}:resolved:")
    subjects = {n.recipient: n.subject for n in mails}
    assert set(subjects) == {client_key_user, client_member}
    assert subjects[client_key_user].startswith("Resolved, please confirm")
    assert subjects[client_member] == f"Resolved: {flag.title}"
    told = mails.get(recipient=client_member)
    assert told.context["kind"] == "resolved_informed" and "Please confirm" not in str(told.context)
