"""Who sees and does what with grants, tranches and reports over the API.
Another group's or another operator's grant, tranche, report or file is 404,
whatever is asked of it; what you see but may not do is 403; without
credentials it is 401. Nothing refused changes anything."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEntry
from payouts.docx import DOCX_MIME
from payouts.models import Grant, Payment, Report, ReportAttachment
from payouts.services import payment_approve, report_attachment_add, report_final_open

from . import factories as pf

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
TODAY = str(timezone.localdate())


@pytest.fixture
def world(running, owner, official):
    """A running grant with tranche 1 approved and a final report being
    drafted with one file."""
    payment = payment_approve(payment=running.payments.get(order=1), actor=official)
    report = report_final_open(grant=running, actor=owner)
    attachment = report_attachment_add(
        report=report,
        actor=owner,
        upload=SimpleUploadedFile("faktura.pdf", PDF, content_type="application/pdf"),
    )
    return running, payment, report, attachment


def every_request_on(grant, payment, report, attachment):
    g = f"/api/v1/grants/{grant.pk}/"
    p = f"/api/v1/payments/{payment.pk}/"
    r = f"/api/v1/reports/{report.pk}/"
    a = f"{r}attachments/"
    line = grant.budget_lines.first()
    requests = [
        ("get", g, None),
        ("put", f"{g}budget/", {"lines": []}),
        ("post", f"{g}contract/", {"operator_signatory": "X"}),
        ("get", f"{g}contract/document/", None),
        ("get", f"{g}contract/document/?format=html", None),
        ("get", f"{g}settlement/", None),
        ("post", f"{g}budget-lines/{line.pk}/approve-over/", {"amount": "10.00"}),
        ("post", f"{g}refund/", {"amount": "10.00", "received_on": TODAY}),
        ("get", f"{g}history/", None),
        ("get", p, None),
        ("post", f"{p}transitions/approve/", {}),
        ("post", f"{p}transitions/pay/", {"paid_on": TODAY}),
        ("get", r, None),
        ("patch", r, {"narrative": "Przejęty"}),
        ("get", f"{r}history/", None),
        ("get", a, None),
        ("get", f"{a}{attachment.pk}/", None),
        ("get", f"{a}{attachment.pk}/download/", None),
        ("delete", f"{a}{attachment.pk}/", None),
    ]
    for name in ("sign", "decline", "start", "start_reporting", "settle", "close", "terminate"):
        requests.append(("post", f"{g}transitions/{name}/", {"comment": "X", "signed_on": TODAY}))
    for name in ("submit", "resubmit", "accept", "return_for_changes"):
        requests.append(("post", f"{r}transitions/{name}/", {"comment": "X"}))
    return requests


def state_of(grant, payment, report):
    return (
        Grant.objects.get(pk=grant.pk).status,
        Payment.objects.get(pk=payment.pk).status,
        Report.objects.get(pk=report.pk).status,
        Report.objects.get(pk=report.pk).narrative,
        ReportAttachment.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("who", ["other_group_owner", "other_official", "outsider"])
def test_someone_elses_grant_is_404_everywhere(api, request, world, who):
    grant, payment, report, _attachment = world
    before = state_of(grant, payment, report)
    client = api(request.getfixturevalue(who))

    for method, url, data in every_request_on(*world):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    upload = client.post(
        f"/api/v1/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert upload.status_code == 404

    for listing in ("grants", "payments", "reports"):
        assert client.get(f"/api/v1/{listing}/").json()["count"] == 0, listing
    assert state_of(grant, payment, report) == before


@pytest.mark.parametrize("who", ["other_group_owner", "other_official"])
def test_a_report_cannot_be_opened_on_someone_elses_grant(api, request, running, who):
    response = api(request.getfixturevalue(who)).post(
        "/api/v1/reports/",
        {"grant": running.pk, "kind": "partial", "due_date": TODAY},
        format="json",
    )

    assert response.status_code == 400
    assert "grant" in response.json()
    assert not Report.objects.exists()


def test_anonymous_is_refused_everything(api, world):
    client = api(None)
    before = state_of(*world[:3])

    for method, url, data in every_request_on(*world):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response["WWW-Authenticate"] == "Token"
    assert state_of(*world[:3]) == before


def test_members_and_officials_see_the_grant_and_its_parts(api, world, owner, editor, official):
    grant, payment, report, attachment = world
    for user in (owner, editor, official):
        client = api(user)
        for listing in ("grants", "payments", "reports"):
            assert client.get(f"/api/v1/{listing}/").json()["count"] >= 1
        assert client.get(f"/api/v1/grants/{grant.pk}/").status_code == 200
        assert client.get(f"/api/v1/payments/{payment.pk}/").status_code == 200
        assert client.get(f"/api/v1/reports/{report.pk}/").status_code == 200
        download = client.get(f"/api/v1/reports/{report.pk}/attachments/{attachment.pk}/download/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF


class TestApplicantsMayNotDoTheOfficialsPart:
    @pytest.mark.parametrize(("name", "data"), [("approve", {}), ("pay", {"paid_on": TODAY})])
    def test_cannot_approve_or_pay_a_tranche(self, api, world, owner, name, data):
        grant, _payment, _report, _attachment = world
        scheduled = grant.payments.get(order=2)
        approved = grant.payments.get(order=1)
        before = AuditEntry.objects.count()

        for payment in (scheduled, approved):
            response = api(owner).post(
                f"/api/v1/payments/{payment.pk}/transitions/{name}/", data, format="json"
            )
            assert response.status_code == 403, payment.status
            assert "non_field_errors" in response.json()

        assert [p.status for p in grant.payments.order_by("order")] == ["approved", "scheduled"]
        assert AuditEntry.objects.count() == before

    @pytest.mark.parametrize(
        "name", ["sign", "start", "start_reporting", "settle", "close", "terminate"]
    )
    def test_cannot_run_the_operators_grant_transitions(self, api, running, editor, name):
        response = api(editor).post(
            f"/api/v1/grants/{running.pk}/transitions/{name}/",
            {"comment": "X", "signed_on": TODAY},
            format="json",
        )

        assert response.status_code == 403
        running.refresh_from_db()
        assert running.status == Grant.Status.IN_PROGRESS

    def test_cannot_record_a_refund_or_ask_for_a_report(self, api, running, owner):
        client = api(owner)

        refund = client.post(
            f"/api/v1/grants/{running.pk}/refund/",
            {"amount": "1.00", "received_on": TODAY},
            format="json",
        )
        partial = client.post(
            "/api/v1/reports/",
            {"grant": running.pk, "kind": "partial", "due_date": TODAY},
            format="json",
        )

        assert (refund.status_code, partial.status_code) == (403, 403)
        assert not Report.objects.exists()

    @pytest.mark.parametrize("name", ["accept", "return_for_changes"])
    def test_cannot_review_the_report(self, api, owner, running, name):
        report = pf.final_report(running, owner)

        response = api(owner).post(
            f"/api/v1/reports/{report.pk}/transitions/{name}/", {"comment": "X"}, format="json"
        )

        assert response.status_code == 403
        report.refresh_from_db()
        assert report.status == Report.Status.SUBMITTED


class TestOfficialsMayNotDoTheGranteesPart:
    def test_cannot_write_or_submit_the_report(self, api, world, official):
        _grant, _payment, report, attachment = world
        client = api(official)
        base = f"/api/v1/reports/{report.pk}/"

        assert client.patch(base, {"narrative": "X"}, format="json").status_code == 403
        assert client.post(f"{base}transitions/submit/", {}, format="json").status_code == 403
        upload = client.post(
            f"{base}attachments/",
            {"file": SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")},
            format="multipart",
        )
        assert upload.status_code == 403
        assert client.delete(f"{base}attachments/{attachment.pk}/").status_code == 403
        report.refresh_from_db()
        assert (report.status, report.narrative) == (Report.Status.DRAFT, "")
        assert ReportAttachment.objects.count() == 1


class TestContractDocument:
    @pytest.mark.parametrize("who", ["owner", "editor", "official"])
    def test_permitted_users_get_the_docx(self, api, request, signed, who):
        response = api(request.getfixturevalue(who)).get(
            f"/api/v1/grants/{signed.pk}/contract/document/"
        )

        assert response.status_code == 200
        assert response["Content-Type"] == DOCX_MIME
        assert response.content[:2] == b"PK"

    @pytest.mark.parametrize(
        ("who", "status_code"),
        [("other_group_owner", 404), ("other_official", 404), ("outsider", 404), (None, 401)],
    )
    def test_nobody_else_does(self, api, request, signed, who, status_code):
        user = request.getfixturevalue(who) if who else None

        for params in ({}, {"format": "html"}):
            response = api(user).get(f"/api/v1/grants/{signed.pk}/contract/document/", params)
            assert response.status_code == status_code
            assert response["Content-Type"] == "application/json"
            assert b"Zielone" not in response.content
