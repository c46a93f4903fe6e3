"""Partial and final reports: spending per budget line, results per indicator, files."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.models import MONEY, Indicator

from .. import permissions
from .grants import ZERO, Grant, GrantBudgetLine


class Report(ConcurrentTransitionMixin, models.Model):
    class Kind(models.TextChoices):
        PARTIAL = "partial", _("partial report")
        FINAL = "final", _("final report")

    class Status(models.TextChoices):
        # "Sprawozdanie" is neuter in Polish: the labels have their own context
        # so they do not share the application's masculine forms.
        DRAFT = "draft", pgettext_lazy("report status", "draft")
        SUBMITTED = "submitted", pgettext_lazy("report status", "submitted")
        ACCEPTED = "accepted", pgettext_lazy("report status", "accepted")
        RETURNED = "returned", pgettext_lazy("report status", "returned for changes")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)
    due_date = models.DateField(_("due date"))
    narrative = models.TextField(_("what was done"), blank=True, max_length=20000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    request_comment = models.TextField(_("what the operator asks for"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("operator's comment"), blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["grant_id", "due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant"], condition=Q(kind="final"), name="one_final_report_per_grant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.grant}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_late(self) -> bool:
        """Submitted after its due day, or still not submitted past it."""
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.due_date
        return timezone.localdate() > self.due_date

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SUBMITTED,
        permission=permissions.may_act_for_grantee_report,
        custom={"label": _("Submit the report")},
    )
    def submit(self):
        pass

    @transition(
        field=status,
        source=Status.RETURNED,
        target=Status.SUBMITTED,
        permission=permissions.may_act_for_grantee_report,
        custom={"label": _("Submit the corrected report")},
    )
    def resubmit(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission=permissions.may_manage_report,
        custom={"label": _("Accept the report")},
    )
    def accept(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=permissions.may_manage_report,
        custom={"label": _("Return for changes")},
    )
    def return_for_changes(self):
        pass


class ReportLine(models.Model):
    """Actual spending on one line of the agreed budget, by source."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        GrantBudgetLine,
        on_delete=models.PROTECT,
        related_name="report_lines",
        verbose_name=_("budget line"),
    )
    spent_grant = models.DecimalField(
        _("spent from the grant"), max_digits=10, decimal_places=2, default=ZERO, validators=MONEY
    )
    spent_own_financial = models.DecimalField(
        _("own financial contribution used"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=MONEY,
    )
    spent_own_non_financial = models.DecimalField(
        _("own non-financial contribution used"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=MONEY,
    )
    comment = models.CharField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("spending on a budget line")
        verbose_name_plural = _("spending")
        ordering = ["report_id", "budget_line__position", "budget_line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "budget_line"], name="report_line_once_per_budget_line"
            )
        ]

    def __str__(self) -> str:
        return str(self.budget_line)


class ReportResult(models.Model):
    """What was achieved against one planned indicator."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    actual_value = models.DecimalField(
        _("achieved value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("9999999999.99"))],
    )
    comment = models.CharField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("achieved result")
        verbose_name_plural = _("achieved results")
        ordering = ["report_id", "indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="report_result_once_per_indicator"
            )
        ]

    def __str__(self) -> str:
        return str(self.indicator)


def report_attachment_path(instance, filename: str) -> str:
    # The uploader's file name stays in the row; the stored name is random so
    # it can neither collide nor say anything about the content.
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=report_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
