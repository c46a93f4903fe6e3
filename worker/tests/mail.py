"""E-mail backends for tests."""

import os
import smtplib
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend

# How long a held message waits for the test at most, so that a test that
# failed half-way never leaves a worker hanging.
HOLD_LIMIT = 60


class FailingBackend(BaseEmailBackend):
    """A mail server that drops the connection on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """A working mail server that refuses addresses at example.invalid."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if message.to[0].endswith("@example.invalid"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return len(email_messages)


class EmailBackend(FileBackend):
    """The file backend, held back before writing while the file named by
    GRANTOWNIK_HOLD_MAIL exists: a test can stop a worker in the middle of
    sending."""

    def send_messages(self, email_messages):
        flag = os.environ.get("GRANTOWNIK_HOLD_MAIL")
        started = time.monotonic()
        while flag and os.path.exists(flag) and time.monotonic() - started < HOLD_LIMIT:
            time.sleep(0.05)
        return super().send_messages(email_messages)
