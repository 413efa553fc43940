"""A Polish client's checklist is in Polish, and the mail about it reaches each person in their own language: the
item's title is the client's content (Polish), the rest of the mail is the recipient's (``user.language``)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from checklists import services as checklist_services
from checklists.models import ChecklistItem, ChecklistTemplate
from engagements.tests.factories import ClientProfileFactory
from notifications import services as notification_services
from notifications.models import Channel, Notification, Reminder
from notifications.services import relay, reminder_sweep, subjects

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
KEY_USERS_ITEM = "Wskazanie kluczowego użytkownika i sponsora po stronie klienta"


@pytest.fixture
def rendered_in(monkeypatch):
    """The language active while each mail template was rendered: (template, language)."""
    seen = []
    for module in (subjects, relay):
        real = module.render_plain

        def render(name, context, real=real):
            seen.append((name, translation.get_language()))
            return real(name, context)

        monkeypatch.setattr(module, "render_plain", render)
    return seen


@pytest.mark.parametrize("reader", ["pl", "en"])
def test_a_polish_clients_item_is_mailed_in_its_readers_language(
    csm, engagement, client_key_user, rendered_in, settings, reader
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ClientProfileFactory(organization=engagement.client, language="pl")
    client_key_user.language = reader
    client_key_user.save(update_fields=["language"])
    engagement.kickoff_on = date(2026, 11, 23)
    engagement.save(update_fields=["kickoff_on"])
    english = ChecklistTemplate.objects.get(key="standard-onboarding", language="en")
    checklist_services.template_apply(
        by=csm, engagement=engagement, template=english, now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    )
    item = ChecklistItem.objects.get(stage__engagement=engagement, title=KEY_USERS_ITEM)
    assert item.assignee == client_key_user
    at = Reminder.objects.get(key=f"checklist-item:{item.pk}:due-soon").due_at
    assert reminder_sweep(now=at) >= 1
    row = Notification.objects.get(channel=Channel.EMAIL, recipient=client_key_user)
    assert KEY_USERS_ITEM in row.subject
    # The subject was written in the reader's language (others reminded in the same sweep read their own).
    assert (f"{row.template}_subject.txt", reader) in rendered_in
    rendered_in.clear()
    message = notification_services.notification_email(row)
    assert KEY_USERS_ITEM in message.body
    assert rendered_in == [(f"{row.template}.txt", reader)]
