"""Subjects rendered once per template, reader and shape: each must be exactly what rendering it alone gives."""

from datetime import date, datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from notifications.services import subjects as subjects_module
from notifications.services.entries import _render_subject, subjects_for_batch
from notifications.services.subjects import shape_of

UTC = ZoneInfo("UTC")
FLAG = "escalations/email/flag"
# A title with what a template engine might mangle: format markers, markup, a newline, template syntax, a marker-like
# private-use character.
AWKWARD = 'Orders 100% "late" <b>&amp;</b> %(title)s {{ kind }}\n\ue000 line two'


def _readers():
    return [
        UserFactory.build(pk=1, language="pl", time_zone="Europe/Warsaw"),
        UserFactory.build(pk=2, language="de", time_zone="Europe/Berlin"),
        UserFactory.build(pk=3, language="en", time_zone="Asia/Tokyo"),
        None,  # a bare address: the request's language, the server's zone
    ]


def _both(template, context, language=""):
    """Each reader's subject through a batch's ``Subjects`` and rendered alone."""
    subjects = subjects_for_batch()
    return [
        (subjects.render(template, context, reader, language), _render_subject(template, context, reader, language))
        for reader in _readers()
    ]


def test_every_subject_template_of_the_portal_is_understood():
    """Each subject template either has a shape (rendered once per reader and shape) or renders per row; none
    fails to parse."""
    shapes = {}
    for path in Path(settings.BASE_DIR, "templates").rglob("*_subject.txt"):
        shapes[path.name] = shape_of(path.read_text())
    assert shapes["flag_subject.txt"].printed == (
        "engagement_name",
        "level",
        "level_name",
        "round",
        "rounds",
        "step_title",
        "title",
    )
    assert "kind" in shapes["flag_subject.txt"].read
    assert "until_on" in shapes["cover_start_subject.txt"].read  # through a filter: part of the key
    assert "days_overdue" in shapes["checklist_overdue_subject.txt"].read  # a plural's count: part of the key


@pytest.mark.parametrize(
    "source",
    [
        "{% include 'x.txt' %}",
        "{% filter upper %}{{ title }}{% endfilter %}",
        "{% now 'Y' %} {{ title }}",
        "{% load humanize %}{% spaceless %}{{ title }}{% endspaceless %}",
    ],
)
def test_a_template_with_a_tag_of_unknown_effect_is_rendered_per_row(source):
    assert shape_of(source) is None


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["escalated", "escalated_client", "renotify", "raised", "step", "unknown-kind", None])
def test_a_red_flag_subject_is_the_same_as_rendered_alone_in_each_language_and_zone(kind):
    context = {
        "kind": kind,
        "title": AWKWARD,
        "level": 3,
        "level_name": "Delivery director",
        "round": 2,
        "rounds": 5,
        "step_title": "Call the client",
        "due_at": datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
    }
    if kind is None:
        del context["kind"]
    results = _both(FLAG, context, language="de")
    for batched, alone in results:
        assert batched == alone
        assert "\n" not in batched
    if kind == "escalated":
        polish, german, english, address = (batched for batched, _alone in results)
        assert polish.startswith("Czerwona flaga eskalowana na poziom 3 (Delivery director)")
        assert german.startswith("Red Flag auf Stufe 3 (Delivery director) eskaliert")
        assert english.startswith("Red flag escalated to level 3")
        assert address == german  # no account: the request's language


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("template", "context"),
    [
        # A number printed bare: localised per language (4,5 in German and Polish), so it is part of the key.
        (
            "checklists/email/health_from_score",
            {"engagement_name": "Shop", "health_after": "red", "score": 4.5},
        ),
        # Plural forms by a count (Polish has three).
        ("checklists/email/checklist_overdue", {"days_overdue": 5, "item_title": AWKWARD, "client_name": "ACME"}),
        ("checklists/email/checklist_overdue", {"days_overdue": 22, "item_title": "Kick-off", "client_name": "X"}),
        # A date through a filter, and datetimes shown in the reader's zone.
        ("engagements/email/cover_start", {"absent_name": AWKWARD, "until_on": date(2026, 12, 24)}),
        (
            "governance/email/meeting_soon",
            {"title": "Steering", "engagement_name": "Shop", "starts_at": datetime(2026, 11, 24, 23, 30, tzinfo=UTC)},
        ),
        # A branch on a number, and a missing value.
        ("governance/email/minutes_shared", {"number": 2, "title": AWKWARD}),
        ("governance/email/minutes_shared", {"number": 1}),
        # A value read through a lookup: rendered per row.
        ("accounts/email/invitation", {"invitation": {"organization": "ACME <Ltd>"}}),
        ("notifications/email/generic", {"title": AWKWARD}),
    ],
)
def test_other_subjects_are_the_same_as_rendered_alone(template, context):
    for batched, alone in _both(template, context, language="pl"):
        assert batched == alone


@pytest.mark.django_db
def test_a_subject_is_rendered_once_per_reader_and_shape_whatever_the_number_of_rows():
    subjects = subjects_for_batch()
    polish, german = UserFactory.build(language="pl"), UserFactory.build(language="de")
    with mock.patch.object(subjects_module, "render_subject", wraps=subjects_module.render_subject) as rendered:
        for n in range(50):
            for reader in (polish, german):
                context = {"kind": "escalated", "title": f"Complaint {n}", "level": 2, "level_name": "CSM"}
                assert f"Complaint {n}" in subjects.render(FLAG, context, reader)
        assert rendered.call_count == 2
        # Another branch of the template is another shape.
        subjects.render(FLAG, {"kind": "renotify", "title": "x", "round": 1, "rounds": 3}, polish)
        assert rendered.call_count == 3


@pytest.mark.django_db
def test_a_subject_template_that_fails_falls_back_to_the_title():
    subjects = subjects_for_batch()
    broken = mock.Mock(side_effect=ValueError("broken"))
    with (
        mock.patch.object(subjects_module, "render_subject", broken),
        mock.patch("notifications.services.entries.render_subject", broken),
    ):
        assert subjects.render(FLAG, {"kind": "escalated", "title": "Late\norders"}, None) == "Late orders"
    assert broken.call_count == 2  # the marked rendering, then the row's own (which logs and falls back)
