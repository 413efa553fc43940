"""Writes of the governance app, by subject: ``plan`` (applying cadences, generating and editing meetings),
``lifecycle`` (a meeting's reminder: invitations, agenda, reminders, missed meetings and late minutes),
``agenda`` (agenda, attendance, outcomes), ``actions`` (action items), ``minutes`` (sharing minutes) and
``feeds`` (calendar subscriptions). Each function runs in one transaction and checks access again."""
