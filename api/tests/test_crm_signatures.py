import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from api.crm_signatures import hubspot_signature, hubspot_valid, salesforce_signature, salesforce_valid
from api.models import CrmDeal
from engagements.models import Engagement

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
URI = "https://portal.example/api/v1/deals/won/hubspot/"
BODY = b'{"deal_id": "1"}'


def signed(at=NOW):
    timestamp = str(int(at.timestamp() * 1000))
    return timestamp, hubspot_signature(secret="s3cret", method="POST", uri=URI, body=BODY, timestamp=timestamp)


def check(timestamp, signature, body=BODY, secret="s3cret"):
    return hubspot_valid(
        secret=secret, method="POST", uri=URI, body=body, timestamp=timestamp, signature=signature, now=NOW
    )


def test_a_valid_hubspot_signature():
    assert check(*signed())


def test_a_tampered_body_or_wrong_secret_is_refused():
    assert not check(*signed(), body=b'{"deal_id": "2"}')
    assert not check(*signed(), secret="other")
    assert not check(*signed(), secret="")


def test_a_stale_timestamp_is_refused():
    assert not check(*signed(NOW - timedelta(minutes=6)))
    assert check(*signed(NOW - timedelta(minutes=4)))


HOOK = "/api/v1/deals/won/hubspot/"


def hubspot_post(client, body: bytes, *, at, secret="s3cret"):
    timestamp = str(int(at.timestamp() * 1000))
    signature = hubspot_signature(
        secret=secret, method="POST", uri=f"http://testserver{HOOK}", body=body, timestamp=timestamp
    )
    return client.post(
        HOOK,
        body,
        content_type="application/json",
        HTTP_X_HUBSPOT_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_HUBSPOT_SIGNATURE_V3=signature,
    )


@pytest.mark.django_db
def test_a_signed_hubspot_deal_opens_the_engagement_and_a_tampered_one_is_refused(client, vendor_admin, vendor, csm):
    UserFactory(organization=vendor, email="ae@vendor.test")
    body = json.dumps(
        {
            "objectId": 4711,
            "properties": {
                "dealname": "Initech rollout",
                "amount": "900",
                "deal_currency_code": "EUR",
                "owner_email": "ae@vendor.test",
            },
            "company": {"id": "c-1", "name": "Initech"},
        }
    ).encode()
    with override_settings(CRM_HUBSPOT_SECRET="s3cret", CRM_HUBSPOT_USER=vendor_admin.email):
        assert hubspot_post(client, body, at=timezone.now(), secret="wrong").status_code == 404
        assert hubspot_post(client, body, at=timezone.now() - timedelta(minutes=6)).status_code == 404
        assert Engagement.objects.count() == 0
        answer = hubspot_post(client, body, at=timezone.now())
    assert answer.status_code == 201, answer.json()
    assert CrmDeal.objects.get().deal_id == "4711"
    assert CrmDeal.objects.get().source == "hubspot"


# Salesforce: a Flow/Apex callout signed with the shared secret (HMAC-SHA256 of "timestamp.body", seconds).
SF_HOOK = "/api/v1/deals/won/salesforce/"


def sf_signed(body=BODY, at=NOW, secret="s3cret"):
    timestamp = str(int(at.timestamp()))
    return timestamp, salesforce_signature(secret=secret, body=body, timestamp=timestamp)


def sf_check(timestamp, signature, body=BODY, secret="s3cret"):
    return salesforce_valid(secret=secret, body=body, timestamp=timestamp, signature=signature, now=NOW)


def test_a_valid_salesforce_signature():
    timestamp, signature = sf_signed()
    assert signature.startswith("v1=")
    assert sf_check(timestamp, signature)


def test_the_salesforce_signature_is_the_documented_hmac():
    # What the Apex side computes: base64(HMAC-SHA256(secret, timestamp + "." + body)), prefixed "v1=".
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"s3cret", b"1796374800." + BODY, hashlib.sha256).digest()).decode()
    assert salesforce_signature(secret="s3cret", body=BODY, timestamp="1796374800") == f"v1={expected}"


