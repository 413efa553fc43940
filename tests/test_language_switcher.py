"""The language switcher at the foot of every page: anyone may switch; a signed-in user's switch is their saved
language too (the profile's, which their emails speak), and it survives logging out and in again."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:set_language")


def switcher(page: str) -> str:
    start = page.index('data-testid="language-switcher"')
    return page[start : page.index("</form>", start)]


@pytest.mark.parametrize(
    "persona, url",
    [(None, "accounts:login"), ("csm", "home"), ("client_key_user", "portal:home"), ("csm", "accounts:profile")],
)
def test_every_kind_of_page_offers_the_languages_in_their_own_names(client, request, engagement, persona, url):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    form = switcher(client.get(reverse(url)).content.decode())
    for code, own_name in (("en", "English"), ("pl", "Polski"), ("de", "Deutsch")):
        assert f'value="{code}" lang="{code}"' in form and f">{own_name}</button>" in form
    # The language in use is marked for screen readers, and the form comes back to the same page.
    assert 'aria-current="true">English<' in form
    assert f'name="next" value="{reverse(url)}"' in form


def test_a_visitor_switches_the_login_page(client):
    response = client.post(SWITCH, {"language": "pl", "next": reverse("accounts:login")})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="pl">' in page and "Zaloguj się" in page
    assert 'aria-current="true">Polski<' in switcher(page)


def test_a_signed_in_switch_is_saved_and_survives_logging_out_and_in(client, csm):
    client.force_login(csm)
    client.post(SWITCH, {"language": "de", "next": reverse("home")})
    csm.refresh_from_db()
    assert csm.language == "de"
    assert '<html lang="de">' in client.get(reverse("home")).content.decode()
    # The profile shows the same choice.
    assert '<option value="de" selected>' in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:logout"))
    assert '<html lang="de">' in client.get(reverse("accounts:login")).content.decode()
    client.cookies.clear()  # another browser: the saved language still wins after signing in
    client.post(reverse("accounts:login"), {"username": csm.email, "password": PASSWORD})
    assert '<html lang="de">' in client.get(reverse("home")).content.decode()


def test_the_profile_choice_also_sets_the_signed_out_pages_language(client, csm):
    client.force_login(csm)
    choice = {"prefs-full_name": csm.full_name, "prefs-time_zone": "Europe/Warsaw", "prefs-language": "pl"}
    response = client.post(reverse("accounts:profile"), choice)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    client.post(reverse("accounts:logout"))
    assert '<html lang="pl">' in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.parametrize("language", ["xx", "", "fr"])
def test_a_language_not_offered_changes_nothing(client, csm, language):
    client.force_login(csm)
    response = client.post(SWITCH, {"language": language, "next": reverse("home")})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    csm.refresh_from_db()
    assert csm.language == "en"


def test_the_switch_never_sends_the_reader_to_another_site(client):
    response = client.post(SWITCH, {"language": "pl", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_switch_is_a_post(client):
    assert client.get(SWITCH).status_code == 405
