import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from api.crm_signatures import hubspot_signature, hubspot_valid
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
