"""A grant's whole life over the API, each step by the person who takes it:
the contract with two tranches, signing, the first tranche, the final report
returned once and accepted, the refund computed and received, settling and
closing."""

from datetime import timedelta

from django.utils import timezone

from payouts.models import Grant, Payment, Report

GRANTS = "/api/v1/grants/"


def ok(response, status_code=200):
    assert response.status_code == status_code, response.content
    return response.json()


def test_from_contract_to_closed_grant(api, grant, owner, official):
    staff, grantee = api(official), api(owner)
    today = timezone.localdate()
    start = grant.project_start
    url = f"{GRANTS}{grant.pk}/"

    # The official prepares the contract: bank account, signatories, two tranches.
    body = ok(
        staff.post(
            f"{url}contract/",
            {
                "contract_number": "DL/2026/001/U",
                "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
                "operator_signatory": "Jan Burmistrz",
                "grantee_signatories": "Olga Właścicielka",
                "tranches": [
                    {"amount": "3200.00", "due_date": str(start)},
                    {"amount": "800.00", "due_date": str(start + timedelta(days=30))},
                ],
            },
            format="json",
        )
    )
    assert body["contract_number"] == "DL/2026/001/U"
    assert body["bank_account"] == "PL61109010140000071219812874"
    assert [(p["order"], p["amount"], p["status"]) for p in body["payments"]] == [
        (1, "3200.00", "scheduled"),
        (2, "800.00", "scheduled"),
    ]
    assert "sign" in body["available_transitions"]
    # The grantee reads the contract before signing it.
    document = grantee.get(f"{url}contract/document/")
    assert document.status_code == 200
    assert document.content[:2] == b"PK"

    body = ok(staff.post(f"{url}transitions/sign/", {"signed_on": str(today)}, format="json"))
    assert body["status"] == "signed"
    assert body["signed_on"] == str(today)

    # Tranche 1 is approved and paid.
    first = body["payments"][0]["id"]
    assert ok(staff.post(f"/api/v1/payments/{first}/transitions/approve/", {}))["status"] == (
        "approved"
    )
    paid = ok(
        staff.post(
            f"/api/v1/payments/{first}/transitions/pay/",
            {"paid_on": str(today), "bank_reference": "PRZELEW/1"},
            format="json",
        )
    )
    assert (paid["status"], paid["amount_paid"], paid["bank_reference"]) == (
        "paid",
        "3200.00",
        "PRZELEW/1",
    )
    assert paid["available_transitions"] == []

    body = ok(staff.post(f"{url}transitions/start/", {}, format="json"))
    assert body["status"] == "in_progress"
    assert body["paid_total"] == "3200.00"

    # The grantee opens the final report, fills it in and submits it.
    report = ok(
        grantee.post("/api/v1/reports/", {"grant": grant.pk, "kind": "final"}, format="json"),
        201,
    )
    report_url = f"/api/v1/reports/{report['id']}/"
    lines = {line["name"]: line for line in report["lines"]}
    spent = {"Sadzonki i ziemia": "2700.00", "Praca wolontariuszy": "0.00", "Księgowość": "300.00"}
    report = ok(
        grantee.patch(
            report_url,
            {
                "narrative": "Ogród powstał.",
                "lines": [
                    {
                        "budget_line": lines[name]["budget_line"],
                        "spent_grant": amount,
                        "spent_own_financial": lines[name]["planned_own_financial"],
                        "spent_own_non_financial": lines[name]["planned_own_non_financial"],
                    }
                    for name, amount in spent.items()
                ],
                "results": [
                    {"indicator": row["indicator"], "actual_value": "12"}
                    for row in report["results"]
                ],
            },
            format="json",
        )
    )
    assert report["results"][0]["actual_value"] == "12.00"
    report = ok(grantee.post(f"{report_url}transitions/submit/", {}, format="json"))
    assert report["status"] == "submitted"
    assert ok(staff.get(url))["status"] == "reporting"

    # The official returns it, saying what to change; the grantee resubmits.
    report = ok(
        staff.post(
            f"{report_url}transitions/return_for_changes/",
            {"comment": "Dołączcie faktury."},
            format="json",
        )
    )
    assert (report["status"], report["review_comment"]) == ("returned", "Dołączcie faktury.")
    assert "resubmit" in ok(grantee.get(report_url))["available_transitions"]
    ok(grantee.patch(report_url, {"narrative": "Ogród powstał; faktury w załącznikach."}))
    report = ok(grantee.post(f"{report_url}transitions/resubmit/", {}, format="json"))
    assert report["status"] == "submitted"

    # Before accepting, the official previews the settlement.
    preview = ok(staff.get(f"{url}settlement/"))
    assert (preview["computed"], preview["eligible_spending"], preview["refund"]) == (
        False,
        "3000.00",
        "200.00",
    )
    report = ok(staff.post(f"{report_url}transitions/accept/", {}, format="json"))
    assert report["status"] == "accepted"

    # Paid 3,200, eligible 3,000: 200 to refund.
    body = ok(staff.get(url))
    assert body["status"] == "reporting"
    assert (body["eligible_spending"], body["refund_amount"], body["refund_outstanding"]) == (
        "3000.00",
        "200.00",
        "200.00",
    )
    assert body["settlement"]["refund"] == "200.00"
    assert ok(staff.get(f"{url}settlement/"))["computed"] is True

    body = ok(
        staff.post(
            f"{url}refund/",
            {"amount": "200.00", "received_on": str(today), "reference": "ZWROT/1"},
            format="json",
        )
    )
    assert body["status"] == "settled"
    assert (body["refund_paid"], body["refund_outstanding"]) == ("200.00", "0.00")

    body = ok(staff.post(f"{url}transitions/close/", {"comment": "Rozliczona."}, format="json"))
    assert body["status"] == "closed"
    assert body["available_transitions"] == []

    grant.refresh_from_db()
    assert grant.status == Grant.Status.CLOSED
    assert Payment.objects.get(pk=first).status == Payment.Status.PAID
    assert Report.objects.get(pk=report["id"]).status == Report.Status.ACCEPTED

    history = ok(grantee.get(f"{url}history/?page_size=100"))["results"]
    steps = [(entry["subject_type"], entry["transition"]) for entry in history]
    for step in [
        ("grant", "contract_prepare"),
        ("grant", "sign"),
        ("payment", "approve"),
        ("payment", "pay"),
        ("grant", "start"),
        ("report", "open"),
        ("report", "submit"),
        ("grant", "start_reporting"),
        ("report", "return_for_changes"),
        ("report", "resubmit"),
        ("report", "accept"),
        ("grant", "settlement"),
        ("grant", "refund_record"),
        ("grant", "settle"),
        ("grant", "close"),
    ]:
        assert step in steps, step
    assert steps.index(("report", "resubmit")) < steps.index(("report", "accept"))
    assert all(entry["transition_display"] for entry in history)
    report_history = ok(grantee.get(f"{report_url}history/"))["results"]
    assert [e["transition"] for e in report_history] == [
        "open",
        "submit",
        "return_for_changes",
        "resubmit",
        "accept",
    ]
