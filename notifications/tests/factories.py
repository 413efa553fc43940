from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from notifications.models import (
    Category,
    Channel,
    DigestSetting,
    Notification,
    NotificationPreference,
    Reminder,
    ReminderStatus,
    Status,
    dedupe_key_for,
)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    event = factory.Sequence(lambda n: f"test.event:{n}")
    recipient = factory.SubFactory(UserFactory)
    channel = Channel.EMAIL
    category = Category.CHECKLIST
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
    category = Category.CHECKLIST
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
    kind = "test.remind"
    status = ReminderStatus.PENDING
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))

    class Params:
        cancelled = factory.Trait(status=ReminderStatus.CANCELLED)
        due = factory.Trait(due_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1)))
        repeating = factory.Trait(repeat_every=timedelta(days=1))
