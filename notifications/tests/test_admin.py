import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from accounts.tests.factories import UserFactory
from notifications.models import Notification, Status

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(vendor_admin=True, is_staff=True, is_superuser=True))
    return client


def test_the_log_shows_why_a_delivery_failed_and_can_be_searched(admin_client):
    failed = NotificationFactory(failed=True, subject="Kickoff agenda", to_email="bad@example.com")
    NotificationFactory(subject="Something else")
    url = reverse("admin:notifications_notification_changelist")
    response = admin_client.get(url, {"q": "bad@example.com", "status__exact": Status.FAILED})
    assertContains(response, "Kickoff agenda")
    assertContains(response, "550 no such user")
    assert "Something else" not in response.content.decode()
    response = admin_client.get(reverse("admin:notifications_notification_change", args=[failed.pk]))
    assertContains(response, "SMTPRecipientsRefused")


@pytest.mark.parametrize("count", [2, 20])
def test_the_log_query_count_does_not_grow(admin_client, count, django_assert_max_num_queries):
    NotificationFactory.create_batch(count)
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:notifications_notification_changelist"))


def test_the_retry_action_puts_failed_mail_back_in_the_outbox(admin_client, django_capture_on_commit_callbacks):
    failed = NotificationFactory(failed=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "retry", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)
    assert len(callbacks) == 1  # the relay is kicked
    assert Notification.objects.filter(status=Status.FAILED).count() == 0


def test_staff_who_may_only_view_the_log_cannot_resend_mail(client):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(viewer)
    failed = NotificationFactory(failed=True)
    url = reverse("admin:notifications_notification_changelist")
    assert client.get(url).status_code == 200
    client.post(url, {"action": "retry", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
