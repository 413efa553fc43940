import pytest

from . import receiver as receivers


@pytest.fixture
def local_receivers(settings):
    """Receivers on 127.0.0.1, allow-listed as an admin would allow-list an in-house receiver; no jitter, so the
    retry times are exact."""
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOKS_RETRY_JITTER = 0
    started = []

    def make(**options):
        receiver = receivers.start()
        for name, value in options.items():
            setattr(receiver, name, value)
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.server.shutdown()
        receiver.server.server_close()


@pytest.fixture
def local_receiver(local_receivers):
    return local_receivers()
