"""The apps fill notifications' registries in their own AppConfig.ready(), and the order of INSTALLED_APPS does
not matter (tests/, outside the import contracts, may name every app)."""

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from checklists import reminders
from escalations.services.defaults import escalation_defaults_ensure
from notifications import registry
from notifications.models import Reminder, ReminderStatus
from notifications.schedule import periodic_tasks_ensure

APPS = [
    "notifications",
    "accounts",
    "engagements",
    "checklists",
    "governance",
    "escalations",
    "quality",
    "documents",
    "webhooks",
    "portfolio",
    "api",
    "client_data",
]


def _snapshot():
    return (
        [(c.value, str(c.label), c.mandatory, c.on_preferences, c.for_client_users) for c in registry.categories()],
        {kind: registry.reminder_handler_for(kind) for kind in sorted(registry._reminder_kinds)},
        dict(registry._context_providers),
        sorted(registry.periodic_tasks(), key=lambda tick: tick.name),
        sorted(registry.ensure_hooks(), key=repr),
        list(registry._page_layouts),
    )


def test_the_apps_register_what_notifications_needs():
    categories = {c.value: c for c in registry.categories()}
    assert set(categories) == {
        "checklist",
        "decisions",
        "comments",
        "cover",
        "governance",
        "digest",
        "account",
        "escalation",
        "red_flag",
        "quality",
        "documents",
        "webhooks",
        "crm",
        "plan",
    }
    assert not categories["crm"].for_client_users
    assert categories["quality"].for_client_users and categories["documents"].for_client_users
    assert registry.reminder_handler_for("documents.acknowledgement") is not None
    assert {value for value, c in categories.items() if c.mandatory} == {
        "account",
        "escalation",
        "red_flag",
        "webhooks",
    }
    assert not categories["digest"].for_client_users
    for kind in (reminders.DUE_SOON_KIND, reminders.OVERDUE_KIND, reminders.WEEKLY_KIND):
        assert registry.reminder_handler_for(kind) is not None
    assert "accounts/email/invitation" in registry._context_providers
    assert {tick.task for tick in registry.periodic_tasks()} == {
        "notifications.relay",
        "notifications.fanout_purge",
        "notifications.reminders_sweep",
        "checklists.ask_day30_satisfaction",
        "escalations.sweep",
        "escalations.holidays_keep_ahead",
        "governance.meetings_top_up",
        "governance.promises_mark_broken",
        "webhooks.relay",
        "webhooks.purge",
        "api.crm_receipts_purge",
        "checklists.reschedule_late_plans",
        "engagements.figures_tick",
        "client_data.build_due",
        "client_data.expire",
    }
    assert reminders.weekly_digest_ensure in registry.ensure_hooks()
    assert escalation_defaults_ensure in registry.ensure_hooks()


@pytest.mark.parametrize("order", [APPS, list(reversed(APPS))], ids=["notifications-first", "notifications-last"])
def test_the_order_of_the_apps_does_not_matter(order):
    expected = _snapshot()
    with registry.isolated(empty=True):
        for label in order:
            apps.get_app_config(label).ready()
        assert _snapshot() == expected


@pytest.mark.django_db
def test_after_migrate_the_ticks_and_the_weekly_digest_exist_once():
    PeriodicTask.objects.all().delete()
    Reminder.objects.filter(key=reminders.WEEKLY_KEY).delete()
    periodic_tasks_ensure()
    periodic_tasks_ensure()
    ticks = {task.name: task for task in PeriodicTask.objects.all()}
    assert ticks["checklists: ask day-30 satisfaction"].task == "checklists.ask_day30_satisfaction"
    assert ticks["checklists: ask day-30 satisfaction"].expire_seconds == 3600
    assert ticks["notifications: relay outbox"].interval.every == 30
    assert ticks["notifications: purge old fan-outs"].task == "notifications.fanout_purge"
    assert Reminder.objects.filter(key=reminders.WEEKLY_KEY, status=ReminderStatus.PENDING).count() == 1


@pytest.mark.django_db
def test_an_emptied_database_gets_the_default_cadences_and_checklist_template_back_once():
    # A transactional test's flush empties what the data migrations shipped; seed_demo then needs them again.
    from checklists.models import ChecklistTemplate
    from governance.models import CadenceTemplate

    cadences, templates = CadenceTemplate.objects.count(), ChecklistTemplate.objects.count()
    assert cadences and templates
    CadenceTemplate.objects.all().delete()
    ChecklistTemplate.objects.all().delete()
    periodic_tasks_ensure()
    periodic_tasks_ensure()
    assert CadenceTemplate.objects.count() == cadences
    assert set(CadenceTemplate.objects.values_list("language", flat=True)) == {"de", "en", "pl"}
    # The default checklist template, once in each language it ships in, the default in each.
    defaults = ChecklistTemplate.objects.order_by("language")
    assert [(t.key, t.language, t.is_default) for t in defaults] == [
        ("standard-onboarding", language, True) for language in ("de", "en", "pl")
    ]


@pytest.mark.django_db
def test_an_admins_deleted_cadence_is_not_put_back():
    from governance.models import CadenceTemplate

    deleted = CadenceTemplate.objects.first()
    deleted.delete()
    periodic_tasks_ensure()
    assert not CadenceTemplate.objects.filter(pk=deleted.pk).exists()
    assert not CadenceTemplate.objects.filter(key=deleted.key, language=deleted.language).exists()
