"""The e-mail outbox: every notice is a row first and an e-mail second.

`queue_notice` renders a notice for each recipient in their language and
writes it as an `OutboxMessage` (and an in-app `Notice`) in the caller's
transaction. After the commit the rows are handed to a worker, one task per
row; if the broker is down that hand-over is logged and dropped, and the
`deliver_outbox` scan, which beat runs every minute, sends the rows later.

Sending a row (`deliver`) is safe against every kind of repetition: a worker
first claims the row with a conditional UPDATE (pending → sending, with a
lease), so of two workers holding the same row only one sends it; it marks the
row sent as soon as the mail server accepted the message; a worker that died
in between leaves a lease that runs out, and the scan sends the row again.
The one window left, a crash after the server accepted and before the row is
marked, can repeat a message; it never loses one.
"""

import logging
import os
import smtplib
import socket
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from celery import current_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from .models import Notice, NoticePreferences, OutboxMessage

logger = logging.getLogger(__name__)

# Far longer than one SMTP conversation (EMAIL_TIMEOUT): a live worker never
# loses its lease while sending.
LEASE = timedelta(minutes=5)
# Right after queuing, the on-commit task is on its way; the scan waits this
# long before it takes a row over, so the two do not race for every message.
HANDOVER_GRACE = timedelta(minutes=1)
MAX_ATTEMPTS = 8
# Seconds before the next attempt after the n-th failure: 60 * 2**(n-1), at
# most an hour (60 s, 2 min, 4 min ... about two hours in all). The task's
# retry_backoff uses the same numbers.
BACKOFF_FACTOR = 60
BACKOFF_MAX = 60 * 60
SCAN_BATCH = 500
# Handing rows to the broker happens after the user's change committed, on
# their request: a broker that is down must cost one refused connection, not
# a retry loop.
BROKER_CONNECT_TIMEOUT = 2
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Refusals of one message by a mail server that is otherwise working.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_FACTOR * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


# Queuing


def _recipient(recipient) -> tuple[object | None, str, str]:
    """(user or None, e-mail, language) of a user or an (e-mail, language) pair."""
    if isinstance(recipient, tuple):
        email, language = recipient
        return None, email, language or settings.LANGUAGE_CODE
    return recipient, recipient.email, recipient.language or settings.LANGUAGE_CODE


def _render_text(name: str, context: dict) -> str:
    # Plain text is never HTML: rendered with autoescaping off whatever the
    # template says, a title with quotes or an ampersand reads as it was typed.
    return get_template(name).template.render(Context(context, autoescape=False))


