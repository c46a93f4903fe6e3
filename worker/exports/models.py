"""A background export: who asked for which file of which competition, how far
the worker got, and where the finished file is until it expires.

The model belongs to the `worker` app (its label and migrations); it is
imported by `worker.models`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Operator


def export_path(instance, filename: str) -> str:
    # Random names in a folder per operator: a name says nothing about the
    # content and cannot be guessed; the download name is kept in the row.
    return f"exports/{instance.operator_id}/{uuid.uuid4().hex}"


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        DECISIONS = "decisions", _("decisions list")
        SCORING_MATRIX = "scoring_matrix", _("scoring matrix")
        FORMAL = "formal", _("formal check results")
        GRANTS = "grants", _("grants and payments register")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being prepared")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    # A copy of the competition's operator: every list and permission check
    # filters on it.
    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="+", verbose_name=_("operator")
    )
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="+", verbose_name=_("competition")
    )
    kind = models.CharField(_("export"), max_length=20, choices=Kind.choices)
    # The file is built with this person's permissions and in their language.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["operator", "created_at"], name="export_operator_recent"),
            models.Index(fields=["status", "expires_at"], name="export_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.competition}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    def is_available(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and self.expires_at is not None
            and now < self.expires_at
        )
