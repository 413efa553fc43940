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
