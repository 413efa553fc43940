"""No server-side request forgery: refused on save and again at delivery time, unless allow-listed."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from .. import network
from ..models import Delivery, DeliveryStatus
from ..services import delivery_relay, emit, endpoint_create
from .factories import EndpointFactory

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # the cloud metadata service
    "100.64.0.1",  # shared address space (carrier NAT)
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "ff02::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    assert network.address_refused(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert not network.address_refused(address)


def test_the_allow_list_lets_a_named_network_through(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["10.20.0.0/16", "127.0.0.1/32"]
    assert not network.address_refused("10.20.3.4")
    assert not network.address_refused("::ffff:127.0.0.1")
    assert network.address_refused("10.21.0.1")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "gopher://hooks.example.com/",
        "https://user:pw@hooks.example.com/",
    ],
)
def test_only_plain_http_and_https_urls(url, monkeypatch):
    monkeypatch.setattr(network, "resolve", lambda host, port: ["93.184.215.14"])
    with pytest.raises(network.Refused):
        network.target_for(url)


def test_a_name_with_any_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(network, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.5"])
    with pytest.raises(network.Refused, match="10.0.0.5"):
        network.target_for("https://hooks.example.com/in")


@pytest.mark.django_db
def test_saving_an_endpoint_to_loopback_is_refused():
    with pytest.raises(ValidationError) as error:
        endpoint_create(by=None, url="http://127.0.0.1:8000/hook", event_types=["engagement.created"])
    assert "url" in error.value.message_dict
    with pytest.raises(ValidationError):
        endpoint_create(by=None, url="http://[::ffff:7f00:1]/hook", event_types=["engagement.created"])


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_name_that_moved_to_a_private_address_is_refused_at_delivery(monkeypatch, local_receiver):
    """DNS rebinding: the name passed when saved, and points inside when the delivery goes."""
    EndpointFactory(url="http://hooks.example.com/in")
    monkeypatch.setattr(network, "resolve", lambda host, port: ["169.254.169.254"])
    emit("engagement.created", {}, now=T0)

    assert delivery_relay(now=T0) == 0

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "169.254.169.254" in delivery.last_error
    assert local_receiver.requests == []


@pytest.mark.django_db
@pytest.mark.postgres
def test_redirects_are_not_followed(local_receiver):
    local_receiver.status, local_receiver.headers = 302, {"Location": "http://169.254.169.254/latest/meta-data/"}
    EndpointFactory(url=local_receiver.url)
    emit("engagement.created", {}, now=T0)
    delivery_relay(now=T0)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.PENDING, 302)
    assert len(local_receiver.requests) == 1
