"""Grants in each stage of their life, built through the real services so
that every test starts from a state the system itself could reach."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from applications.models import Application
from applications.services import application_submit
from core.transitions import perform_transition
from payouts.models import Grant, Payment, Report
from payouts.services import (
    grant_budget_update,
    grant_contract_prepare,
    grant_create,
    grant_sign,
    grant_start,
    payment_approve,
    payment_pay,
    report_accept,
    report_final_open,
    report_save,
    report_submit,
)
from tests import factories as f

IBAN = "PL61109010140000071219812874"


def awarded_application(*, competition, group, owner, **fields) -> Application:
    """A ready application of `group`, submitted by `owner` and walked by the
    system through the formal check and the review to awarded (what the
    decision service does in real life)."""
    application = f.ready_application(
        competition=competition, group=group, created_by=owner, **fields
    )
    application = application_submit(application=application, actor=owner)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        for name in ("accept_formally", "start_review", "award"):
            perform_transition(application, name, actor=None)
    return application


def make_grant(*, competition, group, owner, amount=Decimal("4000.00"), **fields) -> Grant:
    application = awarded_application(competition=competition, group=group, owner=owner, **fields)
    return grant_create(application=application, amount_awarded=amount)


def reduced_budget_lines(grant: Grant) -> list[dict]:
    """The budget of a 4,000 PLN application cut to a 3,000 PLN award: the
    materials line loses 1,000 PLN of grant and of cost; the own
    contribution (1,200 PLN) is still over 25% of the grant."""
    lines = []
    for line in grant.budget_lines.order_by("position", "pk"):
        row = {
            "id": line.pk,
            "category": line.category,
            "name": line.name,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_cost": line.unit_cost,
            "grant_amount": line.grant_amount,
            "own_financial": line.own_financial,
            "own_non_financial": line.own_non_financial,
            "is_volunteer_work": line.is_volunteer_work,
        }
        if line.name == "Sadzonki i ziemia":
            row["unit_cost"] = Decimal("3100.00")
            row["grant_amount"] = Decimal("2700.00")
        lines.append(row)
    return lines


def tranches(grant: Grant, *amounts: Decimal) -> list[dict]:
    """A schedule of the given amounts, a month apart from the project's start."""
    amounts = amounts or (grant.amount_awarded,)
    return [
        {"amount": amount, "due_date": grant.project_start + timedelta(days=30 * index)}
        for index, amount in enumerate(amounts)
    ]


def prepared_grant(*, official, amounts=(), **kwargs) -> Grant:
    grant = make_grant(**kwargs)
    if grant.is_reduced:
        grant_budget_update(grant=grant, actor=kwargs["owner"], lines=reduced_budget_lines(grant))
    return grant_contract_prepare(
        grant=grant,
        actor=official,
        data={
            "bank_account": IBAN,
            "operator_signatory": "Jan Burmistrz",
            "grantee_signatories": "Olga Właścicielka",
            "tranches": tranches(grant, *amounts),
        },
    )


def signed_grant(*, official, **kwargs) -> Grant:
    grant = prepared_grant(official=official, **kwargs)
    return grant_sign(grant=grant, actor=official, signed_on=timezone.localdate())


def running_grant(*, official, **kwargs) -> Grant:
    grant = signed_grant(official=official, **kwargs)
    return grant_start(grant=grant, actor=official)


def pay(payment: Payment, official) -> Payment:
    payment = payment_approve(payment=payment, actor=official)
    return payment_pay(payment=payment, actor=official, paid_on=timezone.localdate())


def pay_all(grant: Grant, official) -> None:
    for payment in grant.payments.order_by("order"):
        pay(payment, official)


def final_report(grant: Grant, owner, spent: dict[str, Decimal] | None = None) -> Report:
    """The final report, submitted, with grant spending per line name
    (unnamed lines spent as planned) and every indicator met."""
    spent = spent or {}
    report = report_final_open(grant=grant, actor=owner)
    report_save(
        report=report,
        actor=owner,
        data={
            "narrative": "Ogród powstał, sąsiedzi posadzili 12 grządek.",
            "lines": [
                {
                    "budget_line": line.pk,
                    "spent_grant": spent.get(line.name, line.grant_amount),
                    "spent_own_financial": line.own_financial,
                    "spent_own_non_financial": line.own_non_financial,
                }
                for line in grant.budget_lines.all()
            ],
            "results": [
                {"indicator": i.pk, "actual_value": i.target_value}
                for i in grant.application.indicators.all()
            ],
        },
    )
    return report_submit(report=report, actor=owner)


def settle_by_final_report(grant, *, owner, official, spent=None) -> Grant:
    report = final_report(grant, owner, spent)
    report_accept(report=report, actor=official)
    grant.refresh_from_db()
    return grant
