"""Notifications and reminders: the one way the portal tells people things.

Use ``notifications.services.notify`` / ``notify_many`` to write outbox rows in your transaction, and
``notifications.services.reminder_schedule`` / ``reminder_cancel`` for due times. An app registers its
categories, reminder kinds, periodic ticks and ensure hooks in its own ``AppConfig.ready()`` through
``notifications.registry``; this app imports no other app of the project. See ``notifications/services/__init__.py``.
"""
