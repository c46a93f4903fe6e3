from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import NotPermitted, RuleViolation, WrongState
from payouts.models import Grant, Report
from payouts.selectors import (
    grant_history,
    report_detail,
    report_history,
    report_rows,
    settlement_preview,
)
from payouts.services import (
    grant_close,
    grant_line_approve_over,
    grant_refund_record,
    grant_settle,
    report_accept,
    report_attachment_add,
    report_attachment_delete,
    report_final_open,
    report_request,
    report_return,
    report_save,
    report_submit,
)

from . import factories as pf

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def paid(running, official):
    pf.pay_all(running, official)
    return running


class TestDraft:
    def test_final_report_is_opened_once_with_the_grant_due_date(self, running, owner, official):
        report = report_final_open(grant=running, actor=owner)
        assert (report.kind, report.status) == (Report.Kind.FINAL, Report.Status.DRAFT)
        assert report.due_date == running.final_report_due
        assert report_final_open(grant=running, actor=official) == report

    def test_final_report_not_before_the_project_starts(self, signed, owner):
        with pytest.raises(WrongState):
            report_final_open(grant=signed, actor=owner)

    def test_draft_saves_spending_and_results(self, running, owner):
        report = report_final_open(grant=running, actor=owner)
        line = running.budget_lines.get(name="Sadzonki i ziemia")
        indicator = running.application.indicators.get()
        report_save(
            report=report,
            actor=owner,
            data={
                "narrative": "W toku.",
                "lines": [{"budget_line": line.pk, "spent_grant": "1234.56", "comment": "faktury"}],
                "results": [{"indicator": indicator.pk, "actual_value": D("7")}],
            },
        )
        report_save(
            report=report,
            actor=owner,
            data={"lines": [{"budget_line": line.pk, "spent_own_financial": D("100.00")}]},
        )
        stored = report.lines.get()
        assert (stored.spent_grant, stored.spent_own_financial, stored.comment) == (
            D("1234.56"),
            D("100.00"),
            "faktury",
        )
        assert report.results.get().actual_value == D("7.00")

    def test_bad_value_saves_nothing(self, running, owner, other_grant):
        report = report_final_open(grant=running, actor=owner)
        line = running.budget_lines.first()
        foreign = other_grant.budget_lines.first()
        with pytest.raises(RuleViolation) as caught:
            report_save(
                report=report,
                actor=owner,
                data={
                    "narrative": "Tekst",
                    "lines": [
                        {"budget_line": line.pk, "spent_grant": "100.00"},
                        {"budget_line": foreign.pk, "spent_grant": "1.00"},
                        {"budget_line": line.pk, "spent_grant": "-1"},
                    ],
                    "results": [{"indicator": 999999, "actual_value": "1"}],
                },
            )
        assert {"lines.1.budget_line", "lines.2.spent_grant", "results.0.indicator"} <= set(
            caught.value.errors
        )
        report.refresh_from_db()
        assert report.narrative == ""
        assert not report.lines.exists()

    def test_only_the_group_writes_the_report(self, running, owner, official, outsider):
        report = report_final_open(grant=running, actor=owner)
        for actor in (official, outsider):
            with pytest.raises(NotPermitted):
                report_save(report=report, actor=actor, data={"narrative": "x"})

    def test_rows_cover_every_line_and_indicator(self, running, owner, django_assert_num_queries):
        report = report_final_open(grant=running, actor=owner)
        line = running.budget_lines.first()
        report_save(
            report=report,
            actor=owner,
            data={"lines": [{"budget_line": line.pk, "spent_grant": "1"}]},
        )
        report = report_detail(owner, report.pk)
        with django_assert_num_queries(0):
            lines, indicators = report_rows(report)
        assert len(lines) == 3
        assert [spending is not None for _, spending in lines].count(True) == 1
        assert len(indicators) == 1


