"""Grants over the API: the list and its filters, the grant with its parts,
the budget update after a reduced award, the contract and its document, the
settlement preview, changes approved on a line, refunds, termination."""

import zipfile
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone

from payouts.docx import DOCX_MIME
from payouts.models import Grant, Report
from payouts.services import grant_decline, grant_terminate, report_final_open, report_request
from tests import factories as f

from . import factories as pf

GRANTS = "/api/v1/grants/"


def url(grant, tail: str = "") -> str:
    return f"{GRANTS}{grant.pk}/{tail}"


def ok(response, status_code=200):
    assert response.status_code == status_code, response.content
    return response.json()


class TestList:
    def test_applicant_sees_the_groups_grants_as_listed(self, api, owner, signed, other_grant):
        body = ok(api(owner).get(GRANTS))

        assert body["count"] == 1
        assert {"count", "next", "previous", "results"} <= set(body)
        row = body["results"][0]
        assert row["id"] == signed.pk
        assert row["status"] == "signed"
        assert row["status_display"]
        # The grantee runs no transition of a signed grant.
        assert row["available_transitions"] == []
        assert row["amount_awarded"] == "4000.00"
        assert row["paid_total"] == "0.00"
        assert row["refund_outstanding"] == "0.00"
        assert row["refund_amount"] is None
        assert row["report_overdue"] is False
        assert row["competition"]["id"] == signed.competition_id
        assert row["group"] == {"id": signed.group_id, "name": "Stowarzyszenie Zielone Zabłocie"}
        assert row["title"] == "Ogród sąsiedzki na Zabłociu"
        assert row["created_at"].endswith("Z")

    def test_official_sees_the_operators_grants_with_their_transitions(
        self, api, official, signed, other_grant
    ):
        body = ok(api(official).get(GRANTS))

        assert [row["id"] for row in body["results"]] == [signed.pk]
        assert body["results"][0]["available_transitions"] == ["start", "terminate"]

    def test_filters(self, api, official, competition, owner, group, running, grant):
        other_competition = f.CompetitionFactory(operator=competition.operator)
        elsewhere = pf.make_grant(competition=other_competition, group=group, owner=owner)
        client = api(official)

        def ids(**params):
            return {row["id"] for row in ok(client.get(GRANTS, params))["results"]}

        assert ids() == {running.pk, grant.pk, elsewhere.pk}
        assert ids(competition=competition.pk) == {running.pk, grant.pk}
        assert ids(status="preparing") == {grant.pk, elsewhere.pk}
        assert ids(status=["preparing", "in_progress"]) == {running.pk, grant.pk, elsewhere.pk}
        assert ids(group=group.pk, status="in_progress") == {running.pk}
        assert ids(report_overdue="true") == set()
        assert ids(refund_due="true") == set()
        assert client.get(GRANTS, {"status": "nonsense"}).status_code == 400
        assert ok(client.get(GRANTS, {"page_size": 2}))["next"]

    def test_overdue_report_filter(self, api, official, owner, running):
        client = api(official)
        report_request(
            grant=running, actor=official, due_date=timezone.localdate() + timedelta(days=3)
        )
        assert ok(client.get(GRANTS, {"report_overdue": "true"}))["count"] == 0

        Report.objects.filter(grant=running).update(
            due_date=timezone.localdate() - timedelta(days=1)
        )

        body = ok(client.get(GRANTS, {"report_overdue": "true"}))
        assert [row["id"] for row in body["results"]] == [running.pk]
        assert body["results"][0]["report_overdue"] is True
        assert ok(client.get(GRANTS, {"report_overdue": "false"}))["count"] == 0

    def test_a_terminated_grant_awaits_no_report(self, api, official, running):
        report_request(
            grant=running, actor=official, due_date=timezone.localdate() + timedelta(days=3)
        )
        Report.objects.filter(grant=running).update(
            due_date=timezone.localdate() - timedelta(days=1)
        )
        grant_terminate(grant=running, actor=official, comment="Zerwana.")

        assert ok(api(official).get(GRANTS, {"report_overdue": "true"}))["count"] == 0

    def test_final_report_nobody_opened_is_overdue_after_its_day(self, api, official, running):
        Grant.objects.filter(pk=running.pk).update(
            final_report_due=timezone.localdate() - timedelta(days=1)
        )

        body = ok(api(official).get(GRANTS, {"report_overdue": "true"}))

        assert [row["id"] for row in body["results"]] == [running.pk]

    def test_refund_due_filter(self, api, official, owner, running, grant):
        pf.pay_all(running, official)
        pf.settle_by_final_report(
            running, owner=owner, official=official, spent={"Sadzonki i ziemia": Decimal("3500")}
        )
        client = api(official)

        body = ok(client.get(GRANTS, {"refund_due": "true"}))

        assert [row["id"] for row in body["results"]] == [running.pk]
        assert body["results"][0]["refund_outstanding"] == "200.00"
        assert [
            row["id"] for row in ok(client.get(GRANTS, {"refund_due": "false"}))["results"]
        ] == [grant.pk]

    def test_anonymous_gets_a_token_challenge(self, api, grant):
        response = api(None).get(GRANTS)

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


