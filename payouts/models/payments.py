"""Tranches of a grant."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import permissions
from .grants import POSITIVE_MONEY, Grant


class Payment(ConcurrentTransitionMixin, models.Model):
    """One tranche of the grant."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        APPROVED = "approved", _("approved for payment")
        PAID = "paid", _("paid")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="payments")
    order = models.PositiveSmallIntegerField(_("tranche"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(
        _("amount (PLN)"), max_digits=10, decimal_places=2, validators=POSITIVE_MONEY
    )
    due_date = models.DateField(_("due date"))
    status = FSMField(_("status"), default=Status.SCHEDULED, choices=Status.choices, protected=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    # What left the operator's account; lower than `amount` when the last
    # tranche is cut to what the settlement found eligible.
    amount_paid = models.DecimalField(
        _("amount paid (PLN)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank transfer reference"), max_length=100, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment recorded by"),
    )

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["grant_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "order"], name="tranche_order_unique"),
            models.CheckConstraint(
                condition=Q(amount_paid__isnull=True)
                | (Q(amount_paid__gt=0) & Q(amount_paid__lte=models.F("amount"))),
                name="tranche_paid_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant} / {self.order}"

    def grant_is_payable(self) -> bool:
        # Offered only while the grant may be paid. The services give the
        # reason when it may not; the runner itself does not check conditions.
        return self.grant.status in Grant.PAYABLE

    @transition(
        field=status,
        source=Status.SCHEDULED,
        target=Status.APPROVED,
        conditions=[grant_is_payable],
        permission=permissions.may_manage_payment,
        custom={"label": _("Approve for payment")},
    )
    def approve(self):
        pass

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.PAID,
        conditions=[grant_is_payable],
        permission=permissions.may_manage_payment,
        custom={"label": _("Record the payment")},
    )
    def pay(self):
        pass

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.SCHEDULED,
        permission=permissions.may_manage_payment,
        custom={"label": _("Withdraw the approval")},
    )
    def withdraw(self):
        # An approval that can no longer be paid (the contract was terminated,
        # or the settlement left nothing to pay) must not keep the grant open.
        pass
