"""What the checklists migrations do to existing rows, called on today's models (the migrations read no live code,
so the historical and the live models agree on the fields they touch)."""

import importlib

import pytest
from django.apps import apps
from django.template.loader import get_template

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

RENAMES = importlib.import_module("checklists.migrations.0003_outbox_templates_renamed")


def test_notifications_written_under_an_earlier_template_name_still_render():
    old = {name: NotificationFactory(template=name) for name in RENAMES.RENAMED}
    RENAMES.forwards(apps, None)
    for name, row in old.items():
        row.refresh_from_db()
        assert row.template == RENAMES.RENAMED[name]
        get_template(f"{row.template}_subject.txt")
        get_template(f"{row.template}.txt")
        get_template(f"{row.template}.html")
    RENAMES.backwards(apps, None)
    assert set(Notification.objects.values_list("template", flat=True)) <= set(RENAMES.RENAMED)
