"""Telling an endpoint's owner what became of it (through notifications, in their language)."""

from notifications.services import notify

WEBHOOKS_CATEGORY = "webhooks"
GONE_TEMPLATE = "webhooks/email/endpoint_gone"


def endpoint_gone_notify(*, endpoint, now) -> None:
    """The receiver answered 410 Gone and the endpoint was disabled: its owner hears of it (admins when it has
    none)."""
    recipients = [endpoint.created_by] if endpoint.created_by_id and endpoint.created_by.is_active else []
    if not recipients:
        from django.contrib.auth import get_user_model

        recipients = list(get_user_model().objects.filter(is_active=True, is_superuser=True))
    notify(
        event=f"webhooks.endpoint_gone:{endpoint.pk}:{now.isoformat()}",
        recipients=recipients,
        category=WEBHOOKS_CATEGORY,
        template=GONE_TEMPLATE,
        context={"url": endpoint.url, "description": endpoint.description},
        target=endpoint,
        now=now,
    )
