import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from notifications import registry
from notifications.models import Delivery, NotificationPreference, Reminder

from .factories import ALARM, MEETINGS, NEWS, NotificationFactory

pytestmark = pytest.mark.django_db


def test_the_centre_lists_only_my_notifications(client, client_key_user, other_client_user):
    NotificationFactory(recipient=client_key_user, in_app=True, subject="Please upload the signed DPA")
    NotificationFactory(recipient=other_client_user, in_app=True, subject="Globex secret")
    NotificationFactory(recipient=client_key_user, subject="Email copy only")  # the email row is not shown
    client.force_login(client_key_user)
    response = client.get(reverse("notifications:centre"))
    assertContains(response, "Please upload the signed DPA")
    assertNotContains(response, "Globex secret")
    assertNotContains(response, "Email copy only")


@pytest.mark.parametrize("count", [1, 120])
def test_the_centre_query_count_does_not_grow(client, csm, count, django_assert_max_num_queries):
    NotificationFactory.create_batch(count, recipient=csm, in_app=True)
    client.force_login(csm)
    # 8, and the staff layout's absence-cover banner (portfolio, one query on every staff page).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notifications:centre"))
    assert response.status_code == 200


def test_the_centre_pages_through_older_notifications(client, csm):
    from notifications.views import CENTRE_PAGE_SIZE

    NotificationFactory.create_batch(CENTRE_PAGE_SIZE + 5, recipient=csm, in_app=True)
    client.force_login(csm)
    first = client.get(reverse("notifications:centre"))
    assert len(first.context["notifications"]) == CENTRE_PAGE_SIZE
    assertContains(first, "Page 1 of 2")
    last = client.get(reverse("notifications:centre"), {"page": 2})
    assert len(last.context["notifications"]) == 5
    # A page past the end or a malformed one shows a real page, never an error.
    assert client.get(reverse("notifications:centre"), {"page": 99}).context["page"].number == 2
    assert client.get(reverse("notifications:centre"), {"page": "x"}).context["page"].number == 1


def test_the_navigation_shows_the_unread_count(client, csm):
    NotificationFactory.create_batch(3, recipient=csm, in_app=True)
    NotificationFactory(recipient=csm, in_app=True, read=True)
    client.force_login(csm)
    response = client.get(reverse("home"))
    assertContains(response, f'hx-get="{reverse("notifications:badge")}"')
    response = client.get(reverse("notifications:badge"))
    assertContains(response, 'data-testid="unread-count">3<')


def test_no_badge_when_all_is_read(client, csm):
    NotificationFactory(recipient=csm, in_app=True, read=True)
    client.force_login(csm)
    response = client.get(reverse("notifications:badge"))
    assert response.content.strip() == b""


def test_mark_read_and_open_follow_the_link(client, csm):
    notification = NotificationFactory(recipient=csm, in_app=True, url="/engagements/")
    client.force_login(csm)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/engagements/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_with_htmx_returns_the_item(client, csm):
    notification = NotificationFactory(recipient=csm, in_app=True, subject="Kickoff is scheduled")
    client.force_login(csm)
    response = client.post(reverse("notifications:read", args=[notification.pk]), headers={"HX-Request": "true"})
    assertContains(response, "Kickoff is scheduled")
    assertNotContains(response, "Mark as read")
    assert response["HX-Trigger"] == "notifications-read"  # the badge reloads on it


def test_a_foreign_link_is_not_followed(client, csm):
    notification = NotificationFactory(recipient=csm, in_app=True, url="https://evil.example/")
    client.force_login(csm)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:centre")


def test_mark_all_read(client, csm):
    NotificationFactory.create_batch(2, recipient=csm, in_app=True)
    client.force_login(csm)
    client.post(reverse("notifications:read_all"))
    assert not csm.notifications.filter(read_at__isnull=True, channel="in_app").exists()


def test_preferences_are_saved_and_schedule_the_digest(client, csm):
    client.force_login(csm)
    response = client.get(reverse("notifications:preferences"))
    assertContains(response, "Alarms")
    offered = {f"category_{c.value}": Delivery.IMMEDIATE for c in registry.preference_categories(user=csm)}
    response = client.post(
        reverse("notifications:preferences"),
        {
            **offered,
            "digest_hour": "7",
            f"category_{NEWS}": Delivery.DIGEST,
            f"category_{MEETINGS}": Delivery.OFF,
            # A tampered post cannot switch a mandatory category off: the field is fixed.
            f"category_{ALARM}": Delivery.OFF,
        },
    )
    assert response.status_code == 302
    prefs = dict(NotificationPreference.objects.filter(user=csm).values_list("category", "delivery"))
    assert prefs[NEWS] == Delivery.DIGEST
    assert prefs[MEETINGS] == Delivery.OFF
    assert ALARM not in prefs
    assert Reminder.objects.filter(key=f"digest:{csm.pk}", status="pending").exists()


def test_client_users_are_not_offered_staff_only_categories(client, client_key_user):
    registry.register_category("test_staff", "Staff summaries", for_client_users=False)
    client.force_login(client_key_user)
    response = client.get(reverse("notifications:preferences"))
    assertContains(response, "News")
    assertNotContains(response, "Staff summaries")
    assertContains(response, "Client portal")  # the layout registered by accounts: the portal's, for them


def test_bad_preferences_input_changes_nothing(client, csm):
    client.force_login(csm)
    response = client.post(reverse("notifications:preferences"), {"digest_hour": "99", f"category_{NEWS}": "x"})
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()
    assertContains(response, "Select a valid choice")


def test_client_users_get_the_portal_layout(client, client_key_user):
    client.force_login(client_key_user)
    response = client.get(reverse("notifications:preferences"))
    assertContains(response, "Client portal")


def test_the_badge_does_not_poll_so_an_open_tab_cannot_outlive_the_idle_timeout(client, csm, settings):
    # Every request saves the session (SESSION_SAVE_EVERY_REQUEST) and so pushes its idle expiry back: a badge
    # refreshed every minute would keep a forgotten tab signed in for ever. It loads with each page instead.
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(csm)
    response = client.get(reverse("home"))
    assertContains(
        response, f'hx-get="{reverse("notifications:badge")}" hx-trigger="load, notifications-read from:body"'
    )
    assert not re.search(r'hx-trigger="[^"]*every', response.content.decode())
