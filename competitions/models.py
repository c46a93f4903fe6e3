from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from . import permissions

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
POSITIVE_MONEY = [MinValueValidator(Decimal("0.01"))]


class Operator(models.Model):
    """A grant-maker running competitions: an NGO office, a DL centre, a foundation."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("local government")
        LOCAL_CENTRE = "local_centre", _("Działaj Lokalnie centre")
        FOUNDATION = "foundation", _("foundation")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    nip = models.CharField(_("NIP"), max_length=10, blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)
    krs = models.CharField(_("KRS"), max_length=10, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="StaffMembership", related_name="operators"
    )

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """An official of an operator; `is_admin` may manage the operator's staff."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    is_admin = models.BooleanField(_("administrator"), default=False)
    job_title = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        constraints = [
            models.UniqueConstraint(fields=["operator", "user"], name="staff_once_per_operator")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.operator}"


class Competition(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("open for applications")
        CLOSED = "closed", _("closed for applications")
        IN_REVIEW = "in_review", _("in review")
        DECIDED = "decided", _("decided")
        ARCHIVED = "archived", _("archived")
        CANCELLED = "cancelled", _("cancelled")

    class Kind(models.TextChoices):
        STATUTORY = "statutory", _("open competition (public benefit act)")
        SMALL_GRANT = "small_grant", _("small grant (art. 19a)")
        REGRANTING = "regranting", _("regranting")

    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="competitions", verbose_name=_("operator")
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGRANTING)
    number_prefix = models.CharField(
        _("number prefix"),
        max_length=20,
        help_text=_("Application numbers look like PREFIX/YEAR/001, e.g. DL/2026/007."),
    )
    year = models.PositiveSmallIntegerField(_("year"), default=2026)
    summary = models.TextField(_("summary"), blank=True)
    rules = models.TextField(_("rules and eligibility"), blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)

    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("submission deadline"))
    min_submission_days = models.PositiveSmallIntegerField(
        _("minimum submission window (days)"),
        default=21,
        help_text=_("Art. 13 of the public benefit act requires 21 days for open competitions."),
    )

    budget_total = models.DecimalField(
        _("total budget (PLN)"), max_digits=14, decimal_places=2, validators=POSITIVE_MONEY
    )
    grant_min = models.DecimalField(
        _("minimum grant (PLN)"), max_digits=12, decimal_places=2, validators=POSITIVE_MONEY
    )
    grant_max = models.DecimalField(
        _("maximum grant (PLN)"), max_digits=12, decimal_places=2, validators=POSITIVE_MONEY
    )
    implementation_start = models.DateField(_("projects may start on"))
    implementation_end = models.DateField(_("projects must end by"))
    max_project_days = models.PositiveSmallIntegerField(
        _("maximum project length (days)"), null=True, blank=True
    )
    own_contribution_min_pct = models.DecimalField(
        _("minimum own contribution (% of the grant)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
    )
    own_financial_min_pct = models.DecimalField(
        _("of which financial, at least (% of the grant)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
    )
    admin_costs_max_pct = models.DecimalField(
        _("administrative costs at most (% of the grant)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=PERCENT,
    )
    volunteer_hour_rate = models.DecimalField(
        _("value of one volunteer hour (PLN)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("When set, volunteer work in the budget is valued at this hourly rate."),
    )
    correction_window_days = models.PositiveSmallIntegerField(
        _("correction window (days)"), default=7
    )
    score_threshold_pct = models.DecimalField(
        _("threshold (% of the maximum score)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=PERCENT,
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=2, validators=[MinValueValidator(1)]
    )
    allow_partial_award = models.BooleanField(
        _("the last funded project may get a partial award"), default=True
    )
    budget_update_days = models.PositiveSmallIntegerField(
        _("days to update the budget after a reduced award"), default=7
    )
    final_report_days = models.PositiveSmallIntegerField(
        _("final report due (days after the project end)"), default=30
    )
    refund_days = models.PositiveSmallIntegerField(
        _("refund due (days after the project end)"), default=15
    )
    budget_shift_pct = models.DecimalField(
        _("allowed shift between budget lines (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=PERCENT,
    )
    last_number = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        ordering = ["-submission_deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grant_min__lte=models.F("grant_max")), name="grant_min_le_max"
            ),
            models.CheckConstraint(
                condition=Q(implementation_start__lte=models.F("implementation_end")),
                name="implementation_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(own_financial_min_pct__lte=models.F("own_contribution_min_pct")),
                name="financial_share_within_own_share",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def format_number(self, sequence: int) -> str:
        return f"{self.number_prefix}/{self.year}/{sequence:03d}"

    @property
    def accepts_submissions(self) -> bool:
        return self.status == self.Status.PUBLISHED and timezone.now() < self.submission_deadline

    # Transitions: only services call these. They change the state and nothing else.

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.PUBLISHED,
        permission=permissions.may_manage,
        custom={"label": _("Publish")},
    )
    def publish(self):
        self.published_at = timezone.now()

    @transition(
        field=status,
        source=Status.PUBLISHED,
        target=Status.CLOSED,
        permission=permissions.may_manage,
        custom={"label": _("Close submissions")},
    )
    def close(self):
        pass

    @transition(
        field=status,
        source=Status.CLOSED,
        target=Status.IN_REVIEW,
        permission=permissions.may_manage,
        custom={"label": _("Start the review")},
    )
    def start_review(self):
        pass

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.DECIDED,
        permission=permissions.may_manage,
        custom={"label": _("Record the decision")},
    )
    def decide(self):
        pass

    @transition(
        field=status,
        source=Status.DECIDED,
        target=Status.ARCHIVED,
        permission=permissions.may_manage,
        custom={"label": _("Archive")},
    )
    def archive(self):
        pass

    @transition(
        field=status,
        source=[Status.PUBLISHED, Status.CLOSED, Status.IN_REVIEW],
        target=Status.CANCELLED,
        permission=permissions.may_manage,
        custom={"label": _("Cancel the competition")},
    )
    def cancel(self):
        pass


class Criterion(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=300)
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2, validators=POSITIVE_MONEY
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One item of the formal check, e.g. “the application was submitted on time”."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="checklist_items"
    )
    text = models.CharField(_("requirement"), max_length=500)
    correctable = models.BooleanField(
        _("may be corrected"),
        default=True,
        help_text=_("A failed correctable item lets the applicant correct the application."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("formal checklist item")
        verbose_name_plural = _("formal checklist")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class FormQuestion(models.Model):
    """An extra question of a competition's application form."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("short text")
        LONG_TEXT = "long_text", _("long text")
        NUMBER = "number", _("number")
        CHOICE = "choice", _("choice")
        YES_NO = "yes_no", _("yes / no")
        FILE = "file", _("file")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("help text"), blank=True)
    kind = models.CharField(_("answer type"), max_length=12, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("For a choice question: the options.")
    )
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form question")
        verbose_name_plural = _("form questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label
