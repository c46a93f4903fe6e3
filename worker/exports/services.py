"""Background exports: start one, run it in a worker, clean up after it.

A job is claimed with a conditional UPDATE before it runs, so a task
delivered twice (a retry, a redelivery after a lost worker) builds the file
once. The file is built with the permissions of the official who asked,
checked again when it runs, and is kept in private storage until it expires.
"""

import logging
import os
import tempfile
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competitions.models import Competition
from core.errors import DomainError, RuleViolation
from core.roles import roles_for

from .builders import DECISIONS, EXPORTS, SCORING_MATRIX, build_xlsx
from .models import ExportJob
from .selectors import require_official, require_results_open

logger = logging.getLogger(__name__)

# A job still marked running this long after it started lost its worker; a
# redelivered task may take it over.
STALE_AFTER = timedelta(hours=1)


def export_retention() -> timedelta:
    """How long a finished file stays available."""
    return timedelta(hours=int(getattr(settings, "EXPORT_RETENTION_HOURS", 24)))


def sync_row_limit() -> int:
    """Exports up to this many rows are built while the official waits;
    larger ones go to a background job."""
    return int(getattr(settings, "EXPORT_SYNC_MAX_ROWS", 500))


# Reads.


def export_jobs_visible_to(user) -> QuerySet[ExportJob]:
    """The exports of the user's operators: files are the operator's, not
    one official's, and nobody else's."""
    return (
        ExportJob.objects.filter(operator_id__in=roles_for(user).operator_ids)
        .select_related("competition", "requested_by")
        .order_by("-created_at", "-pk")
    )


def export_job_for(user, pk) -> ExportJob:
    return get_object_or_404(export_jobs_visible_to(user), pk=pk)


# Writes.


def export_job_start(*, competition: Competition, kind: str, actor) -> ExportJob:
    """Queue a background export of `competition`; the task is sent once the
    job row is committed."""

    require_official(actor, competition)
    if kind not in EXPORTS:
        raise RuleViolation(errors={"kind": [_("Choose one of the exports.")]})
    if kind in (DECISIONS, SCORING_MATRIX):
        # Said at once, not minutes later by a failed job.
        require_results_open(competition)
    with transaction.atomic():
        job = ExportJob.objects.create(
            operator_id=competition.operator_id,
            competition=competition,
            kind=kind,
            requested_by=actor,
            language=getattr(actor, "language", "") or settings.LANGUAGE_CODE,
        )
        transaction.on_commit(partial(_dispatch, job.pk))
    return job


def _dispatch(job_id: int) -> None:
    """Hand the job to a worker. With the broker unreachable the job is failed
    with a message to try again, instead of waiting for ever or turning the
    request into an error page."""
    from .tasks import build_export  # the tasks module imports this one

    try:
        build_export.delay(job_id)
    except Exception:
        logger.exception("Could not hand export %s to a worker", job_id)
        job = ExportJob.objects.filter(pk=job_id).first()
        if job is not None and job.status == ExportJob.Status.QUEUED:
            with translation.override(job.language or settings.LANGUAGE_CODE):
                _fail(job, gettext_lazy("The export could not be started. Try again in a moment."))


def _claim(job_id: int, now) -> bool:
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    return bool(
        ExportJob.objects.filter(claimable, pk=job_id).update(
            status=ExportJob.Status.RUNNING,
            started_at=now,
            progress=0,
            rows_done=0,
            error="",
        )
    )


def _progress_reporter(job_id: int):
    """Writes the progress only when the whole percentage changes: a few
    hundred small updates for the largest export."""
    last = {"pct": -1}

    def report(done: int, total: int) -> None:
        pct = min(99, done * 100 // max(total, 1))
        if pct != last["pct"]:
            last["pct"] = pct
            ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
                progress=pct, rows_done=done, rows_total=total
            )

    return report


def _fail(job: ExportJob, message) -> None:
    # The message is read by the person who asked, in their language, not
    # the worker's.
    with translation.override(job.language or settings.LANGUAGE_CODE):
        message = str(message)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
    )


def export_job_run(*, job_id: int) -> str:
    """Build the job's file; what the task calls. Returns the outcome, for
    the worker's log."""
    if not _claim(job_id, timezone.now()):
        return "skipped"
    job = ExportJob.objects.select_related(
        "competition", "competition__operator", "requested_by"
    ).get(pk=job_id)
    try:
        with tempfile.TemporaryFile() as handle:
            filename = build_xlsx(
                job.kind,
                user=job.requested_by,
                competition=job.competition,
                target=handle,
                language=job.language,
                progress=_progress_reporter(job.pk),
            )
            size = handle.seek(0, os.SEEK_END)
            handle.seek(0)
            job.file.save(filename, File(handle), save=False)
    except (OperationalError, InterfaceError):
        # The database went away: give the job back for the task's retry.
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.QUEUED
        )
        raise
    except Http404:
        _fail(job, gettext_lazy("The person who asked for this export may no longer export it."))
        return "failed"
    except DomainError as exc:
        _fail(job, str(exc))
        return "failed"
    except Exception:
        logger.exception("Export %s failed", job.pk)
        _fail(
            job,
            gettext_lazy("The export could not be prepared. Try again or tell the administrator."),
        )
        return "failed"
    finished = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=job.file.name,
        filename=filename,
        size=size,
        progress=100,
        finished_at=finished,
        expires_at=finished + export_retention(),
    )
    return "done"


def exports_purge_expired(*, now=None) -> int:
    """Delete the files whose time is up and mark their jobs expired; the rows
    stay as the record of who exported what."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        if job.file:
            job.file.storage.delete(job.file.name)
        purged += ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
    return purged
