"""The client's contract and billing page: their own organization's contract, invoices and obligations (overdue
ones highlighted), nothing of another client's, in a number of queries that does not grow with the records."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.models import BillingKind, BillingStatus
from engagements.tests.factories import BillingRecordFactory, ClientProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(engagement, csm):
    return ClientProfileFactory(
        organization=engagement.client,
        csm=csm,
        contract_signed_on=date(2026, 9, 1),
        contract_term_months=24,
        services_in_scope="Warehouse system, 2nd-level support",
        commercial_summary="Discount 12% (internal)",
        knowledge_page="Internal notes",
    )


def test_the_client_sees_its_contract_and_overdue_records_highlighted(client, profile, client_member, engagement):
    engagement.planned_amount = Decimal("120000")
    engagement.currency = "PLN"
    engagement.save()
    today = timezone.localdate()
    BillingRecordFactory(
        profile=profile, title="Invoice 7/2026", due_on=today - timedelta(days=3), status=BillingStatus.ISSUED
    )
    BillingRecordFactory(
        profile=profile, title="Invoice 8/2026", due_on=today + timedelta(days=20), status=BillingStatus.PLANNED
    )
    BillingRecordFactory(
        profile=profile,
        kind=BillingKind.OBLIGATION,
        title="Provide test data",
        due_on=today - timedelta(days=1),
        status=BillingStatus.OVERDUE,
    )
    client.force_login(client_member)
    page = client.get(reverse("portal:contract")).text
    assert "Warehouse system, 2nd-level support" in page
    # The engagement's planned amount is its planned budget (no contract value is recorded anywhere), in money format.
    assert "Contract value" not in page
    assert f'data-testid="planned-budget-{engagement.pk}">PLN120,000.00</span>' in page
    assert "Planned budget" in page
    assert "Invoice 7/2026" in page and "Provide test data" in page
    assert page.count('data-overdue="true"') == 2
    assert "Discount 12%" not in page and "Internal notes" not in page


def test_another_clients_contract_never_shows(client, profile, other_engagement, other_client_user):
    other_profile = ClientProfileFactory(organization=other_engagement.client, services_in_scope="Globex webshop")
    BillingRecordFactory(profile=other_profile, title="Globex invoice 1")
    BillingRecordFactory(profile=profile, title="Acme invoice 1")
    client.force_login(other_client_user)
    page = client.get(reverse("portal:contract")).text
    assert "Globex invoice 1" in page and "Globex webshop" in page
    assert "Acme invoice 1" not in page and "Warehouse system" not in page


def test_the_contract_page_runs_the_same_queries_at_two_sizes(client, page_queries, profile, client_key_user):
    client.force_login(client_key_user)
    BillingRecordFactory(profile=profile)
    small = page_queries(client, reverse("portal:contract"))
    for i in range(10):
        BillingRecordFactory(profile=profile, kind=BillingKind.OBLIGATION if i % 2 else BillingKind.INVOICE)
    assert page_queries(client, reverse("portal:contract")) == small


def test_the_planned_budget_reads_in_polish(client, profile, client_key_user, engagement):
    engagement.planned_amount = Decimal("120000")
    engagement.currency = "PLN"
    engagement.save()
    client_key_user.language = "pl"
    client_key_user.save(update_fields=["language"])
    client.force_login(client_key_user)
    page = client.get(reverse("portal:contract")).text
    assert "Planowany budżet" in page and "Wartość umowy" not in page
    assert "120\xa0000,00\xa0zł" in page
