"""What background work keeps: the e-mail outbox, the in-app notices, each
person's notice preferences, each competition's reminder settings, and the
claims that make every reminder go out exactly once."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition

# The exports' model lives with the exports and belongs to this app.
from .exports.models import ExportJob  # noqa: F401

# Offsets are whole days before a deadline; more than two months ahead a
# reminder is no longer a reminder.
MAX_OFFSET_DAYS = 60


def default_draft_days() -> list[int]:
    return [7, 1]


def default_correction_days() -> list[int]:
    return [2, 1]


def default_review_days() -> list[int]:
    return [3, 1]


def default_budget_update_days() -> list[int]:
    return [3, 1]


def default_report_days() -> list[int]:
    return [7, 1]


def default_refund_days() -> list[int]:
    return [7, 1]


def validate_offsets(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) for day in value
    ):
        raise ValidationError(_("Give whole numbers of days, e.g. 7, 1."))
    if any(day < 1 or day > MAX_OFFSET_DAYS for day in value):
        raise ValidationError(
            _("Each reminder must be between 1 and %(max)s days before the deadline.")
            % {"max": MAX_OFFSET_DAYS}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A day is given twice."))


class OutboxMessage(models.Model):
    """One e-mail to one recipient, rendered when it was queued.

    Rows are written in the transaction of the change they announce, so a
    rolled-back change mails nothing and a committed one is never lost; a
    worker sends each row after claiming it (see `worker.outbox`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8)
    template = models.CharField(_("notice"), max_length=100)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The scan leaves a row alone until then: right after queuing the on-commit
    # task is on its way, and after a failure the backoff is running.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # Set with SENDING: who holds the row, and until when. A lease that ran out
    # means the holder died; the row is then sent again.
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    claimed_by = models.CharField(_("worker"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["status", "lease_expires_at"], name="outbox_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to_email}"


class Notice(models.Model):
    """The in-app copy of a notice sent to a person, read or not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    template = models.CharField(_("notice"), max_length=100)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NoticePreferences(models.Model):
    """What a person wants by e-mail. Without a row: everything."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_preferences",
    )
    reminder_emails = models.BooleanField(
        _("send me reminders by e-mail"),
        default=True,
        help_text=_(
            "Reminders of approaching deadlines. Decisions, correction requests, rejections "
            "and contract or refund notices are always sent."
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notice preferences")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return str(self.user)


class ReminderSettings(models.Model):
    """When a competition's reminders go out. Without a row: the defaults."""

    competition = models.OneToOneField(
        Competition,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reminder_settings",
        verbose_name=_("competition"),
    )
    draft_days = models.JSONField(
        _("unsubmitted drafts: days before the submission deadline"),
        default=default_draft_days,
        validators=[validate_offsets],
    )
    correction_days = models.JSONField(
        _("applications to correct: days before the correction deadline"),
        default=default_correction_days,
        validators=[validate_offsets],
    )
    scoring_deadline = models.DateTimeField(
        _("scoring deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Commission members with unsubmitted reviews are reminded before it. Without it "
            "nobody is reminded."
        ),
    )
    review_days = models.JSONField(
        _("unsubmitted reviews: days before the scoring deadline"),
        default=default_review_days,
        validators=[validate_offsets],
    )
    budget_update_days = models.JSONField(
        _("budget update after a reduced award: days before its deadline"),
        default=default_budget_update_days,
        validators=[validate_offsets],
    )
    report_days = models.JSONField(
        _("reports: days before the due date"),
        default=default_report_days,
        validators=[validate_offsets],
    )
    report_overdue_notice = models.BooleanField(
        _("tell the grantee and the officials the day after a report was due"), default=True
    )
    refund_days = models.JSONField(
        _("refunds: days before the due date"),
        default=default_refund_days,
        validators=[validate_offsets],
    )
    decline_lapsed_budget_update = models.BooleanField(
        _("decline a reduced award automatically when its budget is not updated in time"),
        default=False,
        help_text=_(
            "Off: the officials are told and decide. On: the system declines the grant at the "
            "deadline."
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.competition)


class ReminderClaim(models.Model):
    """One reminder to one person, claimed before it is sent.

    The unique constraint is the sent-marker: a scan inserts the row in the
    same transaction that queues the e-mail, so two scans at once, or one
    after the other, queue it once. The deadline is part of the key: a
    deadline moved later (a new correction round, an extended submission
    window) earns its own reminders.
    """

    class Kind(models.TextChoices):
        DRAFT_DUE = "draft_due", _("draft not submitted")
        CORRECTION_DUE = "correction_due", _("correction not submitted")
        REVIEWS_DUE = "reviews_due", _("reviews not submitted")
        BUDGET_UPDATE_DUE = "budget_update_due", _("budget not updated")
        BUDGET_UPDATE_LAPSED = "budget_update_lapsed", _("budget update deadline passed")
        REPORT_DUE = "report_due", _("report due")
        REPORT_OVERDUE = "report_overdue", _("report overdue")
        REFUND_DUE = "refund_due", _("refund due")

    kind = models.CharField(_("reminder"), max_length=24, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    deadline = models.DateTimeField(_("deadline"))
    # Days before the deadline; 0 for a notice sent once the deadline passed.
    offset_days = models.SmallIntegerField(_("days before"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    competition = models.ForeignKey(
        Competition,
        verbose_name=_("competition"),
        on_delete=models.CASCADE,
        related_name="reminder_claims",
    )
    claimed_at = models.DateTimeField(_("time"), default=timezone.now)
    # None when the person turned reminder e-mails off: the notice is in-app only.
    outbox_message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminder_claims",
    )

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "content_type",
                    "object_id",
                    "deadline",
                    "offset_days",
                    "recipient",
                ],
                name="reminder_claimed_once",
            ),
            models.CheckConstraint(
                condition=Q(offset_days__gte=0), name="reminder_offset_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["competition", "claimed_at"], name="reminder_log")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
