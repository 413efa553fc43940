"""Who gets which outbox rows for an event, and their subjects: the rule ``notify_many`` and the relay's expansion
of deferred fan-outs share (a leaf: it writes nothing and imports no other writer)."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from .. import registry
from ..models import Channel, Delivery, NotificationPreference, Status, dedupe_key_for
from .subjects import Subjects, one_line, render_subject

logger = logging.getLogger("notifications.services")


@dataclass
class NotifyRequest:
    event: str
    recipients: Iterable
    category: str
    template: str
    context: dict = field(default_factory=dict)
    target: object = None
    url: str | None = None
    channels: tuple = (Channel.EMAIL, Channel.IN_APP)
    # The digest mail itself, and mail that must go now whatever the preference.
    force_immediate: bool = False
    # Language for recipients without an account (a user's own language always wins).
    language: str = ""


def _render_subject(template: str, context: dict, user, language: str = "") -> str:
    try:
        subject = render_subject(template, context, user, language)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        # A broken template must not roll back the event that caused the notification: the row is written
        # with a plain subject, and the relay records the template's error on it (retried once fixed).
        logger.exception("Could not render %s_subject.txt", template)
        subject = str(context.get("title") or "") or _("A notification from the onboarding portal")
    return one_line(subject)


def subjects_for_batch() -> Subjects:
    """The subjects of one batch of rows, each template rendered once per reader and shape (``subjects``)."""
    return Subjects(_render_subject)


def target_url(target, url):
    if url is not None:
        return url
    get_url = getattr(target, "get_absolute_url", None)
    return get_url() if get_url else ""


def check_category(category: str) -> None:
    if not registry.is_category(category):
        # A typo or an app that forgot to register its category: fail the caller's transaction loudly.
        raise ValueError(f"Unknown notification category {category!r}; register it in AppConfig.ready().")


def preferences_of(user_ids) -> dict[tuple, str]:
    """Each user's delivery per category, where they chose one: {(user_id, category): delivery}."""
    return {
        (user_id, category): delivery
        for user_id, category, delivery in NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "category", "delivery"
        )
    }


@dataclass(frozen=True, slots=True)
class Rules:
    """What decides who gets which rows for an event: the users' preferences and the mandatory categories."""

    preferences: dict
    mandatory: frozenset
    user_model: type


def outbox_entries(*, event, recipients, category, channels, force_immediate, rules: Rules, seen: set):
    """The outbox rows of one event: (user or None, address, channel, dedupe key, status) for each recipient and
    channel it goes to. THE rule for both ``notify_many`` and the relay's expansion of deferred fan-outs: inactive
    users get nothing; a user's preference for the category (immediate, digest, off) applies unless the category is
    mandatory or the mail must go now; people without an account get email only; ``seen`` dedupe keys are skipped
    (and the new ones added), so one event tells each recipient once per channel."""
    for recipient in recipients:
        user = recipient if isinstance(recipient, rules.user_model) else None
        if user is not None and not user.is_active:
            continue
        delivery = Delivery.IMMEDIATE
        if user is not None and not force_immediate and category not in rules.mandatory:
            delivery = rules.preferences.get((user.pk, category), Delivery.IMMEDIATE)
        if delivery == Delivery.OFF:
            continue
        address = user.email if user else recipient.lower()
        recipient_key = f"user:{user.pk}" if user else f"email:{address}"
        for channel in channels:
            if channel == Channel.IN_APP and user is None:
                continue
            dedupe_key = dedupe_key_for(event, recipient_key, channel)
            if dedupe_key in seen:
                continue
            seen.add(dedupe_key)
            if channel == Channel.IN_APP:
                # Shown in the centre as soon as the transaction commits: nothing to relay.
                status = Status.SENT
            elif delivery == Delivery.DIGEST:
                status = Status.HELD
            else:
                status = Status.PENDING
            yield user, address, channel, dedupe_key, status


def outbox_entries_with_subjects(*, template, language, subject_context, subjects, **entry_args):
    """``outbox_entries`` with each row's subject: rendered once per reader language and time zone, since a subject
    depends on those only (never on who the reader is)."""
    by_reader = {}
    for user, address, channel, dedupe_key, status in outbox_entries(**entry_args):
        reader = (user.language, user.time_zone) if user else None
        if reader not in by_reader:
            by_reader[reader] = subjects.render(template, subject_context, user, language)
        yield user, address, channel, dedupe_key, status, by_reader[reader]
