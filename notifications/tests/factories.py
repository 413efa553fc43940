from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from notifications import registry
from notifications.models import (
    Channel,
    DigestSetting,
    Notification,
    NotificationPreference,
    Reminder,
    ReminderStatus,
    Status,
    dedupe_key_for,
)

# Categories of notifications' own tests (registered by conftest.py): one a user may switch off or delay, a second
# such one, and one that always comes at once.
NEWS = "test_news"
MEETINGS = "test_meetings"
ALARM = "test_alarm"
# A reminder kind whose handler the test module that uses it registers.
TEST_KIND = "test.remind"


def register_test_kinds() -> None:
    registry.register_category(NEWS, "News", position=1)
    registry.register_category(MEETINGS, "Meetings", position=2)
    registry.register_category(ALARM, "Alarms", mandatory=True, position=3)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    event = factory.Sequence(lambda n: f"test.event:{n}")
    recipient = factory.SubFactory(UserFactory)
    channel = Channel.EMAIL
    category = NEWS
    status = Status.PENDING
    to_email = factory.LazyAttribute(lambda o: o.recipient.email if o.recipient else "someone@example.com")
    template = "notifications/email/generic"
    subject = factory.Sequence(lambda n: f"Checklist item {n} is due soon")
    url = "/"
    dedupe_key = factory.LazyAttribute(
        lambda o: dedupe_key_for(o.event, f"user:{o.recipient.pk}" if o.recipient else o.to_email, o.channel)
    )

    class Params:
        in_app = factory.Trait(
            channel=Channel.IN_APP,
            status=Status.SENT,
            sent_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(
            status=Status.FAILED,
            attempts=8,
            last_error="SMTPRecipientsRefused: 550 no such user",
        )
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))


class NotificationPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    category = NEWS
    delivery = "immediate"

    class Params:
        digest = factory.Trait(delivery="digest")
        off = factory.Trait(delivery="off")


class DigestSettingFactory(DjangoModelFactory):
    class Meta:
        model = DigestSetting

    user = factory.SubFactory(UserFactory)
    hour = 8

    class Params:
        early = factory.Trait(hour=6)


class ReminderFactory(DjangoModelFactory):
    class Meta:
        model = Reminder

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = TEST_KIND
    status = ReminderStatus.PENDING
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))

    class Params:
        cancelled = factory.Trait(status=ReminderStatus.CANCELLED)
        due = factory.Trait(due_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1)))
        repeating = factory.Trait(repeat_every=timedelta(days=1))
