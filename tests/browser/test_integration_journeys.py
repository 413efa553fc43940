"""In a real browser, the integration surface as a CSM uses it: a personal API token created on the profile (its
secret shown once), a webhook endpoint registered for the CSM's client to a local receiver, a won deal posted to
the CRM endpoint with that token (over HTTP, as the CRM would), the engagement it opened shown with its sales
promises and the CSM's notice, and the receiver's ``engagement.created`` delivery verified with the Standard
Webhooks reference code; the token then reads the engagement from the API. Every page is checked with axe-core and
photographed."""

import json
import urllib.request

import pytest
from django.test import Client
from playwright.sync_api import expect
from standardwebhooks import Webhook

from accounts.tests.factories import UserFactory
from engagements.models import Engagement, Phase
from engagements.tests.factories import ClientProfileFactory
from tests.browser.helpers import axe_violations, log_in_as, screenshot
from webhooks.models import Endpoint
from webhooks.services import relay
from webhooks.tests import receiver as receivers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, name):
    screenshot(page, name)
    assert axe_violations(page) == [], name


@pytest.fixture
def local_receiver(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver = receivers.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def post_won_deal(url: str, token: str, deal: dict) -> tuple[int, dict]:
    """What the CRM's outbound call does: a JSON POST with the service token, over HTTP."""
    request = urllib.request.Request(
        url,
        data=json.dumps(deal).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, json.loads(answer.read())


def test_a_csm_creates_a_token_registers_a_webhook_and_a_won_deal_opens_the_engagement(
    page, live_server, local_receiver, csm, client_org, vendor
):
    ClientProfileFactory(organization=client_org, csm=csm)
    UserFactory(organization=vendor, email="ae.jonas@vendor.test", full_name="Jonas Berg")
    log_in_as(page, live_server, csm)

    # A token from the profile: the secret is shown once.
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Engagements: read", exact=True).check()
    page.get_by_label("Won deals from a CRM: read and write", exact=True).check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-token").locator("code").inner_text().strip()
    assert secret.startswith("op_")
    checked(page, "integration-token-created")
    page.goto(f"{live_server.url}/api/tokens/")
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.get_by_text("CRM sync")).to_be_visible()

    # A webhook endpoint for the CSM's client, to the local receiver.
    page.goto(f"{live_server.url}/webhooks/new/")
    page.get_by_label("URL").fill(local_receiver.url)
    page.get_by_label("Description").fill("Ticket tool")
    page.get_by_role("combobox", name="Client").select_option(label=str(client_org))
    page.get_by_role("checkbox", name="engagement.created").check()
    page.get_by_role("button", name="Save").click()
    endpoint = Endpoint.objects.get(url=local_receiver.url)
    expect(page.get_by_role("heading", name=str(endpoint))).to_be_visible()

    # The CRM posts the won deal with the token; the engagement opens in handoff with its sales promise.
    status, answer = post_won_deal(
        f"{live_server.url}/api/v1/deals/won/",
        secret,
        {
            "deal_id": "HS-4711",
            "name": "Warehouse roll-out",
            "account": {"id": "ACC-1", "name": client_org.name},
            "owner_email": "ae.jonas@vendor.test",
            "amount": "48000.00",
            "currency": "EUR",
            "promises": [{"description": "Single sign-on by go-live", "due_at": "2027-06-01T09:00:00Z"}],
        },
    )
    assert (status, answer["outcome"]) == (201, "created")
    engagement = Engagement.objects.get(name="Warehouse roll-out")
    assert (answer["engagement"]["id"], engagement.client, engagement.phase) == (
        engagement.pk,
        client_org,
        Phase.HANDOFF,
    )
    assert engagement.csm == csm and engagement.account_executive.email == "ae.jonas@vendor.test"

    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_role("heading", name="Warehouse roll-out")).to_be_visible()
    promises = page.locator("#promises")
    expect(promises.get_by_text("Single sign-on by go-live")).to_be_visible()
    checked(page, "integration-deal-won-engagement")

    # The CSM the rule named is told, with a link to the engagement.
    page.goto(f"{live_server.url}/notifications/")
    notice = page.get_by_role("main").get_by_text("A won deal is yours: Warehouse roll-out")
    expect(notice).to_be_visible()
    checked(page, "integration-deal-won-notice")

    # The relay (a beat tick in production) delivers the event; the reference code verifies its signature.
    assert relay.delivery_relay() == 1
    (received,) = local_receiver.requests
    payload = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert payload["type"] == "engagement.created" and payload["data"]["engagement"]["id"] == engagement.pk
    assert payload["data"]["client"]["id"] == client_org.pk
    assert json.loads(received.body)["type"] == "engagement.created"

    page.goto(f"{live_server.url}/webhooks/{endpoint.pk}/")
    log = page.get_by_test_id("delivery-log")
    expect(log.get_by_text("engagement.created")).to_be_visible()
    checked(page, "integration-webhook-delivered")

    # The token reads the new engagement from the API, as the CSM would see it.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = api.get("/api/v1/engagements/")
    assert listed.status_code == 200
    assert engagement.pk in [row["id"] for row in listed.json()["results"]]
