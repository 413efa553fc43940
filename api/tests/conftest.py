import pytest
from rest_framework.test import APIClient

from .factories import token_for


@pytest.fixture
def api_as():
    """``api_as(user, scopes=...)``: an API client sending a fresh token of ``user``."""

    def make(user, **kwargs):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, **kwargs)}")
        return client

    return make
