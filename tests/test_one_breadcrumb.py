"""Every page shows one breadcrumb: the layout's, above the messages. A page adds its own steps to the layout's
``breadcrumbs`` block and never draws a second trail in its content (the red-flag pages did). The trail ends with
the page itself, marked ``aria-current="page"`` (the portal's list pages stopped at "Home")."""

import re

import pytest
from django.test import Client

from .test_url_access import _url
from .url_access import RULES

TRAIL = re.compile(r'<ol class="breadcrumb[\s"]')
TRAIL_ITEMS = re.compile(r'<ol class="breadcrumb[\s"].*?</ol>', re.S)
ITEM = re.compile(r"<li\b[^>]*>.*?</li>", re.S)
# Who opens each page: the client's key user where the portal allows them, else the engagement's CSM, else an admin.
READERS = ("client_key_user", "csm", "vendor_admin")


def _pages():
    for name, rule in sorted(RULES.items()):
        if "GET" in rule.methods and not rule.public:
            reader = next((role for role in READERS if role in rule.allowed), None)
            if reader:
                yield name, rule, reader


@pytest.mark.django_db
def test_every_page_shows_one_breadcrumb(world):
    checked = []
    for name, rule, reader in _pages():
        client = Client()
        client.force_login(world["personas"][reader])
        response = client.get(_url(name, rule, world, other=False))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        if "<main" not in page:
            continue  # an htmx fragment, shown inside a page
        trails = len(TRAIL.findall(page))
        assert trails == 1, f"{name} as {reader}: {trails} breadcrumbs"
        items = ITEM.findall(TRAIL_ITEMS.search(page).group())
        current = [item for item in items if 'aria-current="page"' in item]
        assert current == items[-1:], f"{name} as {reader}: the trail does not end with the current page: {items}"
        checked.append(name)
    # The walk reached the pages the defect was on, and the portal as a whole.
    assert {"portal:flag", "escalations:flag", "portal:home", "portal:contract"} <= set(checked)
    assert len([name for name in checked if name.startswith("portal:")]) >= 15
