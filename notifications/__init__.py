"""Notifications and reminders: the one way the portal tells people things.

Use ``notifications.services.notify`` / ``notify_many`` to write outbox rows in your transaction, and
``notifications.services.reminder_schedule`` / ``reminder_cancel`` with a handler registered through
``notifications.registry.reminder_handler`` for due times. See ``notifications/services.py`` for the contract.
"""