class TestSubmission:
    def test_final_report_needs_narrative_and_every_indicator(self, running, owner):
        report = report_final_open(grant=running, actor=owner)
        with pytest.raises(RuleViolation) as caught:
            report_submit(report=report, actor=owner)
        indicator = running.application.indicators.get()
        assert {"narrative", f"indicators.{indicator.pk}"} <= set(caught.value.errors)

    def test_submitting_the_final_report_opens_the_reporting(
        self, running, owner, official, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            report = pf.final_report(running, owner)
        running.refresh_from_db()
        assert report.status == Report.Status.SUBMITTED
        assert report.submitted_by == owner
        assert running.status == Grant.Status.REPORTING
        entry = grant_history(running).filter(transition="start_reporting").get()
        assert entry.actor is None
        assert [m.to for m in mail.outbox] == [[official.email]]

    def test_late_report_is_taken_and_marked(self, running, owner):
        Grant.objects.filter(pk=running.pk).update(
            final_report_due=timezone.localdate() - timedelta(days=1)
        )
        running.refresh_from_db()
        report = pf.final_report(running, owner)
        assert report.is_late

    def test_returned_report_is_corrected_and_resubmitted(self, running, owner, official):
        report = pf.final_report(running, owner)
        with pytest.raises(RuleViolation):
            report_return(report=report, actor=official, comment="")
        report = report_return(report=report, actor=official, comment="Brak faktury za ziemię.")
        assert report.status == Report.Status.RETURNED
        report_save(report=report, actor=owner, data={"narrative": "Poprawione."})
        report = report_submit(report=report, actor=owner)
        assert report.status == Report.Status.SUBMITTED
        transitions = [e.transition for e in report_history(report)]
        assert transitions[-3:] == ["submit", "return_for_changes", "resubmit"]

    def test_partial_report_on_request(
        self, running, owner, official, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        due = timezone.localdate() + timedelta(days=14)
        with django_capture_on_commit_callbacks(execute=True):
            report = report_request(grant=running, actor=official, due_date=due, comment="Etap 1")
        assert (report.kind, report.due_date, report.requested_by) == ("partial", due, official)
        assert [m.to for m in mail.outbox] == [[owner.email]]
        with pytest.raises(NotPermitted):
            report_request(grant=running, actor=owner, due_date=due)
        with pytest.raises(RuleViolation):
            report_request(
                grant=running, actor=official, due_date=timezone.localdate() - timedelta(days=1)
            )


class TestAcceptanceAndSettlement:
    def test_all_spent_as_planned_settles_at_once(self, paid, owner, official):
        grant = pf.settle_by_final_report(paid, owner=owner, official=official)
        assert grant.status == Grant.Status.SETTLED
        assert grant.eligible_spending == D("4000.00")
        assert grant.refund_amount == D("0.00")
        assert grant.settlement_detail["refund"] == "0.00"
        grant = grant_close(grant=grant, actor=official)
        assert grant.status == Grant.Status.CLOSED

    def test_underspending_is_refunded_then_settled(self, paid, owner, official):
        grant = pf.settle_by_final_report(
            paid, owner=owner, official=official, spent={"Sadzonki i ziemia": D("3456.78")}
        )
        assert grant.status == Grant.Status.REPORTING
        assert grant.refund_amount == D("243.22")
        assert grant.refund_outstanding == D("243.22")
        with pytest.raises(RuleViolation):
            grant_settle(grant=grant, actor=official)
        with pytest.raises(WrongState):
            grant_close(grant=grant, actor=official)
        grant = grant_refund_record(
            grant=grant, actor=official, amount=D("243.22"), received_on=timezone.localdate()
        )
        assert grant.status == Grant.Status.SETTLED
        assert grant_history(grant).filter(transition="settle").get().actor == official

    def test_excess_above_the_shift_is_refunded(self, paid, owner, official):
        # Administration: 300 planned, 10% allowed, 330.01 spent, so 0.01 is
        # ineligible; materials 3,600 of 3,700. Spent 3,930.01, eligible 3,930.
        grant = pf.settle_by_final_report(
            paid,
            owner=owner,
            official=official,
            spent={"Sadzonki i ziemia": D("3600.00"), "Księgowość": D("330.01")},
        )
        assert grant.eligible_spending == D("3930.00")
        assert grant.refund_amount == D("70.00")
        admin = next(
            line for line in grant.settlement_detail["lines"] if line["name"] == "Księgowość"
        )
        assert (admin["eligible"], admin["ineligible"]) == ("330.00", "0.01")

    def test_approved_change_counts_at_settlement(self, paid, owner, official):
        line = paid.budget_lines.get(name="Księgowość")
        grant_line_approve_over(grant=paid, actor=official, line=line, amount=D("100.00"))
        grant = pf.settle_by_final_report(
            paid,
            owner=owner,
            official=official,
            spent={"Sadzonki i ziemia": D("3300.00"), "Księgowość": D("400.00")},
        )
        # Without the approval only 330 of the 400 would count (refund 370).
        assert grant.eligible_spending == D("3700.00")
        assert grant.refund_amount == D("300.00")

    def test_preview_matches_what_acceptance_stores(self, paid, owner, official):
        report = pf.final_report(paid, owner, spent={"Sadzonki i ziemia": D("3000.00")})
        preview = settlement_preview(paid)
        report_accept(report=report, actor=official)
        paid.refresh_from_db()
        assert preview.refund == paid.refund_amount == D("700.00")

    def test_settlement_with_the_last_tranche_unpaid(self, running, owner, official):
        pf.pay(running.payments.get(order=1), official)
        grant = pf.settle_by_final_report(running, owner=owner, official=official)
        assert grant.status == Grant.Status.SETTLED
        assert grant.refund_amount == D("0.00")
        assert grant.settlement_detail["still_payable"] == "800.00"

    def test_acceptance_only_by_the_operator(self, running, owner, other_official):
        report = pf.final_report(running, owner)
        for actor in (owner, other_official):
            with pytest.raises(NotPermitted):
                report_accept(report=report, actor=actor)

    def test_accepted_report_is_mailed_with_the_refund(
        self, paid, owner, official, django_capture_on_commit_callbacks
    ):
        report = pf.final_report(paid, owner, spent={"Sadzonki i ziemia": D("3000.00")})
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            report_accept(report=report, actor=official, comment="Dziękujemy.")
        assert [m.to for m in mail.outbox] == [[owner.email]]
        assert "700,00" in mail.outbox[0].body or "700.00" in mail.outbox[0].body


class TestAttachments:
    def test_pdf_is_attached_and_removed(self, running, owner):
        report = report_final_open(grant=running, actor=owner)
        upload = SimpleUploadedFile("faktura.pdf", PDF, content_type="application/pdf")
        attachment = report_attachment_add(report=report, actor=owner, upload=upload)
        assert (attachment.original_name, attachment.content_type) == (
            "faktura.pdf",
            "application/pdf",
        )
        assert attachment.file.name.startswith(f"reports/{report.pk}/")
        report_attachment_delete(report=report, actor=owner, attachment=attachment)
        assert not report.attachments.exists()

    def test_program_disguised_as_pdf_is_refused(self, running, owner):
        report = report_final_open(grant=running, actor=owner)
        upload = SimpleUploadedFile("faktura.pdf", EXE, content_type="application/pdf")
        with pytest.raises(RuleViolation):
            report_attachment_add(report=report, actor=owner, upload=upload)

    def test_too_large_file_is_refused(self, running, owner, settings):
        settings.ATTACHMENT_MAX_BYTES = 10
        report = report_final_open(grant=running, actor=owner)
        upload = SimpleUploadedFile("faktura.pdf", PDF, content_type="application/pdf")
        with pytest.raises(RuleViolation):
            report_attachment_add(report=report, actor=owner, upload=upload)

    def test_no_files_on_a_submitted_report(self, running, owner):
        report = pf.final_report(running, owner)
        upload = SimpleUploadedFile("faktura.pdf", PDF, content_type="application/pdf")
        with pytest.raises(WrongState):
            report_attachment_add(report=report, actor=owner, upload=upload)
