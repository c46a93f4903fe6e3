"""Every transition from a state that does not allow it is a 409 over the API
and changes nothing: no state, no field, no audit row. A tranche is paid
once; the second `pay` is a 409."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEntry
from core.transitions import transition_names
from payouts import api as payouts_api
from payouts.models import Grant, Payment, Report
from payouts.services import (
    grant_close,
    grant_decline,
    grant_terminate,
    payment_approve,
    report_accept,
    report_final_open,
    report_return,
)

from . import factories as pf

TODAY = str(timezone.localdate())
GRANT_TRANSITIONS = ["sign", "decline", "start", "start_reporting", "settle", "close", "terminate"]
# What each state allows (from the model); every other name must be refused.
GRANT_ALLOWED = {
    "preparing": {"sign", "decline"},
    "signed": {"start", "terminate"},
    "in_progress": {"start_reporting", "terminate"},
    "reporting": {"settle", "terminate"},
    "settled": {"close"},
    "terminated": {"close"},
    "closed": set(),
    "declined": set(),
}
# A body every grant transition accepts, so that only the state can refuse.
GRANT_BODY = {"comment": "Próba", "signed_on": TODAY}


def grant_snapshot(grant):
    fresh = Grant.objects.get(pk=grant.pk)
    return (
        fresh.status,
        fresh.updated_at,
        fresh.signed_on,
        fresh.refund_amount,
        fresh.terminated_on,
        list(fresh.payments.values_list("status", flat=True)),
        list(fresh.reports.values_list("status", flat=True)),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def grant_in(request, competition, group, owner, official):
    """A grant of the operator, brought by the services into a given state."""

    def build(state):
        kwargs = {"competition": competition, "group": group, "owner": owner}
        if state == "preparing":
            return pf.prepared_grant(official=official, **kwargs)
        if state == "declined":
            return grant_decline(grant=pf.make_grant(**kwargs), actor=owner)
        if state == "signed":
            return pf.signed_grant(official=official, **kwargs)
        grant = pf.running_grant(official=official, **kwargs)
        if state == "in_progress":
            return grant
        if state == "terminated":
            return grant_terminate(grant=grant, actor=official, comment="Zerwana.")
        pf.pay_all(grant, official)
        if state == "reporting":
            # Spent less than paid: a refund is due, so it stays in reporting.
            return pf.settle_by_final_report(
                grant, owner=owner, official=official, spent={"Księgowość": Decimal("100.00")}
            )
        grant = pf.settle_by_final_report(grant, owner=owner, official=official)
        if state == "settled":
            return grant
        return grant_close(grant=grant, actor=official)

    return build


@pytest.mark.parametrize("state", list(GRANT_ALLOWED))
def test_grant_transitions_from_the_wrong_state_are_409(api, official, grant_in, state):
    grant = grant_in(state)
    assert grant.status == state
    client = api(official)
    offered = client.get(f"/api/v1/grants/{grant.pk}/").json()["available_transitions"]
    assert set(offered) <= GRANT_ALLOWED[state]
    before = grant_snapshot(grant)

    for name in GRANT_TRANSITIONS:
        if name in GRANT_ALLOWED[state]:
            continue
        response = client.post(
            f"/api/v1/grants/{grant.pk}/transitions/{name}/", GRANT_BODY, format="json"
        )
        assert response.status_code == 409, (state, name, response.content)
        assert "non_field_errors" in response.json()
        assert grant_snapshot(grant) == before, (state, name)


def payment_snapshot(payment):
    fresh = Payment.objects.get(pk=payment.pk)
    return (
        fresh.status,
        fresh.approved_at,
        fresh.amount_paid,
        fresh.paid_on,
        fresh.bank_reference,
        AuditEntry.objects.count(),
    )


PAY = {"paid_on": TODAY, "bank_reference": "PRZELEW/2"}


class TestTranches:
    def test_paying_twice_is_409_and_keeps_the_first_payment(self, api, official, signed):
        payment = signed.payments.get(order=1)
        client = api(official)
        base = f"/api/v1/payments/{payment.pk}/transitions/"
        assert client.post(f"{base}approve/", {}, format="json").status_code == 200
        first = client.post(
            f"{base}pay/", {"paid_on": TODAY, "bank_reference": "PRZELEW/1"}, format="json"
        )
        assert first.status_code == 200
        before = payment_snapshot(payment)

        second = client.post(f"{base}pay/", PAY, format="json")

        assert second.status_code == 409
        assert payment_snapshot(payment) == before
        assert Payment.objects.get(pk=payment.pk).bank_reference == "PRZELEW/1"
        assert client.get(f"/api/v1/grants/{signed.pk}/").json()["paid_total"] == "3200.00"

    def test_paying_a_tranche_not_approved_is_409(self, api, official, signed):
        payment = signed.payments.get(order=1)
        before = payment_snapshot(payment)

        response = api(official).post(
            f"/api/v1/payments/{payment.pk}/transitions/pay/", PAY, format="json"
        )

        assert response.status_code == 409
        assert payment_snapshot(payment) == before

    def test_approving_twice_is_409(self, api, official, signed):
        payment = payment_approve(payment=signed.payments.get(order=1), actor=official)
        before = payment_snapshot(payment)

        response = api(official).post(
            f"/api/v1/payments/{payment.pk}/transitions/approve/", {}, format="json"
        )

        assert response.status_code == 409
        assert payment_snapshot(payment) == before

    def test_approving_a_paid_tranche_is_409(self, api, official, signed):
        payment = pf.pay(signed.payments.get(order=1), official)
        before = payment_snapshot(payment)

        response = api(official).post(
            f"/api/v1/payments/{payment.pk}/transitions/approve/", {}, format="json"
        )

        assert response.status_code == 409
        assert payment_snapshot(payment) == before

    @pytest.mark.parametrize("name", ["approve", "pay"])
    def test_no_tranche_moves_before_the_contract_is_signed(self, api, official, grant_in, name):
        grant = grant_in("preparing")
        payment = grant.payments.get(order=1)
        before = payment_snapshot(payment)

        response = api(official).post(
            f"/api/v1/payments/{payment.pk}/transitions/{name}/", PAY, format="json"
        )

        assert response.status_code == 409
        assert payment_snapshot(payment) == before


def report_snapshot(report):
    fresh = Report.objects.get(pk=report.pk)
    return (
        fresh.status,
        fresh.submitted_at,
        fresh.reviewed_at,
        fresh.review_comment,
        Grant.objects.get(pk=report.grant_id).status,
        AuditEntry.objects.count(),
    )


REPORT_ALLOWED = {
    "draft": {"submit"},
    "submitted": {"accept", "return_for_changes"},
    "returned": {"resubmit"},
    "accepted": set(),
}


@pytest.fixture
def report_in(running, owner, official):
    def build(state):
        if state == "draft":
            return report_final_open(grant=running, actor=owner)
        report = pf.final_report(running, owner)
        if state == "returned":
            return report_return(report=report, actor=official, comment="Popraw.")
        if state == "accepted":
            return report_accept(report=report, actor=official)
        return report

    return build


@pytest.mark.parametrize("state", list(REPORT_ALLOWED))
def test_report_transitions_from_the_wrong_state_are_409(api, owner, official, report_in, state):
    report = report_in(state)
    assert report.status == state
    before = report_snapshot(report)

    for name in ("submit", "resubmit", "accept", "return_for_changes"):
        if name in REPORT_ALLOWED[state]:
            continue
        # Each by the one whose part it is, so that only the state can refuse.
        client = api(owner if name in ("submit", "resubmit") else official)
        response = client.post(
            f"/api/v1/reports/{report.pk}/transitions/{name}/",
            {"comment": "Próba"},
            format="json",
        )
        assert response.status_code == 409, (state, name, response.content)
        assert report_snapshot(report) == before, (state, name)


def test_a_submitted_report_cannot_be_changed(api, owner, report_in):
    report = report_in("submitted")

    response = api(owner).patch(
        f"/api/v1/reports/{report.pk}/", {"narrative": "Po terminie"}, format="json"
    )

    assert response.status_code == 409
    report.refresh_from_db()
    assert report.narrative == "Ogród powstał, sąsiedzi posadzili 12 grządek."


def test_an_unknown_transition_is_404(api, official, running):
    response = api(official).post(f"/api/v1/grants/{running.pk}/transitions/award/", {})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("viewset", "model"),
    [("GrantViewSet", Grant), ("PaymentViewSet", Payment), ("ReportViewSet", Report)],
)
def test_every_transition_of_the_model_has_its_endpoint(viewset, model):
    # Nested tranches and reports list every transition the user may run,
    # which is right only while each of them can be run over the API.
    assert set(getattr(payouts_api, viewset).transition_services) == transition_names(model)
