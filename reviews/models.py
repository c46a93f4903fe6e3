"""The commission, its impartiality declarations, the reviews and their scores,
and the two records that end the review: the commission's recommendation and
the operator's decision."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.models import Application
from competitions.models import Competition, Criterion

from . import permissions

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ReviewSettings(models.Model):
    """Review settings of one competition that the competition itself does not
    carry, and the record of when scoring closed."""

    competition = models.OneToOneField(
        Competition, on_delete=models.CASCADE, primary_key=True, related_name="review_settings"
    )
    disagreement_pct = models.DecimalField(
        _("flag disagreement above (% of the maximum score)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=PERCENT,
        help_text=_(
            "An application is flagged when its highest and lowest review totals differ by "
            "more than this share of the maximum total."
        ),
    )
    no_ngo_reason = models.TextField(
        _("why the commission has no NGO representative"), blank=True, max_length=2000
    )
    scoring_closed_at = models.DateTimeField(_("scoring closed at"), null=True, blank=True)
    scoring_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")

    def __str__(self) -> str:
        return str(self.competition)

    @property
    def scoring_closed(self) -> bool:
        return self.scoring_closed_at is not None


class CommissionMember(models.Model):
    class Affiliation(models.TextChoices):
        OFFICIAL = "official", _("official of the operator")
        NGO_REPRESENTATIVE = "ngo_representative", _("representative of NGOs")
        EXPERT = "expert", _("expert (advisory voice, does not score)")

    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        related_name="commission_members",
        verbose_name=_("competition"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commission_memberships",
        verbose_name=_("person"),
    )
    affiliation = models.CharField(_("capacity"), max_length=20, choices=Affiliation.choices)
    is_chair = models.BooleanField(_("chair"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("commission member")
        verbose_name_plural = _("commission")
        ordering = ["competition_id", "-is_chair", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "user"], name="commission_member_once_per_competition"
            ),
            models.UniqueConstraint(
                fields=["competition"],
                condition=Q(is_chair=True),
                name="commission_one_chair",
            ),
            # The chair leads the scoring commission, so has a vote.
            models.CheckConstraint(
                condition=Q(is_chair=False) | ~Q(affiliation="expert"),
                name="commission_chair_scores",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_affiliation_display()})"

    @property
    def scores(self) -> bool:
        return self.affiliation != self.Affiliation.EXPERT


class Declaration(models.Model):
    """A member's signed impartiality declaration for one competition."""

    member = models.OneToOneField(
        CommissionMember, on_delete=models.PROTECT, related_name="declaration"
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    # The words the member agreed to, in the language they read them in.
    statement = models.TextField(_("statement"))

    class Meta:
        verbose_name = _("impartiality declaration")
        verbose_name_plural = _("impartiality declarations")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return str(self.member)


class Conflict(models.Model):
    """A member may not score or see this application."""

    class Ground(models.TextChoices):
        PARTY = "party", _("Art. 24 § 1(1) KPA: is the applicant or affected by the outcome")
        RELATIVE = (
            "relative",
            _(
                "Art. 24 § 1(2) KPA: spouse, relative or in-law (up to the second degree) of the "
                "applicant or its representative"
            ),
        )
        GUARDIANSHIP = (
            "guardianship",
            _("Art. 24 § 1(3) KPA: tied by adoption, care or guardianship"),
        )
        REPRESENTATIVE = (
            "representative",
            _("Art. 24 § 1(4) KPA: is or was the applicant's representative"),
        )
        SUPERIOR = "superior", _("Art. 24 § 1(7) KPA: the applicant is their superior at work")
        OTHER = "other", _("Art. 24 § 3 KPA: another tie raising doubts about impartiality")

    class Source(models.TextChoices):
        DECLARATION = "declaration", _("named in the declaration")
        LATER = "later", _("declared during the review")
        MEMBERSHIP = "membership", _("member of the applying group")

    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="conflicts")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="commission_conflicts"
    )
    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, null=True, blank=True, related_name="conflicts"
    )
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    declared_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["member_id", "application_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "application"], name="conflict_once_per_member_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} × {self.application}"


class Review(ConcurrentTransitionMixin, models.Model):
    """One member's assignment to one application, and their scoring of it."""

    class Status(models.TextChoices):
        # "Ocena" is feminine in Polish: the labels have their own context so
        # they do not share the application's masculine forms.
        ASSIGNED = "assigned", pgettext_lazy("review status", "assigned")
        IN_PROGRESS = "in_progress", pgettext_lazy("review status", "being scored")
        SUBMITTED = "submitted", pgettext_lazy("review status", "submitted")
        RECUSED = "recused", pgettext_lazy("review status", "recused")

    ACTIVE = (Status.ASSIGNED, Status.IN_PROGRESS, Status.SUBMITTED)
    OPEN = (Status.ASSIGNED, Status.IN_PROGRESS)

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("application")
    )
    member = models.ForeignKey(
        CommissionMember,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("commission member"),
    )
    status = FSMField(_("status"), default=Status.ASSIGNED, choices=Status.choices, protected=True)
    comment = models.TextField(_("overall comment"), blank=True, max_length=10000)
    # None: assigned by the system (a reassignment after a recusal).
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application_id", "pk"]
        constraints = [
            # Never the same member twice on one application, recused or not:
            # a recusal is a conflict, and a conflicted member never returns.
            models.UniqueConstraint(
                fields=["application", "member"], name="review_once_per_member_application"
            )
        ]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.application} / {self.member}"

    # Transitions: only services call these; they change state and nothing else.

    @transition(
        field=status,
        source=Status.ASSIGNED,
        target=Status.IN_PROGRESS,
        permission=permissions.may_score,
        custom={"label": _("Start scoring")},
    )
    def start(self):
        pass

    @transition(
        field=status,
        source=Status.IN_PROGRESS,
        target=Status.SUBMITTED,
        permission=permissions.may_score,
        custom={"label": _("Submit the review")},
    )
    def submit(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.IN_PROGRESS,
        permission=permissions.may_reopen,
        custom={"label": _("Reopen the review")},
    )
    def reopen(self):
        pass

    @transition(
        field=status,
        source=[Status.ASSIGNED, Status.IN_PROGRESS],
        target=Status.RECUSED,
        permission=permissions.may_recuse,
        custom={"label": _("Declare a conflict")},
    )
    def recuse(self):
        pass


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["review_id", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="score_once_per_review_criterion"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"


class Recommendation(models.Model):
    """What the commission recommends for one application (recorded by the chair)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="recommendation"
    )
    # Zero: the commission does not recommend funding.
    amount = models.DecimalField(
        _("recommended amount (PLN)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="recommendation_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.amount}"


class Decision(models.Model):
    """The operator's decision on one application; applied to the application
    when the competition is decided."""

    class Outcome(models.TextChoices):
        AWARDED = "awarded", _("award")
        RESERVE = "reserve", _("reserve list")
        REJECTED = "rejected", _("do not fund")

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(
        _("amount awarded (PLN)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"), blank=True, max_length=5000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome="awarded") & Q(amount__gt=0))
                | (~Q(outcome="awarded") & Q(amount__isnull=True)),
                name="decision_amount_only_when_awarded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display()}"