def render_notice(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of `email/<template>.*` in `language`."""
    with translation.override(language):
        ctx = {**context, "site_url": settings.SITE_URL, "LANGUAGE_CODE": language}
        # A header is one line; the template's line breaks are layout only.
        subject = " ".join(_render_text(f"email/{template}.subject.txt", ctx).split())
        text = _render_text(f"email/{template}.txt", ctx).strip() + "\n"
        html = render_to_string(f"email/{template}.html", ctx)
    return subject, text, html


def queue_notice(
    *,
    recipients: Iterable,
    template: str,
    context: dict,
    optional: bool = False,
    link: str = "",
    fail_loudly: bool = False,
) -> list[OutboxMessage]:
    """Write the notice for each recipient (users, or (e-mail, language)
    pairs): an in-app `Notice` for each user and an `OutboxMessage` for each
    e-mail to send. `optional` notices (reminders) are not e-mailed to people
    who turned reminder e-mails off; they still find them in the app. Returns
    the outbox rows, handed to a worker once the transaction commits."""
    now = timezone.now()
    people = [_recipient(r) for r in recipients]
    muted: set[int] = set()
    if optional:
        muted = set(
            NoticePreferences.objects.filter(
                user_id__in=[user.pk for user, _, _ in people if user is not None],
                reminder_emails=False,
            ).values_list("user_id", flat=True)
        )
    notices, messages = [], []
    for user, email, language in people:
        try:
            subject, text, html = render_notice(
                template, {**context, "recipient": user or email}, language
            )
        except Exception:
            if fail_loudly:
                # A reminder claimed in this transaction must not be marked
                # sent with nothing sent: let the claim roll back and the
                # next scan try again.
                raise
            # Callers queue after their change committed: a broken template
            # must not turn the saved action into an error page. Every
            # template is rendered by the tests, so breakage shows there.
            logger.exception("Could not render the notice %s for %s", template, email)
            continue
        if user is not None:
            notices.append(
                Notice(
                    user=user,
                    template=template,
                    subject=subject,
                    body=text,
                    url=link,
                    created_at=now,
                )
            )
        if not email or (user is not None and user.pk in muted):
            continue
        messages.append(
            OutboxMessage(
                recipient=user,
                to_email=email,
                language=language,
                template=template,
                subject=subject,
                body_text=text,
                body_html=html,
                created_at=now,
                next_attempt_at=now + HANDOVER_GRACE,
            )
        )
    Notice.objects.bulk_create(notices)
    created = OutboxMessage.objects.bulk_create(messages)
    if created:
        transaction.on_commit(partial(dispatch, [message.pk for message in created]))
    return created


# Handing over to a worker


def _deliver_here() -> bool:
    """Whether this process sends the mail itself instead of handing it to a
    worker: with eager Celery (there are no workers), and with the in-memory
    mail backend, which keeps mail in the memory of the process that sends it
    (tests read it there)."""
    return settings.CELERY_TASK_ALWAYS_EAGER or settings.EMAIL_BACKEND == LOCMEM_BACKEND


def _queue() -> str | None:
    """The queue for the delivery tasks. Mail written by a task (a reminders
    scan) goes to the queue that task came from, so a deployment that gives
    its jobs a queue of their own keeps their mail there too (Celery names a
    queue after its routing key unless configured otherwise); anything else
    to the configured default."""
    request = getattr(current_task, "request", None)
    if request is not None and request.id is not None:
        routing_key = (getattr(request, "delivery_info", None) or {}).get("routing_key")
        if routing_key:
            return routing_key
    return getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None)


def _publish(message_ids: list[int]) -> None:
    from .tasks import deliver_outbox_message

    # The broker is read from the settings now, not when the Celery app was
    # configured, so the settings stay its single source.
    queue = _queue()
    with deliver_outbox_message.app.connection_for_write(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_CONNECT_TIMEOUT,
        transport_options={"max_retries": 0},
    ) as connection:
        for pk in message_ids:
            deliver_outbox_message.apply_async(
                args=[pk], connection=connection, queue=queue, retry=False
            )


def dispatch(message_ids: list[int]) -> None:
    """Hand committed outbox rows over for sending; never raises. Whatever is
    not handed over here is sent by the scan."""
    if not message_ids:
        return
    if _deliver_here():
        for pk in message_ids:
            try:
                deliver(pk)
            except Exception:
                logger.exception("E-mail %s not sent; the outbox scan retries it", pk)
        return
    try:
        _publish(message_ids)
    except Exception:
        logger.exception(
            "The broker did not take %s e-mail(s); the outbox scan sends them", len(message_ids)
        )
        try:
            # No task is coming: let the scan take the rows at once.
            OutboxMessage.objects.filter(
                pk__in=message_ids, status=OutboxMessage.Status.PENDING
            ).update(next_attempt_at=timezone.now())
        except Exception:
            logger.exception("Could not reschedule e-mails %s", message_ids)


# Sending


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimable(now, *, due_only: bool) -> Q:
    pending = Q(status=OutboxMessage.Status.PENDING)
    if due_only:
        pending &= Q(next_attempt_at__lte=now)
    expired = Q(status=OutboxMessage.Status.SENDING, lease_expires_at__lt=now)
    return (pending | expired) & Q(attempts__lt=MAX_ATTEMPTS)


def claim(message_id: int, *, due_only: bool = False) -> uuid.UUID | None:
    """Take the row for sending, or None when it is not ours to send (sent,
    failed, or held by a live worker). A conditional UPDATE: of any number of
    workers trying at once, exactly one changes the row. `due_only` also
    respects the row's backoff (the scan does; a task's retry carries its own
    countdown)."""
    now = timezone.now()
    token = uuid.uuid4()
    updated = OutboxMessage.objects.filter(
        _claimable(now, due_only=due_only), pk=message_id
    ).update(
        status=OutboxMessage.Status.SENDING,
        lease_token=token,
        lease_expires_at=now + LEASE,
        claimed_by=_worker_name(),
        attempts=F("attempts") + 1,
    )
    return token if updated else None


def _message_id(message: OutboxMessage) -> str:
    # The same Message-ID on every attempt: should a crash repeat a message,
    # the recipient's mail server can tell it is the same one.
    return f"<outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{DNS_NAME}>"


def _send(message: OutboxMessage) -> None:
    email = EmailMultiAlternatives(
        message.subject,
        message.body_text,
        settings.DEFAULT_FROM_EMAIL,
        [message.to_email],
        headers={"Message-ID": _message_id(message), "X-Grantownik-Notice": message.template},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send()


def _record_failure(message: OutboxMessage, token: uuid.UUID, exc: Exception) -> bool:
    """Put the row back with its backoff, or fail it for good after the last
    attempt. Returns whether another attempt comes."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    rows = OutboxMessage.objects.filter(pk=message.pk, lease_token=token)
    release = {"last_error": error, "lease_token": None, "lease_expires_at": None}
    if message.attempts >= MAX_ATTEMPTS:
        rows.update(status=OutboxMessage.Status.FAILED, **release)
        logger.error(
            "Gave up on e-mail %s (%s to %s) after %s attempts: %s",
            message.pk,
            message.template,
            message.to_email,
            message.attempts,
            error,
        )
        return False
    rows.update(
        status=OutboxMessage.Status.PENDING,
        next_attempt_at=timezone.now() + backoff(message.attempts),
        **release,
    )
    logger.warning(
        "E-mail %s to %s failed (attempt %s of %s): %s",
        message.pk,
        message.to_email,
        message.attempts,
        MAX_ATTEMPTS,
        error,
    )
    return True


