from django.utils.functional import SimpleLazyObject


def unread(request):
    """The unread count for the navigation badge, queried only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from .selectors import notification_unread_count

        return notification_unread_count(user=user)

    return {"notifications_unread": SimpleLazyObject(count)}
