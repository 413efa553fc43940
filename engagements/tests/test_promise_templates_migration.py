"""The notices written before the promise ledger moved to engagements still render: the data migration points
them at the templates' new place (and back)."""

from importlib import import_module

import pytest
from django.apps import apps
from django.template.loader import get_template

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

migration = import_module("engagements.migrations.0017_promise_templates_from_governance")

pytestmark = pytest.mark.django_db


def test_old_notices_are_pointed_at_the_moved_templates_and_back():
    old = NotificationFactory(template="governance/email/promise_broken", category="governance")
    other = NotificationFactory(template="governance/email/meeting_invitation", category="governance")
    migration.forwards(apps, None)
    assert Notification.objects.get(pk=old.pk).template == "engagements/email/promise_broken"
    assert Notification.objects.get(pk=other.pk).template == "governance/email/meeting_invitation"
    for new in migration.RENAMED.values():
        for suffix in (".txt", ".html", "_subject.txt"):
            get_template(new + suffix)
    migration.backwards(apps, None)
    assert Notification.objects.get(pk=old.pk).template == "governance/email/promise_broken"