def deliver(message_id: int, *, due_only: bool = False) -> str:
    """Send one outbox row if it is ours to send. Returns "sent", "skipped"
    (someone else's, or already done) or "failed" (the last attempt failed);
    raises the sending error when another attempt is planned, so that the
    task's retry takes it."""
    token = claim(message_id, due_only=due_only)
    if token is None:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _send(message)
    except Exception as exc:
        if _record_failure(message, token, exc):
            raise
        return "failed"
    marked = OutboxMessage.objects.filter(pk=message_id, lease_token=token).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        lease_token=None,
        lease_expires_at=None,
        last_error="",
    )
    if not marked:
        # Our lease ran out while the server was still answering and another
        # worker took the row over: the message may arrive twice.
        logger.warning("E-mail %s was sent after its lease ran out", message_id)
    return "sent"


def deliver_due(*, limit: int = SCAN_BATCH) -> dict[str, int]:
    """The scan: send every row that is due and not held by a live worker
    (never handed over, waiting for its next attempt, or left behind by a
    worker that died). Rows are claimed one by one, so several scans at once
    share the work instead of repeating it. A failure that is not about one
    message (the mail server is down) ends the run: the rest waits for the
    next one instead of each timing out in turn."""
    now = timezone.now()
    abandoned = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING, lease_expires_at__lt=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=OutboxMessage.Status.FAILED,
        lease_token=None,
        lease_expires_at=None,
        last_error="The last attempt did not finish (the worker stopped).",
    )
    due = list(
        OutboxMessage.objects.filter(_claimable(now, due_only=True))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: Counter[str] = Counter()
    if abandoned:
        outcomes["failed"] += abandoned
    for pk in due:
        try:
            outcomes[deliver(pk, due_only=True)] += 1
        except MESSAGE_ERRORS:
            # Recorded on the row with its next attempt; the others may go.
            outcomes["retry"] += 1
        except Exception:
            outcomes["retry"] += 1
            break
    return dict(outcomes)


def retry_failed(message_ids: Iterable[int]) -> int:
    """Give failed rows a fresh set of attempts (after the mail server or the
    address was fixed)."""
    return OutboxMessage.objects.filter(
        pk__in=list(message_ids), status=OutboxMessage.Status.FAILED
    ).update(
        status=OutboxMessage.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
    )