class TestDetail:
    def test_has_the_contract_budget_tranches_reports_and_deadlines(self, api, owner, running):
        report_final_open(grant=running, actor=owner)

        body = ok(api(owner).get(url(running)))

        assert body["status"] == "in_progress"
        assert body["bank_account"] == pf.IBAN
        assert body["operator_signatory"] == "Jan Burmistrz"
        assert body["shift_pct"] == "10.00"
        for field in ("project_start", "project_end", "final_report_due", "refund_due"):
            assert body[field] == str(getattr(running, field))
        assert [line["name"] for line in body["budget_lines"]] == [
            "Sadzonki i ziemia",
            "Praca wolontariuszy",
            "Księgowość",
        ]
        assert body["budget_lines"][0]["total"] == "4100.00"
        assert body["budget_lines"][0]["approved_over"] == "0.00"
        assert body["budget_totals"]["grant"] == "4000.00"
        assert body["indicators"][0]["target_value"] == "12.00"
        assert [(p["order"], p["amount"], p["status"]) for p in body["payments"]] == [
            (1, "3200.00", "scheduled"),
            (2, "800.00", "scheduled"),
        ]
        # Tranches are the officials' to approve; the grantee may submit the report.
        assert body["payments"][0]["available_transitions"] == []
        assert body["reports"][0]["kind"] == "final"
        assert body["reports"][0]["available_transitions"] == ["submit"]
        assert body["settlement"] is None
        assert body["contract_document_url"].endswith(
            f"/api/v1/grants/{running.pk}/contract/document/"
        )

    def test_officials_see_what_they_may_do_with_the_parts(self, api, official, running):
        body = ok(api(official).get(url(running)))

        assert body["available_transitions"] == ["start_reporting", "terminate"]
        assert body["payments"][0]["available_transitions"] == ["approve"]

    def test_unknown_grant_is_404(self, api, owner, grant):
        assert api(owner).get(f"{GRANTS}999999/").status_code == 404


class TestBudgetUpdate:
    def test_grantee_replaces_the_budget_after_a_reduced_award(self, api, owner, reduced_grant):
        lines = pf.reduced_budget_lines(reduced_grant)
        payload = {"lines": [{k: str(v) for k, v in line.items()} for line in lines]}
        for line in payload["lines"]:
            line["is_volunteer_work"] = line["is_volunteer_work"] == "True"

        body = ok(api(owner).put(url(reduced_grant, "budget/"), payload, format="json"))

        assert body["budget_update_pending"] is False
        assert body["budget_totals"]["grant"] == "3000.00"
        assert body["budget_lines"][0]["unit_cost"] == "3100.00"

    @pytest.mark.parametrize(
        ("offset", "status_code"),
        [(timedelta(seconds=-1), 200), (timedelta(0), 400), (timedelta(seconds=1), 400)],
    )
    def test_the_server_clock_decides_the_deadline(
        self, api, owner, reduced_grant, offset, status_code
    ):
        payload = {
            "lines": [
                {k: str(v) for k, v in line.items() if k != "is_volunteer_work"}
                for line in pf.reduced_budget_lines(reduced_grant)
            ]
        }

        with time_machine.travel(reduced_grant.budget_update_deadline + offset, tick=False):
            response = api(owner).put(url(reduced_grant, "budget/"), payload, format="json")

        assert response.status_code == status_code, response.content
        if status_code == 400:
            assert "budget_update_deadline" in response.json()
        reduced_grant.refresh_from_db()
        assert reduced_grant.budget_update_pending is (status_code != 200)

    def test_budget_not_adding_up_is_400_and_nothing_changes(self, api, owner, reduced_grant):
        payload = {
            "lines": [
                {
                    "name": "Wszystko",
                    "quantity": "1",
                    "unit_cost": "100.00",
                    "grant_amount": "100.00",
                }
            ]
        }

        response = api(owner).put(url(reduced_grant, "budget/"), payload, format="json")

        assert response.status_code == 400
        assert "grant_amount" in response.json()
        assert reduced_grant.budget_lines.count() == 3
        reduced_grant.refresh_from_db()
        assert reduced_grant.budget_update_pending

    def test_a_full_award_has_no_budget_update(self, api, owner, grant):
        line = grant.budget_lines.first()
        payload = {"lines": [{"id": line.pk, "name": line.name, "quantity": "1", "unit_cost": "1"}]}

        response = api(owner).put(url(grant, "budget/"), payload, format="json")

        assert response.status_code == 409

    def test_an_official_does_not_update_the_grantees_budget(self, api, official, reduced_grant):
        lines = pf.reduced_budget_lines(reduced_grant)
        payload = {
            "lines": [
                {k: str(v) for k, v in line.items() if k != "is_volunteer_work"} for line in lines
            ]
        }

        response = api(official).put(url(reduced_grant, "budget/"), payload, format="json")

        assert response.status_code == 403
        reduced_grant.refresh_from_db()
        assert reduced_grant.budget_update_pending


