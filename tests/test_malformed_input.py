"""Malformed input on every URL of the matrix (``tests/url_access.py``): NUL bytes and dates out of range.

For each URL, a persona allowed to use it sends NUL bytes in every query parameter and every form field the view
reads (found by watching which keys it reads, and from the forms each page renders), then dates at the far ends of
the calendar in the date fields. No such request may answer 500, and none may change anything.
"""

import datetime
import importlib
import inspect
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from accounts.calendar_range import CalendarRangeMixin, validate_calendar_range

from .test_url_access import _url, _writes
from .url_access import ROLES, RULES

NUL = "\x00"
# A fixed instant well ahead of any day the suite runs on, inside the accepted years.
LATER = datetime.datetime(2090, 3, 4, 9, 0, tzinfo=datetime.UTC)
FAR_DATES = ("9999-12-31", "0001-01-01")
FAR_TIMES = {"9999-12-31": "T23:59", "0001-01-01": "T00:00"}
DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DATE_NAME = re.compile(r"(date|_on$|_at$|^on$|_from$|_to$|^day$|starts|ends|due|until|since|when)")
# Who tries each URL first: someone who may shape the engagement, then its people, then clients.
PREFERENCE = ("csm", "pm", "vendor_admin", "director", "client_key_user", "client_member", "other_client_user")
PERSONA_ORDER = PREFERENCE + tuple(role for role in ROLES if role not in PREFERENCE)


def _persona(rule):
    if rule.public:
        return "anonymous"
    return next(role for role in PERSONA_ORDER if role in rule.allowed)


FILLERS = {"text": "Checked by the malformed-input test", "number": "1", "email": "check@example.com"}
FILLERS |= {"url": "https://example.com/check", "textarea": FILLERS["text"]}


