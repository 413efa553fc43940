import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_missing_pages_use_the_portal_404_page(client, csm):
    client.force_login(csm)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_errors_render_a_calm_500_page(rf):
    from onboarding_portal.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "nothing you saved before this page was lost" in response.content.decode()


def test_navigation_follows_the_role(client, csm, client_key_user):
    client.force_login(csm)
    staff_page = client.get(reverse("home")).content.decode()
    assert reverse("accounts:invitation_list") in staff_page
    client.force_login(client_key_user)
    portal_page = client.get(reverse("portal:home"), follow=True).content.decode()
    assert reverse("accounts:invitation_list") not in portal_page
    assert "Client portal" in portal_page


def test_client_users_cannot_enter_the_admin(client_key_user):
    client = Client()
    client.force_login(client_key_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_pages_carry_the_csrf_token_for_htmx(client, csm):
    client.force_login(csm)
    assert 'hx-headers=\'{"X-CSRFToken": "' in client.get(reverse("home")).content.decode()