class TestContract:
    def test_keys_left_out_keep_their_value(self, api, official, grant):
        body = ok(
            api(official).post(
                url(grant, "contract/"), {"operator_signatory": "Anna Urzędniczka"}, format="json"
            )
        )

        assert body["operator_signatory"] == "Anna Urzędniczka"
        assert body["contract_number"] == "DL/2026/001"
        assert body["contract_prepared_at"].endswith("Z")
        assert body["payments"] == []

    def test_moving_the_end_moves_the_deadlines(self, api, official, grant, competition):
        end = grant.project_end + timedelta(days=5)

        body = ok(
            api(official).post(url(grant, "contract/"), {"project_end": str(end)}, format="json")
        )

        assert body["project_end"] == str(end)
        assert body["final_report_due"] == str(end + timedelta(days=competition.final_report_days))
        assert body["refund_due"] == str(end + timedelta(days=competition.refund_days))

    def test_tranches_must_add_up_to_the_award(self, api, official, grant):
        response = api(official).post(
            url(grant, "contract/"),
            {"tranches": [{"amount": "1000.00", "due_date": str(grant.project_start)}]},
            format="json",
        )

        assert response.status_code == 400
        assert "tranches" in response.json()
        assert not grant.payments.exists()

    def test_grantee_cannot_prepare_the_contract(self, api, owner, grant):
        response = api(owner).post(
            url(grant, "contract/"), {"bank_account": pf.IBAN}, format="json"
        )

        assert response.status_code == 403
        grant.refresh_from_db()
        assert grant.contract_prepared_at is None

    def test_after_signing_the_contract_is_not_changed(self, api, official, signed):
        response = api(official).post(
            url(signed, "contract/"), {"operator_signatory": "Ktoś inny"}, format="json"
        )

        assert response.status_code == 409
        signed.refresh_from_db()
        assert signed.operator_signatory == "Jan Burmistrz"


class TestContractDocument:
    @pytest.mark.parametrize("who", ["owner", "editor", "official"])
    def test_docx_for_those_who_see_the_grant(self, api, request, signed, who):
        response = api(request.getfixturevalue(who)).get(url(signed, "contract/document/"))

        assert response.status_code == 200
        assert response["Content-Type"] == DOCX_MIME
        assert response["Content-Disposition"].startswith("attachment;")
        assert ".docx" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        with zipfile.ZipFile(BytesIO(response.content)) as package:
            document = package.read("word/document.xml").decode()
        assert "Stowarzyszenie Zielone Zabłocie" in document

    def test_printable_html(self, api, official, signed):
        response = api(official).get(url(signed, "contract/document/"), {"format": "html"})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response["Content-Disposition"].startswith("inline;")
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert signed.contract_number in response.content.decode()

    def test_unknown_format_is_400(self, api, official, signed):
        response = api(official).get(url(signed, "contract/document/"), {"format": "pdf"})

        assert response.status_code == 400
        assert "format" in response.json()


