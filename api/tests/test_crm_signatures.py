from datetime import UTC, datetime, timedelta

from api.crm_signatures import hubspot_signature, hubspot_valid

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
