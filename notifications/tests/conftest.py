import pytest

from notifications import registry

from .factories import register_test_kinds


@pytest.fixture(autouse=True)
def notification_test_registry():
    """notifications' tests bring their own categories and reminder kind, so they do not depend on which apps
    are installed; everything registered here is gone after each test."""
    with registry.isolated():
        register_test_kinds()
        yield