class TestSettlementPreview:
    def test_no_final_report_nothing_to_preview(self, api, official, running):
        response = api(official).get(url(running, "settlement/"))

        assert response.status_code == 409
        assert "non_field_errors" in response.json()

    def test_preview_of_a_submitted_final_report(self, api, official, owner, running):
        pf.pay(running.payments.get(order=1), official)
        pf.final_report(running, owner, {"Sadzonki i ziemia": Decimal("3000.00")})

        body = ok(api(official).get(url(running, "settlement/")))

        assert body["computed"] is False
        assert body["computed_at"] is None
        assert (body["paid"], body["eligible_spending"], body["refund"]) == (
            "3200.00",
            "3300.00",
            "0.00",
        )
        assert body["still_payable"] == "100.00"
        assert {line["name"]: line["eligible"] for line in body["lines"]}["Sadzonki i ziemia"] == (
            "3000.00"
        )


class TestApproveOver:
    def test_official_approves_more_on_a_line(self, api, official, running):
        line = running.budget_lines.get(name="Sadzonki i ziemia")

        body = ok(
            api(official).post(
                url(running, f"budget-lines/{line.pk}/approve-over/"),
                {"amount": "500.00", "comment": "Droższe sadzonki."},
                format="json",
            )
        )

        approved = {row["id"]: row["approved_over"] for row in body["budget_lines"]}
        assert approved[line.pk] == "500.00"
        history = ok(api(official).get(url(running, "history/")))["results"]
        assert history[-1]["transition"] == "approve_change"
        assert history[-1]["comment"] == "Droższe sadzonki."

    def test_a_line_of_another_grant_is_404(self, api, official, running, grant):
        line = grant.budget_lines.first()

        response = api(official).post(
            url(running, f"budget-lines/{line.pk}/approve-over/"), {"amount": "1"}, format="json"
        )

        assert response.status_code == 404
        line.refresh_from_db()
        assert line.approved_over == 0

    def test_grantee_cannot_approve(self, api, owner, running):
        line = running.budget_lines.first()

        response = api(owner).post(
            url(running, f"budget-lines/{line.pk}/approve-over/"), {"amount": "1"}, format="json"
        )

        assert response.status_code == 403


class TestRefundAndTermination:
    def test_terminating_sets_the_refund_to_record(self, api, official, running):
        pf.pay(running.payments.get(order=1), official)
        client = api(official)

        body = ok(
            client.post(
                url(running, "transitions/terminate/"),
                {"comment": "Projekt przerwany.", "refund_amount": "1000.00"},
                format="json",
            )
        )
        assert body["status"] == "terminated"
        assert body["terminated_on"] == str(timezone.localdate())
        assert (body["refund_amount"], body["refund_outstanding"]) == ("1000.00", "1000.00")

        body = ok(
            client.post(
                url(running, "refund/"),
                {"amount": "1000.00", "received_on": str(timezone.localdate())},
                format="json",
            )
        )
        assert body["refund_outstanding"] == "0.00"
        assert ok(client.post(url(running, "transitions/close/"), {}))["status"] == "closed"

    def test_termination_needs_a_reason(self, api, official, running):
        response = api(official).post(url(running, "transitions/terminate/"), {}, format="json")

        assert response.status_code == 400
        assert "comment" in response.json()
        running.refresh_from_db()
        assert running.status == Grant.Status.IN_PROGRESS

    def test_refund_above_what_was_paid_is_refused(self, api, official, running):
        response = api(official).post(
            url(running, "refund/"),
            {"amount": "0.01", "received_on": str(timezone.localdate())},
            format="json",
        )

        assert response.status_code == 400
        assert "amount" in response.json()
        running.refresh_from_db()
        assert running.refund_paid == 0


class TestDecline:
    def test_grantee_declines_before_signing(self, api, editor, grant):
        body = ok(
            api(editor).post(
                url(grant, "transitions/decline/"), {"comment": "Rezygnujemy."}, format="json"
            )
        )

        assert body["status"] == "declined"
        history = ok(api(editor).get(url(grant, "history/")))["results"]
        assert (history[-1]["transition"], history[-1]["actor"]) == ("decline", "Edward Edytor")
        assert history[-1]["to_state_display"]

    def test_history_names_the_system(self, api, owner, grant):
        history = ok(api(owner).get(url(grant, "history/")))["results"]

        assert (history[0]["transition"], history[0]["actor"]) == ("create", "system")
        assert history[0]["subject_type"] == "grant"

    def test_declined_grant_offers_nothing(self, api, owner, grant):
        grant_decline(grant=grant, actor=owner)

        assert ok(api(owner).get(url(grant)))["available_transitions"] == []
