"""The client's flag list writes a deadline as a deadline ("acknowledgement due …", "potwierdzenie do …"), never as
if someone had already done it ("acknowledged by …", issue 22)."""

import re

import pytest
from django.urls import reverse

from .factories import TUESDAY_10, raise_flag

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "Europe/London", r"acknowledgement due \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d"),
        ("pl", "Europe/Warsaw", r"potwierdzenie do \d{1,2} [a-ząćęłńóśźż]+ \d{4}, \d\d:\d\d"),
        ("de", "Europe/Berlin", r"Bestätigung bis "),
    ],
)
def test_the_flag_list_reads_the_acknowledgement_deadline_as_due(
    client, engagement, client_key_user, language, zone, expected
):
    client_key_user.language, client_key_user.time_zone = language, zone
    client_key_user.save()
    raise_flag(engagement, client_key_user, now=TUESDAY_10)
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flags")).content.decode()
    assert re.search(expected, page), page
    assert "acknowledged by" not in page and "potwierdzone przez" not in page


def test_a_flag_acknowledged_reads_its_resolution_deadline(client, engagement, client_key_user, pm):
    from escalations import services

    client_key_user.language = "pl"
    client_key_user.save()
    flag = raise_flag(engagement, client_key_user, now=TUESDAY_10)
    services.flag_acknowledge(flag=flag, by=pm, now=TUESDAY_10)
    client.force_login(client_key_user)
    page = client.get(reverse("portal:flags")).content.decode()
    assert "rozwiązanie do " in page and "rozwiązane przez" not in page
