"""Reports over the API: asked for, opened, drafted in parts, files attached
and downloaded, submitted, returned and accepted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payouts.models import Report, ReportAttachment
from payouts.services import report_final_open, report_request, report_return

from . import factories as pf

REPORTS = "/api/v1/reports/"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def ok(response, status_code=200):
    assert response.status_code == status_code, response.content
    return response.json()


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def draft(running, owner):
    return report_final_open(grant=running, actor=owner)


class TestCreate:
    def test_official_asks_for_a_partial_report(self, api, official, owner, signed):
        due = timezone.localdate() + timedelta(days=14)

        body = ok(
            api(official).post(
                REPORTS,
                {
                    "grant": signed.pk,
                    "kind": "partial",
                    "due_date": str(due),
                    "comment": "Po pierwszym miesiącu.",
                },
                format="json",
            ),
            201,
        )

        assert (body["kind"], body["status"], body["due_date"]) == ("partial", "draft", str(due))
        assert body["request_comment"] == "Po pierwszym miesiącu."
        assert body["grant"]["id"] == signed.pk
        assert body["available_transitions"] == []
        assert ok(api(owner).get(f"{REPORTS}{body['id']}/"))["available_transitions"] == ["submit"]

    def test_final_report_is_opened_once(self, api, owner, official, running):
        first = ok(api(owner).post(REPORTS, {"grant": running.pk, "kind": "final"}), 201)
        again = ok(api(official).post(REPORTS, {"grant": running.pk, "kind": "final"}), 200)

        assert first["id"] == again["id"]
        assert first["due_date"] == str(running.final_report_due)
        assert Report.objects.filter(grant=running).count() == 1
        assert [row["name"] for row in first["lines"]] == [
            "Sadzonki i ziemia",
            "Praca wolontariuszy",
            "Księgowość",
        ]
        assert first["lines"][0]["planned_grant"] == "3700.00"
        assert first["lines"][0]["spent_grant"] is None
        assert first["results"][0]["target_value"] == "12.00"
        assert first["results"][0]["actual_value"] is None

    def test_no_final_report_before_the_project_starts(self, api, owner, signed):
        response = api(owner).post(REPORTS, {"grant": signed.pk, "kind": "final"}, format="json")

        assert response.status_code == 409
        assert not Report.objects.exists()


class TestDraft:
    def test_rows_left_out_keep_their_values(self, api, owner, running, draft):
        plants = running.budget_lines.get(name="Sadzonki i ziemia")
        admin = running.budget_lines.get(name="Księgowość")
        client = api(owner)
        ok(
            client.patch(
                f"{REPORTS}{draft.pk}/",
                {
                    "narrative": "Pierwsza wersja",
                    "lines": [
                        {"budget_line": plants.pk, "spent_grant": "3600.50", "comment": "Faktura 1"}
                    ],
                },
                format="json",
            )
        )

        body = ok(
            client.patch(
                f"{REPORTS}{draft.pk}/",
                {"lines": [{"budget_line": admin.pk, "spent_grant": 300}]},
                format="json",
            )
        )

        rows = {row["name"]: row for row in body["lines"]}
        assert rows["Sadzonki i ziemia"]["spent_grant"] == "3600.50"
        assert rows["Sadzonki i ziemia"]["spent_own_financial"] == "0.00"
        assert rows["Sadzonki i ziemia"]["comment"] == "Faktura 1"
        assert rows["Księgowość"]["spent_grant"] == "300.00"
        assert rows["Praca wolontariuszy"]["spent_grant"] is None
        assert body["narrative"] == "Pierwsza wersja"
        assert body["is_editable"] is True

    def test_submitting_without_a_narrative_and_results_is_400(self, api, owner, draft):
        response = api(owner).post(f"{REPORTS}{draft.pk}/transitions/submit/", {})

        assert response.status_code == 400
        body = response.json()
        assert "narrative" in body
        assert any(key.startswith("indicators.") for key in body)
        draft.refresh_from_db()
        assert draft.status == Report.Status.DRAFT

    def test_returning_needs_a_comment(self, api, official, owner, running):
        report = pf.final_report(running, owner)

        response = api(official).post(
            f"{REPORTS}{report.pk}/transitions/return_for_changes/", {}, format="json"
        )

        assert response.status_code == 400
        assert "comment" in response.json()
        report.refresh_from_db()
        assert report.status == Report.Status.SUBMITTED

    def test_a_returned_report_is_edited_and_resubmitted(self, api, official, owner, running):
        report = report_return(
            report=pf.final_report(running, owner), actor=official, comment="Brak faktur."
        )
        client = api(owner)

        body = ok(client.get(f"{REPORTS}{report.pk}/"))
        assert (body["status"], body["review_comment"]) == ("returned", "Brak faktur.")
        assert body["available_transitions"] == ["resubmit"]
        ok(client.patch(f"{REPORTS}{report.pk}/", {"narrative": "Z fakturami."}, format="json"))
        body = ok(client.post(f"{REPORTS}{report.pk}/transitions/resubmit/", {}))
        assert body["status"] == "submitted"
        assert body["is_editable"] is False


class TestList:
    def test_filters_and_late_reports(self, api, official, owner, running):
        final = report_final_open(grant=running, actor=owner)
        partial = report_request(
            grant=running, actor=official, due_date=timezone.localdate() + timedelta(days=1)
        )
        Report.objects.filter(pk=partial.pk).update(
            due_date=timezone.localdate() - timedelta(days=1)
        )
        client = api(official)

        def ids(**params):
            return [row["id"] for row in ok(client.get(REPORTS, params))["results"]]

        assert set(ids()) == {final.pk, partial.pk}
        assert ids(kind="partial") == [partial.pk]
        assert ids(grant=running.pk, status="draft", kind="final") == [final.pk]
        assert ids(status="accepted") == []
        late = {row["id"]: row["is_late"] for row in ok(client.get(REPORTS))["results"]}
        assert late == {final.pk: False, partial.pk: True}
        assert client.get(REPORTS, {"kind": "interim"}).status_code == 400


class TestAttachments:
    def test_upload_list_download_delete(self, api, owner, official, draft):
        client = api(owner)
        base = f"{REPORTS}{draft.pk}/attachments/"

        created = ok(
            client.post(
                base,
                {"file": upload("faktura.pdf", PDF), "description": "Faktura za sadzonki"},
                format="multipart",
            ),
            201,
        )
        assert created["content_type"] == "application/pdf"
        assert created["size"] == len(PDF)
        assert created["description"] == "Faktura za sadzonki"
        assert created["download_url"].endswith(
            f"/api/v1/reports/{draft.pk}/attachments/{created['id']}/download/"
        )

        assert [a["id"] for a in ok(client.get(base))] == [created["id"]]
        detail = ok(api(official).get(f"{REPORTS}{draft.pk}/"))
        assert [a["original_name"] for a in detail["attachments"]] == ["faktura.pdf"]

        download = api(official).get(f"{base}{created['id']}/download/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Type"] == "application/pdf"
        assert "faktura.pdf" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"

        assert client.delete(f"{base}{created['id']}/").status_code == 204
        assert not ReportAttachment.objects.exists()

    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [
            ("setup.exe", EXE, "application/octet-stream"),
            ("faktura.pdf", EXE, "application/pdf"),
            ("pusty.pdf", b"", "application/pdf"),
        ],
    )
    def test_wrong_or_empty_files_are_refused(self, api, owner, draft, name, content, content_type):
        response = api(owner).post(
            f"{REPORTS}{draft.pk}/attachments/",
            {"file": upload(name, content, content_type)},
            format="multipart",
        )

        assert response.status_code == 400
        assert "file" in response.json()
        assert not ReportAttachment.objects.exists()

    def test_no_file_is_refused(self, api, owner, draft):
        response = api(owner).post(f"{REPORTS}{draft.pk}/attachments/", {}, format="multipart")

        assert response.status_code == 400
        assert "file" in response.json()

    def test_oversized_file_is_refused(self, api, owner, draft, settings):
        settings.ATTACHMENT_MAX_BYTES = 100

        response = api(owner).post(
            f"{REPORTS}{draft.pk}/attachments/",
            {"file": upload("duzy.png", PNG + b"\x00" * 200, "image/png")},
            format="multipart",
        )

        assert response.status_code == 400
        assert not ReportAttachment.objects.exists()

    def test_no_files_change_once_submitted(self, api, owner, running):
        report = pf.final_report(running, owner)
        base = f"{REPORTS}{report.pk}/attachments/"

        response = api(owner).post(base, {"file": upload("a.pdf", PDF)}, format="multipart")

        assert response.status_code == 409
        assert not ReportAttachment.objects.exists()

    def test_a_file_of_another_report_is_404_under_this_one(
        self, api, owner, official, running, draft
    ):
        partial = report_request(
            grant=running, actor=official, due_date=timezone.localdate() + timedelta(days=5)
        )
        created = ok(
            api(owner).post(
                f"{REPORTS}{draft.pk}/attachments/",
                {"file": upload("a.pdf", PDF)},
                format="multipart",
            ),
            201,
        )
        elsewhere = f"{REPORTS}{partial.pk}/attachments/{created['id']}/"

        assert api(owner).get(f"{elsewhere}download/").status_code == 404
        assert api(owner).get(elsewhere).status_code == 404
        assert api(owner).delete(elsewhere).status_code == 404
        assert ReportAttachment.objects.count() == 1


def test_accepting_the_final_report_computes_the_settlement(api, official, owner, running):
    pf.pay_all(running, official)
    report = pf.final_report(running, owner, {"Sadzonki i ziemia": Decimal("3600.00")})

    body = ok(api(official).post(f"{REPORTS}{report.pk}/transitions/accept/", {"comment": "OK"}))

    assert (body["status"], body["review_comment"]) == ("accepted", "OK")
    grant = ok(api(owner).get(f"/api/v1/grants/{running.pk}/"))
    assert (grant["eligible_spending"], grant["refund_amount"]) == ("3900.00", "100.00")
    assert grant["settlement"]["lines"][0]["eligible"] == "3600.00"
    assert grant["settlement_computed_at"].endswith("Z")
