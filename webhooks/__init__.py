"""Outgoing webhooks: signed HTTP callbacks to other systems when something happens in the portal.

Apps above emit events into it (``webhooks.services.emit`` / ``emit_many``) in the transaction that made the change,
as they write notifications; webhooks knows no app above accounts. See ``services`` for the public API.
"""