def test_a_tampered_stale_or_unsigned_salesforce_call_is_refused():
    assert not sf_check(*sf_signed(), body=b'{"deal_id": "2"}')
    assert not sf_check(*sf_signed(), secret="other")
    assert not sf_check(*sf_signed(), secret="")
    assert not sf_check(*sf_signed(at=NOW - timedelta(minutes=6)))
    assert not sf_check(*sf_signed(at=NOW + timedelta(minutes=6)))
    assert sf_check(*sf_signed(at=NOW - timedelta(minutes=4)))
    assert not sf_check("not-a-number", "v1=x")
    assert not sf_check(sf_signed()[0], "")


def opportunity(**changes):
    body = {
        "Id": "006Dn000004XyZ1",
        "Name": "Initech rollout",
        "StageName": "Closed Won",
        "IsWon": True,
        "Amount": 900,
        "CurrencyIsoCode": "EUR",
        "CloseDate": "2026-12-01",
        "Owner": {"Email": "ae@vendor.test"},
        "Account": {"Id": "001Dn00000AbC", "Name": "Initech"},
        "promises": [{"description": "SSO by go-live", "due_at": "2027-03-01T09:00:00Z"}],
    }
    body.update(changes)
    return json.dumps(body).encode()


def salesforce_post(client, body: bytes, *, at, secret="s3cret"):
    timestamp, signature = sf_signed(body=body, at=at, secret=secret)
    return client.post(
        SF_HOOK,
        body,
        content_type="application/json",
        HTTP_X_SALESFORCE_TIMESTAMP=timestamp,
        HTTP_X_SALESFORCE_SIGNATURE=signature,
    )


@pytest.mark.django_db
def test_a_signed_closed_won_opportunity_opens_the_engagement_and_a_tampered_one_is_refused(
    client, vendor_admin, vendor, csm
):
    owner = UserFactory(organization=vendor, email="ae@vendor.test")
    body = opportunity()
    with override_settings(CRM_SALESFORCE_SECRET="s3cret", CRM_SALESFORCE_USER=vendor_admin.email):
        assert salesforce_post(client, body, at=timezone.now(), secret="wrong").status_code == 404
        assert salesforce_post(client, body, at=timezone.now() - timedelta(minutes=6)).status_code == 404
        assert client.post(SF_HOOK, body, content_type="application/json").status_code == 401
        assert Engagement.objects.count() == 0
        answer = salesforce_post(client, body, at=timezone.now())
        again = salesforce_post(client, body, at=timezone.now())
    assert answer.status_code == 201, answer.json()
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    deal = CrmDeal.objects.get()
    assert (deal.source, deal.deal_id) == ("salesforce", "006Dn000004XyZ1")
    engagement = deal.engagement
    assert (engagement.client.name, engagement.account_executive, engagement.csm) == ("Initech", owner, csm)
    assert str(engagement.planned_amount) == "900.00" and engagement.currency == "EUR"
    assert engagement.contract_signed_on.isoformat() == "2026-12-01"
    assert list(engagement.promises.values_list("description", flat=True)) == ["SSO by go-live"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"StageName": "Negotiation", "IsWon": False}, "StageName"),
        ({"Amount": -1}, "amount"),
        ({"Owner": {"Email": "nobody@vendor.test"}}, "owner_email"),
        ({"Account": "not an object"}, "account"),
        ({"CloseDate": "yesterday"}, "closed_on"),
    ],
)
def test_a_bad_salesforce_opportunity_is_a_problem_and_changes_nothing(
    client, vendor_admin, vendor, csm, changes, field
):
    from api.models import CrmReceipt

    UserFactory(organization=vendor, email="ae@vendor.test")
    with override_settings(CRM_SALESFORCE_SECRET="s3cret", CRM_SALESFORCE_USER=vendor_admin.email):
        answer = salesforce_post(client, opportunity(**changes), at=timezone.now())
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/problem+json")
    assert field in answer.json()["errors"]
    assert Engagement.objects.count() == 0
    assert CrmReceipt.objects.get().source == "salesforce"
