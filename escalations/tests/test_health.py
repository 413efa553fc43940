"""The red-flag health signal's reason reads as a sentence, in the reader's language."""

from django.utils import translation

from engagements.health import health_reasons


def test_the_reason_is_a_sentence_with_the_count():
    with translation.override("en"):
        (reason,) = health_reasons(open_red_flags=1)
        assert (reason.text, reason.level) == ("1 red flag is open", "at_risk")
        (reason,) = health_reasons(open_red_flags=3)
        assert (reason.text, reason.level) == ("3 red flags are open", "off_track")
    with translation.override("de"):
        assert health_reasons(open_red_flags=3)[0].text == "3 Red Flags sind offen"
    with translation.override("pl"):
        assert [health_reasons(open_red_flags=n)[0].text for n in (2, 5)] == [
            "2 czerwone flagi są otwarte",
            "5 czerwonych flag jest otwartych",
        ]


import pytest  # noqa: E402

from engagements.health import Health, health_of  # noqa: E402
from escalations.health import weight_of  # noqa: E402
from escalations.models import Severity  # noqa: E402

from .factories import RedFlagFactory  # noqa: E402


@pytest.mark.parametrize(
    ("severity", "level", "weight"),
    [("normal", 1, 1), ("high", 1, 2), ("critical", 1, 4), ("normal", 2, 2), ("critical", 4, 16), ("high", 6, 8)],
)
def test_a_flag_weighs_its_severity_times_its_level(severity, level, weight):
    assert weight_of(severity=severity, level=level) == weight


@pytest.mark.django_db
def test_a_critical_flag_at_the_executive_board_weighs_more_than_a_normal_one(engagement, django_assert_num_queries):
    from django.utils import timezone

    today = timezone.localdate()
    normal = RedFlagFactory(engagement=engagement, severity=Severity.NORMAL, level=1)
    with translation.override("en"):
        health, values = health_of(engagement, today=today)
        assert (health, values["open_red_flags"], values["red_flag_weight"]) == (Health.AT_RISK, 1, 1)
        assert [r.text for r in health_reasons(**values)] == ["1 red flag is open"]
        normal.delete()
        RedFlagFactory(engagement=engagement, severity=Severity.CRITICAL, level=4)
        health, values = health_of(engagement, today=today)
        assert (health, values["red_flag_weight"]) == (Health.OFF_TRACK, 16)
        assert [(r.text, r.level) for r in health_reasons(**values)] == [
            ("1 critical red flag at the executive board", "off_track"),
            ("1 red flag is open", "at_risk"),
        ]
        # Two flags, the gravest named with how many are alike; still one query however many flags.
        RedFlagFactory(engagement=engagement, severity=Severity.CRITICAL, level=4)
        RedFlagFactory.create_batch(3, engagement=engagement, severity=Severity.NORMAL, level=2)
        with django_assert_num_queries(1):
            health, values = health_of(engagement, today=today)
        assert health_reasons(**values)[0].text == "2 critical red flags at the executive board"
    with translation.override("de"):
        assert health_reasons(**values)[0].text == "2 kritische Red Flags auf der Ebene „Executive board“"
