"""Email backends for tests: locmem that refuses some addresses, like an SMTP server would."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    """Refuses any recipient whose address starts with ``bad``."""

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address.startswith("bad"):
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})
        return super().send_messages(messages)


class DownBackend(EmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")
