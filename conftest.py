"""Shared fixtures: named personas (as healthchecks' tests do) and the browser set-up.

The personas live in two client organizations so every test can check isolation:
``client_key_user`` belongs to ``engagement``'s client; ``other_client_user`` does not.
"""

import os
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import OrganizationFactory, UserFactory
from engagements.tests.factories import EngagementFactory, EngagementMemberFactory

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there
# unless told it is safe (it is: one thread drives both).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    where = f"{db['HOST']}:{db['PORT']}" if db.get("HOST") else db["NAME"]
    broker = settings.CELERY_BROKER_URL.split("@")[-1]
    return [f"database: {connection.vendor} ({where}); celery broker: {broker}"]


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    # Outside CI on SQLite, PostgreSQL-only tests cannot run; say so loudly. CI always has PostgreSQL.
    if os.environ.get("CI") == "true":
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        print(f"\nNOTE: {len(deselected)} PostgreSQL-only tests deselected: running on SQLite.")


@pytest.fixture(autouse=True)
def _own_reminders_only(request):
    """Every fresh database holds the reminder rows that ensure hooks write at migrate time, such as the CSMs'
    weekly summary, due next Monday 07:00 UTC counted from the wall clock. A test that counts what a sweep fired
    would count them too at some hours of the week, so database tests start without them; a test about those
    rows asks for ``shipped_reminders``."""
    if "shipped_reminders" in request.fixturenames:
        return
    if not (request.node.get_closest_marker("django_db") or "_django_db_helper" in request.fixturenames):
        return
    request.getfixturevalue("_django_db_helper")
    from notifications.models import Reminder

    Reminder.objects.all().delete()


@pytest.fixture
def shipped_reminders():
    """Keep the reminder rows a fresh database holds (see ``_own_reminders_only``)."""


@pytest.fixture
def vendor():
    return OrganizationFactory(vendor=True)


@pytest.fixture
def client_org():
    return OrganizationFactory(name="Acme Logistics", slug="acme")


@pytest.fixture
def other_client_org():
    return OrganizationFactory(name="Globex Retail", slug="globex")


@pytest.fixture
def vendor_admin(vendor):
    return UserFactory(vendor_admin=True, organization=vendor, full_name="Alex Admin")


@pytest.fixture
def executive(vendor):
    return UserFactory(executive=True, organization=vendor, full_name="Casey CTO")


@pytest.fixture
def director(vendor):
    return UserFactory(director=True, organization=vendor, full_name="Dana Director")


@pytest.fixture
def csm(vendor):
    return UserFactory(csm=True, organization=vendor, full_name="Anna CSM")


@pytest.fixture
def other_csm(vendor):
    return UserFactory(csm=True, organization=vendor, full_name="Ben CSM")


@pytest.fixture
def pm(vendor):
    return UserFactory(pm=True, organization=vendor, full_name="Petra PM")


@pytest.fixture
def deputy_pm(vendor):
    return UserFactory(pm=True, organization=vendor, full_name="Omar Deputy")


@pytest.fixture
def team_member(vendor):
    return UserFactory(organization=vendor, full_name="Lena Developer")


@pytest.fixture
def engagement(client_org, csm, pm, deputy_pm, team_member):
    engagement = EngagementFactory(client=client_org, csm=csm, pm=pm, deputy_pm=deputy_pm, name="Warehouse rollout")
    EngagementMemberFactory(engagement=engagement, user=team_member)
    return engagement


@pytest.fixture
def other_engagement(other_client_org, other_csm, vendor):
    pm = UserFactory(pm=True, organization=vendor)
    return EngagementFactory(client=other_client_org, csm=other_csm, pm=pm, deputy_pm=None, name="Globex shop")


@pytest.fixture
def client_key_user(client_org):
    return UserFactory(key_user=True, organization=client_org, full_name="Kasia Key")


@pytest.fixture
def client_member(client_org):
    return UserFactory(client_member=True, organization=client_org, full_name="Ivan Member")


@pytest.fixture
def other_client_user(other_client_org):
    return UserFactory(key_user=True, organization=other_client_org, full_name="Grace Other")


@pytest.fixture
def budgeted(engagement):
    """The fixture engagement with a planned budget (effort and amount), for burn figures."""
    engagement.planned_effort_days = Decimal("20")
    engagement.planned_amount = Decimal("10000")
    engagement.save()
    return engagement


@pytest.fixture
def uploads(settings, tmp_path):
    """Uploaded files go to a temporary folder for the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def page_queries():
    """``page_queries(client, url)``: the number of queries a GET of ``url`` makes (asserting it answers 200), to
    check a page at two data sizes."""
    from django.test.utils import CaptureQueriesContext

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(ctx.captured_queries)

    return count


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing with the production hasher costs ~0.3 s a user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_dashboard_figures():
    # The dashboards keep computed figures in the process too (portfolio.figures); each test starts without them.
    from portfolio import figures

    figures.forget()
    yield
    figures.forget()


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # The mail limits count in the cache: each test starts from zero, and never counts in the Redis that a
    # developer's running portal (or another test run) shares.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
