import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from competitions.models import ChecklistItem, Competition, FormQuestion

from . import permissions

CENT = Decimal("0.01")
# A small grant never comes near this; anything above is a typo or an attack.
MONEY_LIMIT = Decimal("99999999.99")
MONEY = [MinValueValidator(Decimal("0")), MaxValueValidator(MONEY_LIMIT)]
QUANTITY = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("999999.99"))]


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


class ApplicantGroup(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("registered NGO (association, foundation)")
        ORDINARY_ASSOCIATION = "ordinary_association", _("ordinary association")
        INFORMAL = "informal", _("informal group with a patron organisation")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    krs = models.CharField(_("KRS number"), max_length=10, blank=True)
    nip = models.CharField(_("NIP"), max_length=10, blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    patron_name = models.CharField(_("patron organisation"), max_length=300, blank=True)
    patron_krs = models.CharField(_("patron's KRS number"), max_length=10, blank=True)
    bank_account = models.CharField(_("bank account (IBAN)"), max_length=34, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMembership", related_name="applicant_groups"
    )

    class Meta:
        verbose_name = _("applicant group")
        verbose_name_plural = _("applicant groups")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        EDITOR = "editor", _("editor")

    group = models.ForeignKey(ApplicantGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.EDITOR)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="member_once_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class InformalGroupMember(models.Model):
    """A person making up an informal group; not necessarily a user of the system."""

    group = models.ForeignKey(
        ApplicantGroup, on_delete=models.CASCADE, related_name="informal_members"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    city = models.CharField(_("town"), max_length=100, blank=True)
    is_adult = models.BooleanField(_("is an adult"), default=False)

    class Meta:
        verbose_name = _("informal group member")
        verbose_name_plural = _("informal group members")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.full_name


class GroupInvitation(models.Model):
    group = models.ForeignKey(ApplicantGroup, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"),
        max_length=8,
        choices=GroupMembership.Role.choices,
        default=GroupMembership.Role.EDITOR,
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and timezone.now() < self.expires_at


class Application(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        NEEDS_CORRECTION = "needs_correction", _("correction requested")
        FORMALLY_ACCEPTED = "formally_accepted", _("formally accepted")
        FORMALLY_REJECTED = "formally_rejected", _("formally rejected")
        IN_REVIEW = "in_review", _("in review")
        AWARDED = "awarded", _("awarded")
        RESERVE = "reserve", _("on the reserve list")
        REJECTED = "rejected", _("not funded")
        WITHDRAWN = "withdrawn", _("withdrawn")

    EDITABLE = (Status.DRAFT, Status.NEEDS_CORRECTION)
    UNDECIDED = (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.NEEDS_CORRECTION,
        Status.FORMALLY_ACCEPTED,
        Status.IN_REVIEW,
    )

    competition = models.ForeignKey(
        Competition,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("competition"),
    )
    group = models.ForeignKey(
        ApplicantGroup,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)

    title = models.CharField(_("project title"), max_length=300, blank=True)
    summary = models.TextField(
        _("short summary"), blank=True, max_length=1500, validators=[MaxLengthValidator(1500)]
    )
    description = models.TextField(
        _("project description"),
        blank=True,
        max_length=20000,
        validators=[MaxLengthValidator(20000)],
    )
    target_group = models.TextField(
        _("target group"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    target_group_size = models.PositiveIntegerField(
        _("number of participants"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10_000_000)],
    )
    place = models.CharField(_("place of the project"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    amount_requested = models.DecimalField(
        _("amount requested (PLN)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=MONEY,
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    correction_deadline = models.DateTimeField(_("correction deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["competition_id", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "sequence"],
                condition=Q(sequence__isnull=False),
                name="application_sequence_unique_in_competition",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
                name="application_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["competition", "status"])]

    def __str__(self) -> str:
        return self.number or self.title or str(_("untitled application"))

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def competition_is_decided(self) -> bool:
        # The reserve list is used after the decision, when a grantee declines.
        return self.competition.status == Competition.Status.DECIDED

    # Transitions: only services call these; they change state and nothing else.

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SUBMITTED,
        permission=permissions.may_act_for_applicant,
        custom={"label": _("Submit")},
    )
    def submit(self):
        pass

    @transition(
        field=status,
        source=Status.NEEDS_CORRECTION,
        target=Status.SUBMITTED,
        permission=permissions.may_act_for_applicant,
        custom={"label": _("Submit the correction")},
    )
    def resubmit(self):
        pass

    @transition(
        field=status,
        source=[
            Status.DRAFT,
            Status.SUBMITTED,
            Status.NEEDS_CORRECTION,
            Status.FORMALLY_ACCEPTED,
            Status.IN_REVIEW,
        ],
        target=Status.WITHDRAWN,
        permission=permissions.may_act_for_applicant,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.FORMALLY_ACCEPTED,
        permission=permissions.may_act_for_operator,
        custom={"label": _("Accept formally")},
    )
    def accept_formally(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.NEEDS_CORRECTION,
        permission=permissions.may_act_for_operator,
        custom={"label": _("Request a correction")},
    )
    def request_correction(self):
        pass

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.NEEDS_CORRECTION],
        target=Status.FORMALLY_REJECTED,
        permission=permissions.may_act_for_operator,
        custom={"label": _("Reject formally")},
    )
    def reject_formally(self):
        pass

    @transition(
        field=status,
        source=Status.FORMALLY_ACCEPTED,
        target=Status.IN_REVIEW,
        permission=permissions.may_act_for_operator,
        custom={"label": _("Send to review")},
    )
    def start_review(self):
        pass

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.AWARDED,
        permission=permissions.may_act_for_operator,
        custom={"label": _("Award")},
    )
    def award(self):
        pass

    @transition(
        field=status,
        source=Status.RESERVE,
        target=Status.AWARDED,
        conditions=[lambda application: application.competition_is_decided],
        permission=permissions.may_act_for_operator,
        custom={"label": _("Award from the reserve list")},
    )
    def award_from_reserve(self):
        pass

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.RESERVE,
        permission=permissions.may_act_for_operator,
        custom={"label": _("Put on the reserve list")},
    )
    def put_on_reserve(self):
        pass

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.REJECTED,
        permission=permissions.may_act_for_operator,
        custom={"label": _("Do not fund")},
    )
    def reject(self):
        pass


class ApplicationPart(models.Model):
    """A row that belongs to one application and is edited with it."""

    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class BudgetLine(ApplicationPart):
    class Category(models.TextChoices):
        ACTION = "action", _("project action")
        ADMINISTRATIVE = "administrative", _("administrative")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.ACTION
    )
    name = models.CharField(_("cost item"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, default="szt.")
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=QUANTITY
    )
    unit_cost = models.DecimalField(
        _("unit cost (PLN)"), max_digits=10, decimal_places=2, validators=MONEY
    )
    grant_amount = models.DecimalField(
        _("from the grant"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=MONEY
    )
    own_financial = models.DecimalField(
        _("own financial contribution"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=MONEY,
    )
    own_non_financial = models.DecimalField(
        _("own non-financial contribution"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=MONEY,
        help_text=_("Volunteer work (hours × rate) and in-kind contributions."),
    )
    is_volunteer_work = models.BooleanField(_("volunteer work"), default=False)

    class Meta(ApplicationPart.Meta):
        verbose_name = _("budget line")
        verbose_name_plural = _("budget")

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> Decimal:
        return money(self.quantity * self.unit_cost)

    @property
    def sources_total(self) -> Decimal:
        return money(self.grant_amount + self.own_financial + self.own_non_financial)


class ScheduleItem(ApplicationPart):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="schedule_items"
    )
    action = models.CharField(_("action"), max_length=300)
    description = models.TextField(
        _("description"), blank=True, max_length=3000, validators=[MaxLengthValidator(3000)]
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))

    class Meta(ApplicationPart.Meta):
        verbose_name = _("schedule item")
        verbose_name_plural = _("schedule")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")),
                name="schedule_item_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.action


class Indicator(ApplicationPart):
    """A planned result and how it will be measured."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="indicators"
    )
    result = models.CharField(_("planned result"), max_length=300)
    name = models.CharField(_("indicator"), max_length=300)
    target_value = models.DecimalField(
        _("target value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    verification = models.CharField(_("source of verification"), max_length=300, blank=True)

    class Meta(ApplicationPart.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("planned results")

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FormQuestion, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(_("answer"), null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


def attachment_path(instance, filename: str) -> str:
    # The stored name never carries the uploader's file name: that is kept in
    # the row and given back only in the download's Content-Disposition.
    return f"attachments/{instance.application_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    question = models.ForeignKey(
        FormQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
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
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ApplicationSnapshot(models.Model):
    """What was submitted, as it was. One per submission; never changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    data = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version"], name="snapshot_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A submitted version is immutable.")
        super().save(*args, **kwargs)


class FormalCheck(models.Model):
    """One round of the formal check of one submitted version.

    A resubmission after a correction request opens a new round, so the record
    of what was found wrong in the earlier version is never overwritten.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("in progress")
        ACCEPTED = "accepted", _("formally accepted")
        CORRECTION_REQUESTED = "correction_requested", _("correction requested")
        REJECTED = "rejected", _("formally rejected")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="formal_checks"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    snapshot = models.ForeignKey(
        ApplicationSnapshot,
        verbose_name=_("checked version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="formal_checks",
    )
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=Outcome.choices, default=Outcome.PENDING
    )
    comment = models.TextField(_("comment for the applicant"), blank=True, max_length=5000)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # None with a concluded outcome means the system concluded it (an overdue
    # correction).
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concluded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("formal check")
        verbose_name_plural = _("formal checks")
        ordering = ["application_id", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round"], name="formal_check_round_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} ({self.round})"

    @property
    def is_concluded(self) -> bool:
        return self.outcome != self.Outcome.PENDING


class FormalCheckResult(models.Model):
    """The finding on one checklist item in one round."""

    formal_check = models.ForeignKey(FormalCheck, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("requirement"), on_delete=models.PROTECT, related_name="+"
    )
    # None: not looked at yet in this round.
    passed = models.BooleanField(_("met"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("formal check finding")
        verbose_name_plural = _("formal check findings")
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["formal_check", "item"], name="formal_result_once_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.passed}"
