"""The client is told when a promise made to them is kept or broken (issue 22), and finds "Our promises" in the
portal's menu."""

import pytest
from django.urls import reverse

from engagements.models import PromiseStatus
from engagements.services import promise_close
from engagements.services.promise_notices import promises_mark_broken
from engagements.tests.factories import PromiseFactory, StakeholderFactory
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(engagement, client_key_user):
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    return client_key_user


def _told(user, event_prefix):
    return Notification.objects.filter(recipient=user, event__startswith=event_prefix)


def test_the_key_user_is_told_a_promise_made_to_them_is_kept(engagement, linked, csm):
    promise = PromiseFactory(engagement=engagement, shown_to_client=True, description="Test environment ready")
    promise_close(by=csm, promise=promise, status=PromiseStatus.KEPT)
    told = _told(linked, "governance.promise_kept_client")
    assert told.exists()
    assert {n.url for n in told} == {reverse("portal:promises")}
    # Kept again (a double click) tells nobody twice; an internal promise tells the client nothing.
    promise_close(by=csm, promise=promise, status=PromiseStatus.KEPT)
    assert _told(linked, "governance.promise_kept_client").count() == told.count()
    internal = PromiseFactory(engagement=engagement, shown_to_client=False)
    promise_close(by=csm, promise=internal, status=PromiseStatus.KEPT)
    assert not _told(linked, f"governance.promise_kept_client:{internal.pk}").exists()


def test_the_key_user_is_told_a_promise_made_to_them_is_broken(engagement, linked, django_assert_max_num_queries):
    made_to_client = PromiseFactory(engagement=engagement, shown_to_client=True, overdue=True)
    internal = PromiseFactory(engagement=engagement, shown_to_client=False, overdue=True)
    assert promises_mark_broken() == 2
    assert _told(linked, f"governance.promise_broken_client:{made_to_client.pk}:").exists()
    assert not _told(linked, f"governance.promise_broken_client:{internal.pk}:").exists()


def test_the_portal_menu_has_our_promises(client, linked):
    client.force_login(linked)
    page = client.get(reverse("portal:home")).content.decode()
    nav = page.split('aria-label="Main navigation"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("portal:promises")}"' in nav and "Our promises" in nav
    promises = client.get(reverse("portal:promises")).content.decode()
    current = promises.split('aria-current="page"', 1)[1][:80]
    assert "Our promises" in current
