"""A client's CSM (or a director, an admin) makes two-factor login required for the client's people on its
profile (``Organization.require_mfa``, read by ``accounts.mfa.policy``)."""

import pytest
from django.urls import reverse

from accounts.mfa.policy import mfa_required
from accounts.tests.factories import UserFactory

from .factories import ClientProfileFactory

pytestmark = pytest.mark.django_db


def test_the_csm_requires_two_factor_login_on_the_profile_form(client, csm, client_org):
    profile = ClientProfileFactory(organization=client_org, csm=csm)
    member = UserFactory(client_member=True, organization=client_org)
    assert not mfa_required(member)
    client.force_login(csm)
    url = reverse("engagements:client_edit", args=[profile.pk])
    form = client.get(url).content.decode()
    assert 'name="require_mfa"' in form
    data = {"industry": "Logistics", "language": "en", "csm": csm.pk, "require_mfa": "on"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client_org.refresh_from_db()
    assert client_org.require_mfa
    member.refresh_from_db()
    assert mfa_required(member)
    detail = client.get(reverse("engagements:client_detail", args=[profile.pk])).content.decode()
    assert "Required for the client&#x27;s people" in detail or "Required for the client's people" in detail
    # Unticked, it is off again.
    client.post(url, {"industry": "Logistics", "language": "en", "csm": csm.pk})
    client_org.refresh_from_db()
    assert not client_org.require_mfa
