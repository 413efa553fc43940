"""The live schema, exercised by schemathesis through the WSGI app: as a staff token and as a client token, every
operation answers without a server error and as its schema says (status, content type, body).

Examples are derived (``derandomize``), so a run is repeatable; each operation gets a few dozen of them."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import PromiseFactory, StakeholderFactory
from governance.models import MinutesVersion
from governance.tests.factories import MeetingFactory, MeetingSeriesFactory

from .factories import token_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Read once, at collection (the schema view needs no database): one test per operation and token.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # As Django's test client does: the WSGI handler must not close the test's connection (and its transaction)
    # when a request finishes.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def objects(db, settings, engagement):
    """A few objects to find, and no rate limit in the way of hundreds of requests."""
    settings.API_RATE_PER_MINUTE = 100_000
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, owner_side="client")
    StakeholderFactory(engagement=engagement)
    PromiseFactory(engagement=engagement, shown_to_client=True)
    meeting = MeetingFactory(series=MeetingSeriesFactory(engagement=engagement), status="held", minutes_version=1)
    MinutesVersion.objects.create(meeting=meeting, number=1, content={"sections": []}, published_by=engagement.csm)


def _examples(test):
    return schema.parametrize()(
        settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))(test)
    )


@pytest.mark.django_db
@_examples
def test_a_staff_token_meets_the_schema(case, objects, pm):
    case.call_and_validate(headers={"Authorization": f"Bearer {token_for(pm)}"}, checks=CHECKS)


@pytest.mark.django_db
@_examples
def test_a_client_token_meets_the_schema(case, objects, client_key_user):
    case.call_and_validate(headers={"Authorization": f"Bearer {token_for(client_key_user)}"}, checks=CHECKS)


# --- Stateful: every OpenAPI link the schema gives (``api.schema.add_links``), followed ---------------------------

CALLS: dict[str, int] = {}


def _run_stateful(token):
    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def after_call(self, response, case):
            CALLS[case.operation.label] = CALLS.get(case.operation.label, 0) + 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def _links():
    return sum(
        len(response.get("links", {}))
        for operations in schema.raw_schema["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
    )


@pytest.mark.django_db
def test_every_link_followed_as_staff_and_as_a_client(objects, pm, client_key_user, capsys):
    assert _links() >= 40
    CALLS.clear()
    _run_stateful(token_for(pm))
    _run_stateful(token_for(client_key_user))
    followed = {label for label in CALLS if "{id}" in label}
    with capsys.disabled():
        print(f"\nschemathesis stateful: {len(CALLS)} operations called, {_links()} links, {sum(CALLS.values())} calls")
    assert followed, "no link was followed"
