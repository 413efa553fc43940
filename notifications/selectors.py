from .models import Notification


def notification_unread_count(*, user) -> int:
    return Notification.objects.visible_to(user).unread().count()


def notification_list_for_centre(*, user, unread_only: bool = False):
    """The user's in-app notifications, newest first (the centre pages through them)."""
    notifications = Notification.objects.visible_to(user).order_by("-created_at", "-pk")
    if unread_only:
        notifications = notifications.unread()
    return notifications