class _Forms(HTMLParser):
    """The post forms of a page: action path -> {field name: a value it accepts}. Empty text fields get a filler,
    selects their selected (or first non-empty) option, so that only the field under test is wrong."""

    def __init__(self, path):
        super().__init__()
        self.path, self.forms, self._current, self._select = path, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method", "").lower() == "post" or "hx-post" in attrs):
            action = attrs.get("hx-post") or attrs.get("action") or ""
            self._current = self.forms.setdefault(urlsplit(action).path or self.path, {})
        elif self._current is None or not attrs.get("name"):
            if tag == "option" and self._select and (not self._current[self._select] or "selected" in attrs):
                self._current[self._select] = attrs.get("value", "")
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs or attrs["name"] not in self._current:
                    self._current[attrs["name"]] = attrs.get("value", "on")
            else:
                self._current[attrs["name"]] = attrs.get("value") or FILLERS.get(kind, "")
        elif tag == "textarea":
            self._current[attrs["name"]] = FILLERS["textarea"]
        elif tag == "select":
            self._current[attrs["name"]] = ""
            self._select = attrs["name"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@contextmanager
def _keys_read():
    """The names the view reads from its query or form data."""
    names = set()
    originals = {name: getattr(MultiValueDict, name) for name in ("get", "getlist", "__getitem__")}

    def spy(original):
        def read(self, key, *args, **kwargs):
            if isinstance(self, QueryDict):
                names.add(key)
            return original(self, key, *args, **kwargs)

        return read

    contains = dict.__contains__

    def has(self, key):
        if isinstance(self, QueryDict):
            names.add(key)
        return contains(self, key)

    with mock.patch.multiple(MultiValueDict, **{n: spy(f) for n, f in originals.items()}, __contains__=has):
        yield names
    names.discard("csrfmiddlewaretoken")


def _send(user, method, url, data):
    """One request, rolled back afterwards so every request meets the same world: (status or exception, writes)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        try:
            response = client.get(url, data) if method == "GET" else client.post(url, data)
            outcome = response.status_code
        except Exception as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        transaction.set_rollback(True)
    captured = [query for query in queries.captured_queries if query["sql"]]
    return outcome, response if isinstance(outcome, int) else None, _writes(captured)


def _is_date(name, value):
    return bool(DATE_VALUE.match(value or "") or DATETIME_VALUE.match(value or "") or DATE_NAME.search(name))


def _far(far, name, value):
    """The far date in the shape of the field's own value (a date, or a date and time)."""
    with_time = DATETIME_VALUE.match(value) if value else name.endswith("_at")
    return far + FAR_TIMES[far] if with_time else far


@pytest.mark.django_db
def test_no_url_answers_500_or_changes_anything_for_nul_bytes_or_far_dates(world):
    personas = world["personas"]
    urls = {name: _url(name, rule, world, other=False) for name, rule in RULES.items()}
    # Every post form each page renders to its staff and client people, by the path it posts to.
    forms = {}
    for name, rule in RULES.items():
        if "GET" not in rule.methods:
            continue
        for role in {_persona(rule), "csm", "client_key_user"} & (rule.allowed | {"anonymous"}):
            _status, response, _w = _send(personas[role], "GET", urls[name], {})
            if response is not None and response.get("Content-Type", "").startswith("text/html"):
                parser = _Forms(urls[name])
                parser.feed(response.content.decode())
                for action, fields in parser.forms.items():
                    forms.setdefault(action, {}).update(fields)
    failures = []
    for name, rule in sorted(RULES.items()):
        if rule.token:
            continue  # the API answers a session 401; schemathesis sends it NUL bytes and far dates with tokens
        role = _persona(rule)
        user, url = personas[role], urls[name]
        for method in rule.methods:
            with _keys_read() as read:
                _send(user, method, url, {})
            baseline = forms.get(url, {}) if method == "POST" else {}
            keys = read | set(baseline) | ({"q"} if method == "GET" else set())
            if not keys:
                continue
            attempts = [("NUL in every field", dict.fromkeys(keys, NUL))]
            dates = [key for key in keys if _is_date(key, baseline.get(key))]
            for far in FAR_DATES if dates else ():
                attempts.append(
                    (f"{far} in {dates}", {**baseline, **{key: _far(far, key, baseline.get(key)) for key in dates}})
                )
            for what, data in attempts:
                outcome, _response, writes = _send(user, method, url, data)
                where = f"{method} {url} ({name}) as {role}, {what}"
                if outcome == 500 or isinstance(outcome, str):
                    failures.append(f"{where}: {outcome}")
                elif writes:
                    failures.append(f"{where}: {outcome}, changed {writes[0][:120]}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_nul_byte_in_a_query_or_a_form_answers_400_in_words_and_changes_nothing(client, csm, engagement):
    from governance.tests.factories import AgendaItemFactory, MeetingFactory

    item = AgendaItemFactory(meeting=MeetingFactory(series__engagement=engagement, starts_at=LATER), minutes="Agreed.")
    client.force_login(csm)
    for response in (
        client.get("/escalations/", {"q": NUL}),
        client.get("/escalations/", {NUL: "x"}),
        client.post(reverse("governance:agenda_item", args=[item.pk]), {"minutes": f"Agreed{NUL}", "title": "New"}),
    ):
        assert response.status_code == 400
        assert "It contained a NUL character" in response.content.decode()
    item.refresh_from_db()
    assert (item.title, item.minutes) != ("New", f"Agreed{NUL}") and item.minutes == "Agreed."


@pytest.mark.django_db
def test_an_htmx_request_with_a_nul_byte_gets_the_words_as_plain_text(client, csm, engagement):
    # htmx swaps no error page into the one on screen; static/js/app.js shows this text in the messages area.
    from governance.tests.factories import AgendaItemFactory, MeetingFactory

    item = AgendaItemFactory(meeting=MeetingFactory(series__engagement=engagement, starts_at=LATER), minutes="Agreed.")
    client.force_login(csm)
    response = client.post(
        reverse("governance:agenda_item", args=[item.pk]), {"minutes": f"Agreed{NUL}"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("It contained a NUL character")
    item.refresh_from_db()
    assert item.minutes == "Agreed."


def test_the_agenda_editor_refuses_a_nul_byte_in_words():
    from governance.forms import AgendaItemEditForm

    form = AgendaItemEditForm({"title": "Scope", "minutes": f"a{NUL}b"})
    assert not form.is_valid() and form.errors["minutes"] == ["Null characters are not allowed."]
    form = AgendaItemEditForm({"minutes": " as typed "})
    assert form.is_valid() and form.changes() == {"minutes": " as typed "}


@pytest.mark.django_db
@pytest.mark.parametrize("far", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_meeting_moved_to_a_date_out_of_range_gets_a_message_and_stays(client, csm, engagement, far):
    from governance.tests.factories import MeetingFactory

    meeting = MeetingFactory(series__engagement=engagement, starts_at=LATER)
    client.force_login(csm)
    response = client.post(
        reverse("governance:meeting_move", args=[meeting.pk]),
        {"starts_at": far, "duration_minutes": "30", "reason": "The client asked"},
    )
    assert response.status_code == 200
    assert "Choose a date in the years 2000 to 2100." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.starts_at == LATER


def test_the_accepted_years_are_2000_to_2100():
    for day in (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31), LATER):
        validate_calendar_range(day)
    for day in (datetime.date(1999, 12, 31), datetime.date(2101, 1, 1), datetime.datetime(9999, 12, 31, 23, 59)):
        with pytest.raises(ValidationError, match="Choose a date in the years 2000 to 2100."):
            validate_calendar_range(day)


def _project_forms():
    for app in ("accounts", "engagements", "checklists", "governance", "escalations", "quality", "documents"):
        module = importlib.import_module(f"{app}.forms")
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def test_every_form_with_a_date_field_refuses_dates_out_of_range():
    """A date field added to a form without the range check fails here, before a year 9999 reaches a service."""
    unchecked = [
        form.__name__
        for form in _project_forms()
        if any(isinstance(field, forms.DateField | forms.DateTimeField) for field in form.base_fields.values())
        and not issubclass(form, CalendarRangeMixin)
    ]
    assert unchecked == []
