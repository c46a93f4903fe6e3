"""Bad input over the API is a 400 with messages per field, and nothing is
saved: malformed JSON, wrong types, negative or absurd amounts, dates in the
future where only the past makes sense, missing fields. Errors of nested rows
are named as the services name them (`tranches.0.amount`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEntry
from payouts.models import Grant, Payment, Report
from payouts.services import payment_approve, report_final_open

from . import factories as pf

TODAY = timezone.localdate()
TOMORROW = str(TODAY + timedelta(days=1))


def grant_state(grant):
    fresh = Grant.objects.get(pk=grant.pk)
    return (
        fresh.status,
        fresh.updated_at,
        fresh.contract_number,
        fresh.bank_account,
        fresh.refund_paid,
        list(fresh.payments.values_list("order", "amount", "status", "amount_paid")),
        list(fresh.budget_lines.values_list("name", "unit_cost", "grant_amount", "approved_over")),
        AuditEntry.objects.count(),
    )


def assert_400(response, *fields):
    assert response.status_code == 400, response.content
    body = response.json()
    for field in fields:
        assert field in body, (field, body)
        assert isinstance(body[field][0], str)
    return body


@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("post", "contract/"),
        ("put", "budget/"),
        ("post", "refund/"),
        ("post", "transitions/sign/"),
    ],
)
def test_malformed_json_is_400_and_nothing_changes(api, official, owner, grant, method, tail):
    before = grant_state(grant)
    client = api(owner if tail == "budget/" else official)

    response = client.generic(
        method.upper(),
        f"/api/v1/grants/{grant.pk}/{tail}",
        '{"tranches": [',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "detail" in response.json()
    assert grant_state(grant) == before


@pytest.mark.parametrize("tail", ["contract/", "budget/", "refund/", "transitions/decline/"])
def test_a_list_instead_of_an_object_is_400(api, official, grant, tail):
    before = grant_state(grant)

    response = api(official).generic(
        "PUT" if tail == "budget/" else "POST",
        f"/api/v1/grants/{grant.pk}/{tail}",
        "[1, 2]",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert grant_state(grant) == before


class TestContract:
    @pytest.mark.parametrize(
        ("tranche", "field"),
        [
            ({"amount": "-100.00"}, "tranches.0.amount"),
            ({"amount": "0.00"}, "tranches.0.amount"),
            ({"amount": "dużo"}, "tranches.0.amount"),
            ({"amount": "NaN"}, "tranches.0.amount"),
            ({"amount": "100000000.00"}, "tranches.0.amount"),
            ({"amount": "12.345"}, "tranches.0.amount"),
            ({"amount": {"value": 1}}, "tranches.0.amount"),
            ({"due_date": "jutro"}, "tranches.0.due_date"),
            ({"due_date": None}, "tranches.0.due_date"),
        ],
    )
    def test_bad_tranche(self, api, official, grant, tranche, field):
        before = grant_state(grant)
        rows = [
            {"amount": "2000.00", "due_date": str(grant.project_start)},
            {"amount": "2000.00", "due_date": str(grant.project_start)},
        ]
        rows[0].update(tranche)

        response = api(official).post(
            f"/api/v1/grants/{grant.pk}/contract/",
            {"operator_signatory": "Ktoś", "tranches": rows},
            format="json",
        )

        assert_400(response, field)
        assert grant_state(grant) == before

    def test_missing_fields_of_a_tranche_are_named(self, api, official, grant):
        response = api(official).post(
            f"/api/v1/grants/{grant.pk}/contract/", {"tranches": [{}]}, format="json"
        )

        assert_400(response, "tranches.0.amount", "tranches.0.due_date")
        assert not grant.payments.exists()

    @pytest.mark.parametrize("tranches", [[], "4000", {"amount": "4000.00"}])
    def test_tranches_must_be_a_list_of_rows(self, api, official, grant, tranches):
        response = api(official).post(
            f"/api/v1/grants/{grant.pk}/contract/", {"tranches": tranches}, format="json"
        )

        assert_400(response, "tranches")
        assert not grant.payments.exists()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"bank_account": "PL00 1234"}, "bank_account"),
            ({"contract_number": "x" * 61}, "contract_number"),
            ({"contract_number": ""}, "contract_number"),
            ({"partial_report_required": "może"}, "partial_report_required"),
            ({"project_start": "2026-13-01"}, "project_start"),
            ({"project_end": "2000-01-01"}, "project_end"),
            ({"operator_signatory": "x" * 301}, "operator_signatory"),
        ],
    )
    def test_bad_terms(self, api, official, grant, data, field):
        before = grant_state(grant)

        response = api(official).post(f"/api/v1/grants/{grant.pk}/contract/", data, format="json")

        assert_400(response, field)
        assert grant_state(grant) == before

    def test_a_number_another_contract_has_is_refused(
        self, api, official, grant, competition, group, owner
    ):
        other = pf.make_grant(competition=competition, group=group, owner=owner)

        response = api(official).post(
            f"/api/v1/grants/{grant.pk}/contract/",
            {"contract_number": other.contract_number},
            format="json",
        )

        assert_400(response, "contract_number")


class TestBudget:
    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ({"unit_cost": "-5.00"}, "lines.0.unit_cost"),
            ({"grant_amount": "-1"}, "lines.0.grant_amount"),
            ({"own_financial": "999999999999"}, "lines.0.own_financial"),
            ({"quantity": "-1"}, "lines.0.quantity"),
            ({"unit_cost": "Infinity"}, "lines.0.unit_cost"),
            ({"category": "luxuries"}, "lines.0.category"),
            ({"name": ""}, "lines.0.name"),
            ({"id": "pierwsza"}, "lines.0.id"),
        ],
    )
    def test_bad_line(self, api, owner, reduced_grant, line, field):
        lines = [
            {k: str(v) for k, v in row.items() if k != "is_volunteer_work"}
            for row in pf.reduced_budget_lines(reduced_grant)
        ]
        lines[0].update(line)
        before = grant_state(reduced_grant)

        response = api(owner).put(
            f"/api/v1/grants/{reduced_grant.pk}/budget/", {"lines": lines}, format="json"
        )

        assert_400(response, field)
        assert grant_state(reduced_grant) == before

    def test_missing_fields_are_named(self, api, owner, reduced_grant):
        response = api(owner).put(
            f"/api/v1/grants/{reduced_grant.pk}/budget/", {"lines": [{}]}, format="json"
        )

        assert_400(response, "lines.0.name", "lines.0.quantity", "lines.0.unit_cost")
        assert api(owner).put(
            f"/api/v1/grants/{reduced_grant.pk}/budget/", {}, format="json"
        ).json() == {"lines": ["To pole jest wymagane."]}

    def test_a_line_of_another_grant_is_refused(self, api, owner, reduced_grant, grant):
        lines = [
            {k: str(v) for k, v in row.items() if k != "is_volunteer_work"}
            for row in pf.reduced_budget_lines(reduced_grant)
        ]
        lines[0]["id"] = str(grant.budget_lines.first().pk)
        before = grant_state(reduced_grant)

        response = api(owner).put(
            f"/api/v1/grants/{reduced_grant.pk}/budget/", {"lines": lines}, format="json"
        )

        assert_400(response, "lines.0.id")
        assert grant_state(reduced_grant) == before


class TestTransitionsInput:
    @pytest.mark.parametrize(
        "body", [{}, {"signed_on": "wczoraj"}, {"signed_on": TOMORROW}, {"signed_on": None}]
    )
    def test_signing_needs_a_past_date(self, api, official, competition, group, owner, body):
        grant = pf.prepared_grant(
            official=official, competition=competition, group=group, owner=owner
        )
        before = grant_state(grant)

        response = api(official).post(
            f"/api/v1/grants/{grant.pk}/transitions/sign/", body, format="json"
        )

        assert_400(response, "signed_on")
        assert grant_state(grant) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"comment": ""}, "comment"),
            ({"comment": "Zerwana", "refund_amount": "-1"}, "refund_amount"),
            ({"comment": "Zerwana", "refund_amount": "0.01"}, "refund_amount"),
            ({"comment": "Zerwana", "terminated_on": TOMORROW}, "terminated_on"),
        ],
    )
    def test_termination(self, api, official, running, body, field):
        before = grant_state(running)

        response = api(official).post(
            f"/api/v1/grants/{running.pk}/transitions/terminate/", body, format="json"
        )

        assert_400(response, field)
        assert grant_state(running) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "paid_on"),
            ({"paid_on": "2026-02-30"}, "paid_on"),
            ({"paid_on": TOMORROW}, "paid_on"),
            ({"paid_on": str(TODAY), "amount": "-1"}, "amount"),
            ({"paid_on": str(TODAY), "amount": "0"}, "amount"),
            ({"paid_on": str(TODAY), "amount": "3200.01"}, "amount"),
            ({"paid_on": str(TODAY), "amount": "trzy tysiące"}, "amount"),
            ({"paid_on": str(TODAY), "bank_reference": "x" * 101}, "bank_reference"),
        ],
    )
    def test_paying(self, api, official, signed, body, field):
        payment = payment_approve(payment=signed.payments.get(order=1), actor=official)
        audit = AuditEntry.objects.count()

        response = api(official).post(
            f"/api/v1/payments/{payment.pk}/transitions/pay/", body, format="json"
        )

        assert_400(response, field)
        payment.refresh_from_db()
        assert (payment.status, payment.amount_paid) == (Payment.Status.APPROVED, None)
        assert AuditEntry.objects.count() == audit

    def test_a_tranche_paid_lower_than_planned(self, api, official, signed):
        payment = payment_approve(payment=signed.payments.get(order=1), actor=official)

        response = api(official).post(
            f"/api/v1/payments/{payment.pk}/transitions/pay/",
            {"paid_on": str(TODAY), "amount": "3000.00"},
            format="json",
        )

        assert response.status_code == 200
        assert (response.json()["amount"], response.json()["amount_paid"]) == (
            "3200.00",
            "3000.00",
        )


class TestRefundAndApproval:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"received_on": str(TODAY)}, "amount"),
            ({"amount": "-5", "received_on": str(TODAY)}, "amount"),
            ({"amount": "1e12", "received_on": str(TODAY)}, "amount"),
            ({"amount": "5.00"}, "received_on"),
            ({"amount": "5.00", "received_on": TOMORROW}, "received_on"),
        ],
    )
    def test_refund(self, api, official, running, body, field):
        pf.pay(running.payments.get(order=1), official)
        before = grant_state(running)

        response = api(official).post(f"/api/v1/grants/{running.pk}/refund/", body, format="json")

        assert_400(response, field)
        assert grant_state(running) == before

    @pytest.mark.parametrize("body", [{}, {"amount": "-1"}, {"amount": "abc"}, {"amount": 1e10}])
    def test_approve_over(self, api, official, running, body):
        line = running.budget_lines.first()
        before = grant_state(running)

        response = api(official).post(
            f"/api/v1/grants/{running.pk}/budget-lines/{line.pk}/approve-over/",
            body,
            format="json",
        )

        assert_400(response, "amount")
        assert grant_state(running) == before


class TestReports:
    @pytest.fixture
    def draft(self, running, owner):
        return report_final_open(grant=running, actor=owner)

    def report_state(self, report):
        fresh = Report.objects.get(pk=report.pk)
        return (
            fresh.narrative,
            fresh.updated_at,
            list(fresh.lines.values_list("spent_grant", "spent_own_financial")),
            list(fresh.results.values_list("actual_value", flat=True)),
        )

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            ({"spent_grant": "-1.00"}, "lines.0.spent_grant"),
            ({"spent_grant": "100000000.00"}, "lines.0.spent_grant"),
            ({"spent_grant": "1.001"}, "lines.0.spent_grant"),
            ({"spent_own_financial": "dużo"}, "lines.0.spent_own_financial"),
            ({"budget_line": "pierwsza"}, "lines.0.budget_line"),
            ({"budget_line": None}, "lines.0.budget_line"),
            ({"budget_line": 999999}, "lines.0.budget_line"),
            ({"comment": "x" * 1001}, "lines.0.comment"),
        ],
    )
    def test_bad_spending(self, api, owner, running, draft, row, field):
        before = self.report_state(draft)
        line = running.budget_lines.first()
        data = {
            "narrative": "Zmieniony",
            "lines": [{"budget_line": line.pk, "spent_grant": "10.00", **row}],
        }

        response = api(owner).patch(f"/api/v1/reports/{draft.pk}/", data, format="json")

        assert_400(response, field)
        assert self.report_state(draft) == before

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"results": [{"indicator": 0, "actual_value": "1"}]}, "results.0.indicator"),
            ({"results": "12"}, "results"),
            ({"narrative": "x" * 20001}, "narrative"),
            ({"narrative": ["a", "b"]}, "narrative"),
            ({"lines": {"budget_line": 1}}, "lines"),
        ],
    )
    def test_bad_draft(self, api, owner, draft, data, field):
        before = self.report_state(draft)

        response = api(owner).patch(f"/api/v1/reports/{draft.pk}/", data, format="json")

        assert_400(response, field)
        assert self.report_state(draft) == before

    def test_a_negative_result_is_refused(self, api, owner, running, draft):
        indicator = running.application.indicators.get()
        before = self.report_state(draft)

        response = api(owner).patch(
            f"/api/v1/reports/{draft.pk}/",
            {"results": [{"indicator": indicator.pk, "actual_value": "-3"}]},
            format="json",
        )

        assert_400(response, "results.0.actual_value")
        assert self.report_state(draft) == before

    def test_malformed_json(self, api, owner, draft):
        before = self.report_state(draft)

        response = api(owner).generic(
            "PATCH",
            f"/api/v1/reports/{draft.pk}/",
            '{"narrative": ',
            content_type="application/json",
        )

        assert response.status_code == 400
        assert self.report_state(draft) == before

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"kind": "partial"}, "due_date"),
            ({"kind": "interim", "due_date": TOMORROW}, "kind"),
            ({"kind": "partial", "due_date": "za tydzień"}, "due_date"),
            ({"kind": "partial", "due_date": str(TODAY - timedelta(days=1))}, "due_date"),
        ],
    )
    def test_bad_request_for_a_report(self, api, official, running, data, field):
        response = api(official).post(
            "/api/v1/reports/", {"grant": running.pk, **data}, format="json"
        )

        assert_400(response, field)
        assert not Report.objects.exists()

    def test_grant_and_kind_are_required(self, api, official):
        response = api(official).post("/api/v1/reports/", {}, format="json")

        assert_400(response, "grant", "kind")
