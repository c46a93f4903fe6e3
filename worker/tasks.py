"""Background jobs that belong to no single app.

Each task is thin: it takes ids (or nothing, for the scans beat sends), calls
a service, and may run twice, or twice at once, without doing anything twice.
"""

import logging
import smtplib

from celery import shared_task
from django.utils import timezone

from . import deadlines, outbox, reminders

logger = logging.getLogger(__name__)


@shared_task(name="worker.tasks.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong" with the worker's time; safe to run any number of times."""
    now = timezone.now().isoformat()
    logger.info("pong at %s", now)
    return f"pong {now}"


@shared_task(
    name="worker.tasks.deliver_outbox_message",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    # The same schedule the row records for the scan (`outbox.backoff`).
    retry_backoff=outbox.BACKOFF_FACTOR,
    retry_backoff_max=outbox.BACKOFF_MAX,
    retry_jitter=False,
    max_retries=outbox.MAX_ATTEMPTS - 1,
)
def deliver_outbox_message(message_id: int) -> str:
    """Send one queued e-mail; a second run finds it sent and does nothing."""
    return outbox.deliver(message_id)


@shared_task(name="worker.tasks.deliver_outbox", ignore_result=True)
def deliver_outbox() -> dict[str, int]:
    """Send what no task delivered: queued while the broker was down, waiting
    for its next attempt, or left behind by a worker that died."""
    return outbox.deliver_due()


@shared_task(name="worker.tasks.run_deadlines", ignore_result=True)
def run_deadlines() -> dict:
    return deadlines.run_deadlines()


@shared_task(name="worker.tasks.send_reminders", ignore_result=True)
def send_reminders() -> dict[str, int]:
    return reminders.send_reminders()
