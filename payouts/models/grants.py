"""Grants, the payment rules they copy, and their agreed budgets."""

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.models import MONEY, QUANTITY, Application, BudgetLine, money
from competitions.models import PERCENT, Competition

from .. import permissions

ZERO = Decimal("0.00")
WARSAW = ZoneInfo("Europe/Warsaw")
POSITIVE_MONEY = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99999999.99"))]


class CompetitionPayoutSettings(models.Model):
    """Payment rules a competition sets for all its grants; each grant copies
    them when it is created, so changing them later never rewrites a contract."""

    competition = models.OneToOneField(
        Competition,
        on_delete=models.CASCADE,
        related_name="payout_settings",
        verbose_name=_("competition"),
    )
    partial_report_required = models.BooleanField(
        _("a later tranche needs an accepted partial report"),
        default=False,
        help_text=_(
            "Tranche 2 is paid only after one partial report is accepted, tranche 3 after two, "
            "and so on."
        ),
    )

    class Meta:
        verbose_name = _("payment rules of a competition")
        verbose_name_plural = _("payment rules of competitions")

    def __str__(self) -> str:
        return str(self.competition)


class Grant(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("contract in preparation")
        SIGNED = "signed", _("contract signed")
        IN_PROGRESS = "in_progress", _("in progress")
        REPORTING = "reporting", _("final reporting")
        SETTLED = "settled", _("settled")
        CLOSED = "closed", _("closed")
        DECLINED = "declined", _("declined by the applicant")
        TERMINATED = "terminated", _("contract terminated")

    # Tranches may be approved and paid only while the contract is in force.
    PAYABLE = (Status.SIGNED, Status.IN_PROGRESS, Status.REPORTING, Status.SETTLED)
    # The group may return money it did not spend before the settlement says
    # how much is due (the refund falls due before the final report does).
    REFUNDABLE = (Status.SIGNED, Status.IN_PROGRESS, Status.REPORTING, Status.TERMINATED)
    # What the competition's archive guard waits for.
    FINISHED = (Status.CLOSED, Status.DECLINED)

    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="grant",
        verbose_name=_("application"),
    )
    # Copies of the application's competition and group: they never change,
    # and every permission check and list filter needs them.
    competition = models.ForeignKey(
        Competition, on_delete=models.PROTECT, related_name="grants", verbose_name=_("competition")
    )
    group = models.ForeignKey(
        "applications.ApplicantGroup",
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("grantee"),
    )
    status = FSMField(_("status"), default=Status.PREPARING, choices=Status.choices, protected=True)

    amount_requested = models.DecimalField(
        _("amount requested (PLN)"), max_digits=10, decimal_places=2, validators=MONEY
    )
    amount_awarded = models.DecimalField(
        _("amount awarded (PLN)"), max_digits=10, decimal_places=2, validators=POSITIVE_MONEY
    )
    budget_update_deadline = models.DateTimeField(
        _("budget update deadline"),
        null=True,
        blank=True,
        help_text=_("Set when the award is lower than requested."),
    )
    budget_updated_at = models.DateTimeField(_("budget updated at"), null=True, blank=True)

    contract_number = models.CharField(_("contract number"), max_length=60)
    contract_prepared_at = models.DateTimeField(_("contract prepared at"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    operator_signatory = models.CharField(_("signing for the operator"), max_length=300, blank=True)
    grantee_signatories = models.CharField(_("signing for the grantee"), max_length=500, blank=True)
    project_start = models.DateField(_("project start"))
    project_end = models.DateField(_("project end"))
    shift_pct = models.DecimalField(
        _("allowed shift between budget lines (%)"),
        max_digits=5,
        decimal_places=2,
        validators=PERCENT,
    )
    final_report_due = models.DateField(_("final report due"))
    refund_due = models.DateField(_("refund due"))
    bank_account = models.CharField(_("bank account (IBAN)"), max_length=34, blank=True)
    partial_report_required = models.BooleanField(
        _("a later tranche needs an accepted partial report"), default=False
    )

    # The settlement, computed when the final report is accepted (or set by an
    # official when the contract is terminated).
    eligible_spending = models.DecimalField(
        _("eligible grant spending (PLN)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    refund_amount = models.DecimalField(
        _("refund due (PLN)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    settlement_computed_at = models.DateTimeField(
        _("settlement computed at"), null=True, blank=True
    )
    settlement_detail = models.JSONField(
        _("settlement per budget line"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    refund_paid = models.DecimalField(
        _("refunded so far (PLN)"), max_digits=10, decimal_places=2, default=ZERO
    )
    refund_paid_on = models.DateField(_("last refund received on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["competition_id", "contract_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "contract_number"], name="contract_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount_awarded__gt=0)
                & Q(amount_awarded__lte=models.F("amount_requested")),
                name="grant_awarded_within_requested",
            ),
            models.CheckConstraint(
                condition=Q(project_start__lte=models.F("project_end")),
                name="grant_project_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0),
                name="grant_refund_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["competition", "status"])]

    def __str__(self) -> str:
        return self.contract_number

    @property
    def is_reduced(self) -> bool:
        return self.amount_awarded < self.amount_requested

    @property
    def budget_update_pending(self) -> bool:
        """A reduced award waits for the applicant's new budget before signing."""
        return self.is_reduced and self.budget_updated_at is None

    @property
    def budget_update_last_day(self) -> date | None:
        """The last day of the term, for people: the deadline itself is the
        midnight that ends it, which reads as the next day."""
        if self.budget_update_deadline is None:
            return None
        last_moment = self.budget_update_deadline - timedelta(microseconds=1)
        return timezone.localtime(last_moment, WARSAW).date()

    @property
    def refund_outstanding(self) -> Decimal:
        if self.refund_amount is None:
            return ZERO
        return max(ZERO, money(self.refund_amount - self.refund_paid))

    # Transitions: only services call these; they change the state and nothing else.

    @transition(
        field=status,
        source=Status.PREPARING,
        target=Status.SIGNED,
        permission=permissions.may_manage_grant,
        custom={"label": _("Record the signed contract")},
    )
    def sign(self):
        pass

    @transition(
        field=status,
        source=Status.PREPARING,
        target=Status.DECLINED,
        permission=permissions.may_decline_grant,
        custom={"label": _("Decline the grant")},
    )
    def decline(self):
        pass

    @transition(
        field=status,
        source=Status.SIGNED,
        target=Status.IN_PROGRESS,
        permission=permissions.may_manage_grant,
        custom={"label": _("Start the project")},
    )
    def start(self):
        pass

    @transition(
        field=status,
        source=Status.IN_PROGRESS,
        target=Status.REPORTING,
        permission=permissions.may_manage_grant,
        custom={"label": _("Open the final reporting")},
    )
    def start_reporting(self):
        pass

    @transition(
        field=status,
        source=Status.REPORTING,
        target=Status.SETTLED,
        permission=permissions.may_manage_grant,
        custom={"label": _("Settle")},
    )
    def settle(self):
        pass

    @transition(
        field=status,
        source=[Status.SETTLED, Status.TERMINATED],
        target=Status.CLOSED,
        permission=permissions.may_manage_grant,
        custom={"label": _("Close")},
    )
    def close(self):
        pass

    @transition(
        field=status,
        source=[Status.SIGNED, Status.IN_PROGRESS, Status.REPORTING],
        target=Status.TERMINATED,
        permission=permissions.may_manage_grant,
        custom={"label": _("Terminate the contract")},
    )
    def terminate(self):
        pass


class GrantBudgetLine(models.Model):
    """One line of the budget agreed in the contract.

    Copied from the application's budget when the grant is created and changed
    only by the applicant's budget update after a reduced award, so the
    submitted version of the application stays as it was.
    """

    Category = BudgetLine.Category

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines")
    source_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("line of the application"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
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
        _("from the grant"), max_digits=10, decimal_places=2, default=ZERO, validators=MONEY
    )
    own_financial = models.DecimalField(
        _("own financial contribution"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=MONEY,
    )
    own_non_financial = models.DecimalField(
        _("own non-financial contribution"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=MONEY,
    )
    is_volunteer_work = models.BooleanField(_("volunteer work"), default=False)
    approved_over = models.DecimalField(
        _("approved grant spending above the plan (PLN)"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=MONEY,
        help_text=_(
            "A change the operator agreed: the line may use up to this much more of the grant "
            "than planned, instead of the allowed shift."
        ),
    )

    class Meta:
        verbose_name = _("agreed budget line")
        verbose_name_plural = _("agreed budget")
        ordering = ["grant_id", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> Decimal:
        return money(self.quantity * self.unit_cost)

    @property
    def sources_total(self) -> Decimal:
        return money(self.grant_amount + self.own_financial + self.own_non_financial)
