"""Celery tasks of the exports. Thin: they take ids and call the services,
which make running one twice harmless.

Register this module with the worker (`app.autodiscover_tasks(["worker.exports"])`
or CELERY_IMPORTS) and schedule `purge_expired_exports` in beat.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import export_job_run, exports_purge_expired


@shared_task(
    name="worker.exports.tasks.build_export",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def build_export(job_id: int) -> str:
    return export_job_run(job_id=job_id)


@shared_task(name="worker.exports.tasks.purge_expired_exports")
def purge_expired_exports() -> int:
    return exports_purge_expired()
