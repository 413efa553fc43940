"""Escalation deadlines in the admin, typed and shown as people say them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from escalations.durations import BusinessDurationField, format_duration, parse_duration
from escalations.models import LevelTarget


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("4 business hours", 4),
        ("4 hours", 4),
        ("4h", 4),
        ("2 working days", 16),
        ("1 day 16 hours", 24),
        ("1 working day 4 business hours", 12),
        ("90 minutes", 1.5),
        ("2h30m", 2.5),
        ("4:30", 4.5),
        ("1,5 hours", 1.5),
    ],
)
def test_a_duration_reads_as_people_say_it(text, hours):
    assert parse_duration(text) == timedelta(hours=hours)


@pytest.mark.parametrize("text", ["soon", "4 parsecs", "4 hours and a bit", "-"])
def test_what_is_no_duration_is_refused_in_words(text):
    assert parse_duration(text) is None
    field = BusinessDurationField()
    with pytest.raises(Exception, match="as people say it"):
        field.clean(text)


def test_a_duration_is_shown_as_people_say_it():
    with translation.override("en"):
        assert format_duration(timedelta(hours=4)) == "4 business hours"
        assert format_duration(timedelta(hours=16)) == "2 working days"
        assert format_duration(timedelta(hours=12)) == "1 working day 4 business hours"
        assert format_duration(timedelta(minutes=90)) == "1 business hour 30 minutes"
        assert format_duration(timedelta(hours=1)) == "1 business hour"


@pytest.mark.django_db
def test_the_level_page_shows_and_takes_the_words(client, vendor):
    from escalations.models import EscalationLevel

    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    client.force_login(admin)
    level = EscalationLevel.objects.filter(position=1).first()
    page = client.get(reverse("admin:escalations_escalationlevel_change", args=[level.pk])).content.decode()
    assert 'value="1 business hour"' in page and 'value="1 working day"' in page
    assert "a working day is 8 hours" in page


@pytest.mark.django_db
def test_the_admin_index_puts_configuration_first_and_infrastructure_apart(client, vendor):
    staff = UserFactory(director=True, organization=vendor, is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(reverse("admin:index")).content.decode()
    configuration = page.index("app-configuration")
    infrastructure = page.index("app-infrastructure")
    assert configuration < page.index("app-engagements") < infrastructure
    section = page[configuration : page.index("</table>", configuration)]
    for name in (
        "Checklist templates",
        "Cadence",
        "Escalation paths",
        "Business calendars",
        "rota",
        "Organizations",
        "Users",
    ):
        assert name.lower() in section.lower(), name
    assert "Access attempts" in page[infrastructure:] and "Periodic tasks" in page[infrastructure:]
    assert "Access attempts" not in page[:infrastructure]
    # An app's own page stays as Django lists it.
    assert client.get(reverse("admin:app_list", args=["escalations"])).status_code == 200
    assert LevelTarget.objects.exists()


def test_the_field_shows_words_it_reads_back_in_any_language():
    field = BusinessDurationField()
    with translation.override("pl"):
        shown = field.prepare_value(timedelta(hours=12))
        assert shown == "1 working day 4 business hours"
        assert field.clean(shown) == timedelta(hours=12)
        assert format_duration(timedelta(hours=16)) == "2 dni robocze"
