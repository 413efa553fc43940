"""Money is shown as the reader's language writes it, with the record's own ISO currency."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from engagements.currencies import format_money
from engagements.models import BillingRecord
from engagements.tests.factories import BillingRecordFactory, ClientProfileFactory

NBSP = "\xa0"


@pytest.mark.parametrize(
    "language, currency, shown",
    [
        ("pl", "PLN", f"1{NBSP}234,50{NBSP}zł"),
        ("pl", "EUR", f"1{NBSP}234,50{NBSP}€"),
        ("de", "EUR", f"1.234,50{NBSP}€"),
        ("de", "CHF", f"1.234,50{NBSP}CHF"),
        ("en", "EUR", "€1,234.50"),
        ("en", "USD", "$1,234.50"),
        # The currency's own decimals: yen have none (rounded half to even, as Babel rounds).
        ("en", "JPY", "¥1,234"),
    ],
)
def test_an_amount_is_written_as_the_readers_language_writes_money(language, currency, shown):
    with translation.override(language):
        assert format_money(Decimal("1234.50"), currency) == shown


def test_the_template_filter_shows_the_amount_or_nothing():
    template = Template("{% load money %}[{{ amount|money:currency }}]")
    with translation.override("pl"):
        assert template.render(Context({"amount": Decimal("12000"), "currency": "PLN"})) == f"[12{NBSP}000,00{NBSP}zł]"
        assert template.render(Context({"amount": None, "currency": "PLN"})) == "[]"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, shown",
    [("pl", f"12{NBSP}000,50{NBSP}zł"), ("de", f"12.000,50{NBSP}PLN"), ("en", "PLN12,000.50")],
)
def test_a_billing_record_is_shown_in_the_readers_money_format(client, csm, engagement, language, shown):
    profile = ClientProfileFactory(organization=engagement.client)
    BillingRecordFactory(profile=profile, amount=Decimal("12000.50"))
    BillingRecord.objects.update(currency="PLN")
    csm.language = language
    csm.save(update_fields=["language"])
    client.force_login(csm)
    page = client.get(reverse("engagements:client_detail", args=[profile.pk])).content.decode()
    assert f'<td class="text-end text-nowrap">{shown}</td>' in page
