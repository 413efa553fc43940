"""Every registered health signal explains itself in one shape: a translated sentence with its count in the right
plural form, never "<label>: <value>" (issue 10: checklists' reasons read as sentences, governance's did not)."""

import pytest
from django.utils import translation

from engagements import health
from engagements.health import health_reasons

# One value past each signal's threshold, and what the badge says in English and Polish (1, 2-4 and 5+ take three
# different plural forms in Polish).
EXPECTED = {
    "overdue_items": {
        1: ("1 checklist item is overdue", "1 punkt listy kontrolnej jest po terminie"),
        3: ("3 checklist items are overdue", "3 punkty listy kontrolnej są po terminie"),
        5: ("5 checklist items are overdue", "5 punktów listy kontrolnej jest po terminie"),
    },
    "open_rejections": {
        1: ("1 rejection by the client is still open", "1 odrzucenie przez klienta jest wciąż otwarte"),
        2: ("2 rejections by the client are still open", "2 odrzucenia przez klienta są wciąż otwarte"),
        5: ("5 rejections by the client are still open", "5 odrzuceń przez klienta jest wciąż otwartych"),
    },
    "missed_meetings": {
        1: ("1 meeting was missed in the last 30 days", "1 spotkanie zostało opuszczone w ciągu ostatnich 30 dni"),
        2: ("2 meetings were missed in the last 30 days", "2 spotkania zostały opuszczone w ciągu ostatnich 30 dni"),
        5: ("5 meetings were missed in the last 30 days", "5 spotkań zostało opuszczonych w ciągu ostatnich 30 dni"),
    },
    "minutes_late": {
        1: (
            "1 meeting has no minutes 2 working days after it",
            "1 spotkanie nie ma protokołu 2 dni robocze po jego zakończeniu",
        ),
        3: (
            "3 meetings have no minutes 2 working days after them",
            "3 spotkania nie mają protokołu 2 dni robocze po ich zakończeniu",
        ),
        5: (
            "5 meetings have no minutes 2 working days after them",
            "5 spotkań nie ma protokołu 2 dni robocze po ich zakończeniu",
        ),
    },
    "broken_promises": {
        1: ("1 promise was broken in the last 30 days", "1 obietnica nie została dotrzymana w ciągu ostatnich 30 dni"),
        2: (
            "2 promises were broken in the last 30 days",
            "2 obietnice nie zostały dotrzymane w ciągu ostatnich 30 dni",
        ),
        5: (
            "5 promises were broken in the last 30 days",
            "5 obietnic nie zostało dotrzymanych w ciągu ostatnich 30 dni",
        ),
    },
}


@pytest.mark.parametrize(
    ("name", "value", "english", "polish"),
    [(name, value, *texts) for name, by_value in EXPECTED.items() for value, texts in by_value.items()],
)
def test_each_signals_reason_is_a_sentence_in_english_and_polish(name, value, english, polish):
    with translation.override("en"):
        assert [reason.text for reason in health_reasons(**{name: value})] == [english]
    with translation.override("pl"):
        assert [reason.text for reason in health_reasons(**{name: value})] == [polish]


def test_no_registered_signals_reason_reads_label_colon_value():
    for signal in health.signals():
        value = signal.off_track
        for language in ("en", "de", "pl"):
            with translation.override(language):
                text = signal.reason(value)
                assert ":" not in text and str(value) in text, (signal.name, language, text)
                if language != "en":
                    with translation.override("en"):
                        assert text != signal.reason(value), (signal.name, language)
