"""Background jobs that belong to no single app.

Deadline scans, reminders and exports come here with their issues; for now the
worker has one job, a health check that proves web, broker and worker are
connected.
"""

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="worker.tasks.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong" with the worker's time; safe to run any number of times."""
    now = timezone.now().isoformat()
    logger.info("pong at %s", now)
    return f"pong {now}"
