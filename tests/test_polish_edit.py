"""Issue 22's native Polish edit: the pairs a Polish reader found (wrong → better) stay fixed, a severity is
feminine ("Wysoka", its own context), the timeline speaks in nouns, counts take the three plural forms, and no
form asks the reader's gender with "(-a)"."""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext, override, pgettext

from escalations.models import EventKind, Severity

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "pl" / "LC_MESSAGES" / "django.po"

BETTER = {
    "Thank you, the action item is done.": "Dziękujemy, zadanie oznaczono jako wykonane.",
    "I have read these minutes": "Potwierdzam zapoznanie się z protokołem",
    "Agreed on %(when)s by %(who)s.": "Uzgodniono %(when)s (%(who)s).",
    "The link can be used once and expires on %(expires)s (UTC).": (
        "Z linku można skorzystać tylko raz; wygasa %(expires)s (UTC)."
    ),
    "Promises due or broken": "Obietnice z upływającym terminem lub niedotrzymane",
    "Our people": "Osoby z naszej firmy",
    "Onboarding": "Plan wdrożenia",
    "Owner": "Osoba odpowiedzialna",
    "Hello %(name)s,": "Dzień dobry, %(name)s,",
    "How satisfied are you so far, after accepting the work plan?": (
        "Jak oceniasz dotychczasową współpracę po akceptacji planu prac?"
    ),
    "acknowledgement due %(when)s": "potwierdzenie do %(when)s",
    "resolution due %(when)s": "rozwiązanie do %(when)s",
}


@pytest.mark.parametrize(("english", "polish"), sorted(BETTER.items()))
def test_the_polish_readers_pairs_read_the_better_way(english, polish):
    with override("pl"):
        assert gettext(english) == polish


def test_a_severity_is_feminine_and_the_timeline_speaks_in_nouns():
    with override("pl"):
        assert str(Severity.HIGH.label) == "Wysoka"
        assert pgettext("severity", "High") == "Wysoka"
        # A stakeholder's influence keeps its own (masculine) word.
        assert gettext("High") == "Wysoki"
        assert str(EventKind.UPDATE.label) == "Aktualizacja"
        assert gettext("Update") == "Aktualizuj"  # the button's verb


def test_counts_take_the_polish_plural_forms():
    with override("pl"):
        badge = {n: " ".join(render_to_string("notifications/_badge.html", {"count": n}).split()) for n in (1, 3, 20)}
        critical = {
            n: ngettext("including %(counter)s critical", "including %(counter)s critical", n) for n in (1, 2, 5)
        }
    assert '1<span class="visually-hidden"> nieprzeczytane </span>' in badge[1]
    assert '3<span class="visually-hidden"> nieprzeczytane </span>' in badge[3]
    assert '20<span class="visually-hidden"> nieprzeczytanych </span>' in badge[20]
    assert [critical[n] % {"counter": n} for n in (1, 2, 5)] == [
        "w tym 1 krytyczny",
        "w tym 2 krytyczne",
        "w tym 5 krytycznych",
    ]


def test_no_polish_text_asks_the_readers_gender_in_brackets():
    bracketed = re.findall(r'^msgstr(?:\[\d\])? ".*\((?:-a|a|-am)\).*"$', CATALOGUE.read_text(), flags=re.MULTILINE)
    # What is left names the person who acted (a column's "who"), never the reader.
    assert not [line for line in bracketed if "Ty" in line or "jesteś" in line or "łem" in line], bracketed
