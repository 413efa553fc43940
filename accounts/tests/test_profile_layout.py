"""A client's profile page keeps the portal's header (issue 22); staff keep theirs."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_clients_profile_keeps_the_portal_header(client, client_key_user, csm):
    client.force_login(client_key_user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Client portal" in page and f'href="{reverse("portal:home")}"' in page
    client.force_login(csm)
    assert "Client portal" not in client.get(reverse("accounts:profile")).content.decode()
