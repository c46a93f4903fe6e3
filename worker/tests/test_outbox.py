"""The outbox: notices are rows first, written with the change they announce,
and each row is sent once by whoever claims it."""

import os
import smtplib
import socket
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core.notify import send_notice
from tests import factories as f
from worker import outbox
from worker.models import Notice, NoticePreferences, OutboxMessage
from worker.tasks import deliver_outbox_message

FAILING_BACKEND = "worker.tests.mail.FailingBackend"


def invitation(name="Koło"):
    return {"invitation": {"group": {"name": name}, "invited_by": "Anna", "token": uuid.uuid4()}}


def queue_one(user):
    """One outbox row, not sent yet: the on-commit hand-over is not run."""
    send_notice(
        recipients=[user], template="group_invitation", context=invitation("Koło „Zielone” & Co")
    )
    return OutboxMessage.objects.latest("pk")


@pytest.fixture
def closed_port():
    """A local port nobody listens on: a broker that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestQueuing:
    def test_a_notice_is_written_in_the_transaction_and_sent_after_commit(
        self, owner, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                queued = send_notice(
                    recipients=[owner],
                    template="group_invitation",
                    context=invitation(),
                )
                assert queued == 1
                assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
                assert mail.outbox == []

        message = OutboxMessage.objects.get()
        assert message.status == OutboxMessage.Status.SENT
        assert message.attempts == 1 and message.sent_at is not None
        (sent,) = mail.outbox
        assert sent.to == [owner.email]
        assert sent.extra_headers["Message-ID"].startswith(f"<outbox.{message.pk}.")

    def test_nothing_is_queued_or_sent_for_a_change_that_rolled_back(
        self, owner, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                queue_one(owner)
                raise RuntimeError("the change failed")

        assert not OutboxMessage.objects.exists()
        assert not Notice.objects.exists()
        assert mail.outbox == []

    def test_each_recipient_gets_their_language_and_an_in_app_notice(
        self, owner, editor, django_capture_on_commit_callbacks
    ):
        editor.language = "en"
        editor.save()
        with django_capture_on_commit_callbacks(execute=True):
            send_notice(
                recipients=[owner, editor, ("gosc@example.org", "en")],
                template="group_invitation",
                context=invitation(),
                link="https://example.org/x/",
            )

        languages = dict(OutboxMessage.objects.values_list("to_email", "language"))
        assert languages == {owner.email: "pl", editor.email: "en", "gosc@example.org": "en"}
        english = Notice.objects.get(user=editor)
        assert english.subject == OutboxMessage.objects.get(to_email=editor.email).subject
        assert "invited" in english.subject and english.url == "https://example.org/x/"
        assert "invited" not in Notice.objects.get(user=owner).subject
        # An address without an account gets the e-mail only.
        assert Notice.objects.count() == 2
        assert len(mail.outbox) == 3

    def test_plain_text_is_never_html_escaped(self, owner, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            queue_one(owner)
        (sent,) = mail.outbox
        assert "Koło „Zielone” & Co" in sent.subject
        assert "Koło „Zielone” & Co" in sent.body
        html, mime = sent.alternatives[0]
        assert mime == "text/html" and "Koło „Zielone” &amp; Co" in html

    def test_a_reminder_is_not_emailed_to_someone_who_turned_reminders_off(
        self, owner, editor, django_capture_on_commit_callbacks
    ):
        NoticePreferences.objects.create(user=owner, reminder_emails=False)
        with django_capture_on_commit_callbacks(execute=True):
            reminder = send_notice(
                recipients=[owner, editor],
                template="group_invitation",
                context=invitation(),
                optional=True,
            )
            required = send_notice(
                recipients=[owner],
                template="group_invitation",
                context=invitation(),
            )

        assert (reminder, required) == (1, 1)
        assert [m.to for m in mail.outbox] == [[editor.email], [owner.email]]
        # Still in the app.
        assert Notice.objects.filter(user=owner).count() == 2

    def test_a_broken_template_is_logged_not_raised(self, owner, caplog):
        assert send_notice(recipients=[owner], template="no_such_notice", context={}) == 0
        assert send_notice(recipients=[owner], template="group_invitation", context={}) == 0
        assert "no_such_notice" in caplog.text and "group_invitation" in caplog.text
        assert not OutboxMessage.objects.exists()


class TestHandover:
    def test_with_the_broker_down_the_change_stands_and_the_scan_sends_later(
        self, settings, owner, closed_port, caplog, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_one(owner)

        assert "The broker did not take 1 e-mail" in caplog.text
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.PENDING
        # No task is coming, so the scan need not wait for one.
        assert message.next_attempt_at <= timezone.now()

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert outbox.deliver_due() == {"sent": 1}
        assert [m.to for m in mail.outbox] == [[owner.email]]

    def test_a_handed_over_row_is_left_to_its_task_for_a_while(
        self, settings, owner, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.CELERY_BROKER_URL = "memory://"
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_one(owner)

        assert outbox.deliver_due() == {}
        with time_machine.travel(message.created_at + outbox.HANDOVER_GRACE, tick=False):
            settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
            assert outbox.deliver_due() == {"sent": 1}


class TestClaim:
    def test_only_one_claim_wins(self, owner):
        message = queue_one(owner)

        first = outbox.claim(message.pk)
        assert first is not None
        assert outbox.claim(message.pk) is None
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.SENDING
        assert message.lease_token == first and message.attempts == 1
        assert message.claimed_by.endswith(f":{os.getpid()}")

    def test_a_sent_row_is_not_sent_again(self, owner):
        message = queue_one(owner)
        assert outbox.deliver(message.pk) == "sent"
        assert outbox.deliver(message.pk) == "skipped"
        assert deliver_outbox_message.apply(args=[message.pk]).get() == "skipped"
        assert len(mail.outbox) == 1

    def test_a_lease_that_ran_out_is_taken_over(self, owner):
        """The worker holding the row died: after its lease the row is sent."""
        message = queue_one(owner)
        outbox.claim(message.pk)

        assert outbox.deliver_due() == {}
        with time_machine.travel(timezone.now() + outbox.LEASE + timedelta(seconds=1)):
            assert outbox.deliver_due() == {"sent": 1}
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 2)
        assert len(mail.outbox) == 1

    def test_a_late_sent_mark_does_not_overwrite_the_new_holder(self, owner):
        message = queue_one(owner)
        stale = outbox.claim(message.pk)
        with time_machine.travel(timezone.now() + outbox.LEASE + timedelta(seconds=1)):
            fresh = outbox.claim(message.pk)
        assert fresh is not None and fresh != stale
        assert not OutboxMessage.objects.filter(pk=message.pk, lease_token=stale).exists()


class TestRetries:
    def test_an_smtp_error_is_retried_with_backoff(self, settings, owner):
        message = queue_one(owner)
        settings.EMAIL_BACKEND = FAILING_BACKEND

        with pytest.raises(smtplib.SMTPException):
            outbox.deliver(message.pk)

        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.PENDING
        assert message.attempts == 1
        assert "SMTPServerDisconnected" in message.last_error
        assert message.next_attempt_at > timezone.now() + timedelta(seconds=55)
        # The scan respects the backoff; a task's retry brings its own.
        assert outbox.deliver_due() == {}

    def test_backoff_doubles_up_to_an_hour(self):
        assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 7, 8)] == [
            60,
            120,
            240,
            3600,
            3600,
        ]

    def test_the_task_retries_then_the_row_fails_visibly(self, settings, owner, caplog):
        message = queue_one(owner)
        settings.EMAIL_BACKEND = FAILING_BACKEND

        assert deliver_outbox_message.autoretry_for == (smtplib.SMTPException, OSError)
        assert deliver_outbox_message.max_retries == outbox.MAX_ATTEMPTS - 1
        # Eagerly, Celery runs the retries one after another.
        result = deliver_outbox_message.apply(args=[message.pk])

        assert result.get() == "failed"
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.FAILED
        assert message.attempts == outbox.MAX_ATTEMPTS
        assert "Gave up on e-mail" in caplog.text

    def test_a_worker_that_dies_on_the_last_attempt_fails_the_row(self, owner):
        message = queue_one(owner)
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
        outbox.claim(message.pk)

        with time_machine.travel(timezone.now() + outbox.LEASE + timedelta(seconds=1)):
            assert outbox.deliver_due() == {"failed": 1}
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.FAILED
        assert mail.outbox == []

    def test_the_scan_stops_while_the_mail_server_is_down(self, settings, owner, editor):
        first, second = queue_one(owner), queue_one(editor)
        settings.EMAIL_BACKEND = FAILING_BACKEND

        with time_machine.travel(timezone.now() + outbox.HANDOVER_GRACE):
            assert outbox.deliver_due() == {"retry": 1}
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.attempts, second.attempts) == (1, 0)

    def test_one_refused_address_does_not_hold_back_the_others(self, settings, owner):
        refused = queue_one(f.UserFactory(email="nikt@example.invalid"))
        good = queue_one(owner)
        settings.EMAIL_BACKEND = "worker.tests.mail.RefusingBackend"

        with time_machine.travel(timezone.now() + outbox.HANDOVER_GRACE):
            assert outbox.deliver_due() == {"retry": 1, "sent": 1}
        refused.refresh_from_db()
        good.refresh_from_db()
        assert refused.status == OutboxMessage.Status.PENDING and "550" in refused.last_error
        assert good.status == OutboxMessage.Status.SENT

    def test_failed_rows_can_be_queued_again(self, owner):
        message = queue_one(owner)
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.FAILED, attempts=outbox.MAX_ATTEMPTS
        )

        assert outbox.retry_failed([message.pk]) == 1
        assert outbox.deliver_due() == {"sent": 1}
