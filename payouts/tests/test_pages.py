"""Grant pages: who sees what, the applicant's budget update, the contract,
tranches, termination, refunds and the register, with query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from core.templatetags.grantownik import day
from payouts.contracts import DOCX_MIME
from payouts.models import Grant, Payment, Report
from payouts.services import (
    report_attachment_add,
    report_final_open,
    report_request,
    report_return,
)
from tests import factories as f

from . import factories as pf

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def pdf(name="faktura.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def with_report(running, owner):
    """Our running grant with a draft final report holding one file."""
    report = report_final_open(grant=running, actor=owner)
    attachment = report_attachment_add(report=report, actor=owner, upload=pdf())
    return running, report, attachment


def _pages_of(grant, report, attachment) -> list[tuple[str, str, dict]]:
    pk = grant.pk
    payment = grant.payments.first()
    line = grant.budget_lines.first()
    pages = [
        ("get", reverse("grant-detail", args=[pk]), {}),
        ("get", reverse("grant-budget", args=[pk]), {}),
        ("post", reverse("grant-budget", args=[pk]), {}),
        ("get", reverse("grant-contract", args=[pk]), {}),
        ("post", reverse("grant-contract", args=[pk]), {}),
        ("get", reverse("grant-contract-docx", args=[pk]), {}),
        ("get", reverse("grant-contract-print", args=[pk]), {}),
        ("get", reverse("grant-line-approve-over", args=[pk, line.pk]), {}),
        ("post", reverse("grant-line-approve-over", args=[pk, line.pk]), {"amount": "100"}),
        ("post", reverse("grant-final-report", args=[pk]), {}),
        ("get", reverse("payment-action", args=[payment.pk, "pay"]), {}),
        ("post", reverse("payment-action", args=[payment.pk, "approve"]), {}),
        ("get", reverse("report-detail", args=[report.pk]), {}),
        ("post", reverse("report-save", args=[report.pk]), {"narrative": "Cudzy"}),
        ("post", reverse("report-submit", args=[report.pk]), {}),
        ("post", reverse("report-review", args=[report.pk, "accept"]), {}),
        ("post", reverse("report-attachment-add", args=[report.pk]), {}),
        ("get", reverse("report-attachment-download", args=[report.pk, attachment.pk]), {}),
        ("post", reverse("report-attachment-delete", args=[report.pk, attachment.pk]), {}),
    ]
    for action in ("sign", "start", "terminate", "decline", "refund", "request-report", "close"):
        pages.append(("get", reverse("grant-action", args=[pk, action]), {}))
        pages.append(("post", reverse("grant-action", args=[pk, action]), {"comment": "x"}))
    return pages


@pytest.mark.parametrize("who", ["other_group_owner", "other_official", "outsider"])
def test_someone_elses_grant_is_not_found_on_every_page(client, request, with_report, who):
    grant, report, attachment = with_report
    client.force_login(request.getfixturevalue(who))
    audit_rows = AuditEntry.objects.count()
    for method, url, data in _pages_of(grant, report, attachment):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.IN_PROGRESS
    assert report.attachments.count() == 1
    assert AuditEntry.objects.count() == audit_rows


def test_a_file_of_another_report_is_not_found_through_mine(
    client, with_report, other_official, other_group_owner
):
    _grant, _report, attachment = with_report
    # The other group asks for our file through a report of its own.
    theirs = pf.running_grant(
        competition=f.CompetitionFactory(operator=other_official.staff_memberships.get().operator),
        group=other_group_owner.group_memberships.get().group,
        owner=other_group_owner,
        official=other_official,
    )
    their_report = report_final_open(grant=theirs, actor=other_group_owner)
    client.force_login(other_group_owner)
    url = reverse("report-attachment-download", args=[their_report.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_a_file_is_downloaded_only_through_its_own_report(client, with_report, owner, official):
    grant, report, attachment = with_report
    partial = report_request(
        grant=grant,
        actor=official,
        due_date=timezone.localdate() + timedelta(days=10),
    )
    client.force_login(owner)
    good = reverse("report-attachment-download", args=[report.pk, attachment.pk])
    response = client.get(good)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    wrong = reverse("report-attachment-download", args=[partial.pk, attachment.pk])
    assert client.get(wrong).status_code == 404


def test_anonymous_is_sent_to_log_in(client, grant):
    response = client.get(reverse("grant-detail", args=[grant.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_applicants_may_not_use_the_officials_pages(client, running, owner):
    client.force_login(owner)
    payment = running.payments.first()
    line = running.budget_lines.first()
    for url in (
        reverse("grant-register"),
        reverse("grant-contract", args=[running.pk]),
        reverse("grant-action", args=[running.pk, "terminate"]),
        reverse("grant-action", args=[running.pk, "refund"]),
        reverse("payment-action", args=[payment.pk, "pay"]),
        reverse("grant-line-approve-over", args=[running.pk, line.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("payment-action", args=[payment.pk, "approve"]))
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SCHEDULED


def test_officials_may_not_write_the_groups_report(client, with_report, official):
    _grant, report, _attachment = with_report
    client.force_login(official)
    response = client.post(reverse("report-save", args=[report.pk]), {"narrative": "Urzędowo"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.narrative == ""


def test_lists_show_only_what_each_may_see(client, running, other_grant, owner, official):
    client.force_login(owner)
    mine = client.get(reverse("grant-list"))
    assert list(mine.context["grants"]) == [running]
    client.force_login(official)
    register = client.get(reverse("grant-register"))
    assert list(register.context["grants"]) == [running]
    assert reverse("grant-detail", args=[other_grant.pk]) not in register.content.decode()


def test_the_nav_leads_applicants_and_officials_to_their_lists(client, owner, official):
    client.force_login(owner)
    assert f'href="{reverse("grant-list")}"' in client.get(reverse("home")).content.decode()
    client.force_login(official)
    assert f'href="{reverse("grant-register")}"' in client.get(reverse("home")).content.decode()


# The applicant's page


def test_grant_page_shows_status_deadlines_contract_and_tranches(client, running, owner):
    client.force_login(owner)
    text = client.get(reverse("grant-detail", args=[running.pk])).content.decode()
    assert "W toku" in text
    assert day(running.final_report_due) in text
    assert "Sadzonki i ziemia" in text
    assert "3\xa0200,00\xa0zł" in text
    assert "800,00\xa0zł" in text
    assert reverse("grant-contract-docx", args=[running.pk]) in text
    assert reverse("grant-contract-print", args=[running.pk]) in text
    assert reverse("grant-final-report", args=[running.pk]) in text
    # No official's buttons.
    assert reverse("payment-action", args=[running.payments.first().pk, "approve"]) not in text
    assert reverse("grant-action", args=[running.pk, "terminate"]) not in text


def test_contract_downloads_as_word_and_prints_as_a_page(client, signed, owner):
    client.force_login(owner)
    docx = client.get(reverse("grant-contract-docx", args=[signed.pk]))
    assert docx.status_code == 200
    assert docx["Content-Type"] == DOCX_MIME
    assert "attachment" in docx["Content-Disposition"]
    assert docx.content[:2] == b"PK"
    page = client.get(reverse("grant-contract-print", args=[signed.pk]))
    assert page.status_code == 200
    assert "default-src 'none'" in page["Content-Security-Policy"]
    assert signed.contract_number in page.content.decode()


def test_reduced_award_asks_for_the_budget_update_with_its_deadline(client, reduced_grant, owner):
    client.force_login(owner)
    text = client.get(reverse("grant-detail", args=[reduced_grant.pk])).content.decode()
    assert "3\xa0000,00\xa0zł" in text
    assert reverse("grant-budget", args=[reduced_grant.pk]) in text
    from core.templatetags.grantownik import warsaw

    assert warsaw(reduced_grant.budget_update_deadline) in text


def _budget_post(grant, **changes) -> dict:
    """The budget page's form as posted, with `changes` {line name: {field: value}}."""
    rows = pf.reduced_budget_lines(grant)
    data = {
        "lines-TOTAL_FORMS": str(len(rows) + 1),
        "lines-INITIAL_FORMS": str(len(rows)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(rows):
        row.update(changes.get(row["name"], {}))
        for name, value in row.items():
            if name == "is_volunteer_work":
                if value:
                    data[f"lines-{index}-{name}"] = "on"
                continue
            data[f"lines-{index}-{name}"] = str(value).replace(".", ",")
    data[f"lines-{len(rows)}-category"] = "action"
    return data


def test_budget_update_that_misses_the_award_shows_the_services_message(
    client, reduced_grant, owner
):
    client.force_login(owner)
    url = reverse("grant-budget", args=[reduced_grant.pk])
    data = _budget_post(
        reduced_grant,
        **{"Sadzonki i ziemia": {"grant_amount": "3000,00", "unit_cost": "3400,00"}},
    )

    response = client.post(url, data)

    text = response.content.decode()
    assert response.status_code == 422
    assert not any(row.errors for row in response.context["formset"].forms)
    assert "3\xa0300,00" in text  # the grant parts as the service added them up
    assert "Popraw następujące" in text or "Please correct" in text
    reduced_grant.refresh_from_db()
    assert reduced_grant.budget_updated_at is None


def test_a_line_whose_sources_miss_its_cost_gets_the_message_on_its_row(
    client, reduced_grant, owner
):
    client.force_login(owner)
    url = reverse("grant-budget", args=[reduced_grant.pk])
    data = _budget_post(reduced_grant, **{"Księgowość": {"unit_cost": "350,00"}})

    response = client.post(url, data)

    assert response.status_code == 422
    rows = response.context["formset"].forms
    accounting = next(row for row in rows if row["name"].value() == "Księgowość")
    assert accounting.non_field_errors()
    assert 'href="#row-lines-2"' in response.content.decode()


def test_budget_update_to_the_award_is_saved(client, reduced_grant, owner):
    client.force_login(owner)
    url = reverse("grant-budget", args=[reduced_grant.pk])
    response = client.post(url, _budget_post(reduced_grant), follow=True)
    assert response.status_code == 200
    reduced_grant.refresh_from_db()
    assert reduced_grant.budget_updated_at is not None
    line = reduced_grant.budget_lines.get(name="Sadzonki i ziemia")
    assert line.grant_amount == D("2700.00")
    assert line.unit_cost == D("3100.00")


def test_a_line_can_be_removed_and_one_added(client, reduced_grant, owner):
    client.force_login(owner)
    data = _budget_post(
        reduced_grant,
        **{"Sadzonki i ziemia": {"grant_amount": "2400,00", "unit_cost": "2800,00"}},
    )
    new = 3
    data.update(
        {
            f"lines-{new}-name": "Konewki",
            f"lines-{new}-unit": "szt.",
            f"lines-{new}-quantity": "10",
            f"lines-{new}-unit_cost": "30,00",
            f"lines-{new}-grant_amount": "300,00",
        }
    )
    response = client.post(reverse("grant-budget", args=[reduced_grant.pk]), data)
    assert response.status_code == 302, response.context and response.context["extra_errors"]
    assert set(reduced_grant.budget_lines.values_list("name", flat=True)) == {
        "Sadzonki i ziemia",
        "Praca wolontariuszy",
        "Księgowość",
        "Konewki",
    }


def test_the_applicant_declines(client, grant, owner):
    client.force_login(owner)
    detail = client.get(reverse("grant-detail", args=[grant.pk])).content.decode()
    url = reverse("grant-action", args=[grant.pk, "decline"])
    assert url in detail
    assert client.get(url).status_code == 200
    response = client.post(url, {"comment": "Grupa się rozpadła"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == Grant.Status.DECLINED
    assert grant.budget_lines.count() == 3


# The official's page


def test_official_prepares_the_contract_and_a_wrong_sum_comes_back_on_the_form(
    client, grant, official
):
    client.force_login(official)
    url = reverse("grant-contract", args=[grant.pk])
    data = {
        "contract_number": "DL/2026/001/U",
        "project_start": grant.project_start.isoformat(),
        "project_end": grant.project_end.isoformat(),
        "bank_account": "61 1090 1014 0000 0712 1981 2874",
        "operator_signatory": "Jan Burmistrz",
        "grantee_signatories": "Olga Właścicielka",
        "tranches-TOTAL_FORMS": "3",
        "tranches-INITIAL_FORMS": "0",
        "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "24",
        "tranches-0-amount": "3000,00",
        "tranches-0-due_date": grant.project_start.isoformat(),
        "tranches-1-amount": "500,00",
        "tranches-1-due_date": (grant.project_start + timedelta(days=30)).isoformat(),
    }
    bad = client.post(url, data)
    assert bad.status_code == 422
    assert "4\xa0000,00" in bad.content.decode()
    grant.refresh_from_db()
    assert grant.contract_prepared_at is None

    data["tranches-1-amount"] = "1000,00"
    data["tranches-1-due_date"] = (grant.project_start - timedelta(days=1)).isoformat()
    early = client.post(url, data)
    assert early.status_code == 422
    assert early.context["tranches"].forms[1].errors["due_date"]

    data["tranches-1-due_date"] = (grant.project_start + timedelta(days=30)).isoformat()
    good = client.post(url, data)
    assert good.status_code == 302
    grant.refresh_from_db()
    assert grant.contract_number == "DL/2026/001/U"
    assert grant.bank_account == "PL61109010140000071219812874"
    assert [p.amount for p in grant.payments.order_by("order")] == [D("3000.00"), D("1000.00")]


def test_official_signs_then_signing_again_changes_nothing(
    client, competition, group, owner, official
):
    grant = pf.prepared_grant(competition=competition, group=group, owner=owner, official=official)
    client.force_login(official)
    url = reverse("grant-action", args=[grant.pk, "sign"])
    future = client.post(url, {"signed_on": (timezone.localdate() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    assert "przyszłości" in future.content.decode()

    client.post(url, {"signed_on": timezone.localdate().isoformat()})
    grant.refresh_from_db()
    assert grant.status == Grant.Status.SIGNED
    audit_rows = AuditEntry.objects.count()

    again = client.post(url, {"signed_on": timezone.localdate().isoformat()}, follow=True)
    assert "Nie można tego teraz zrobić" in again.content.decode()
    assert AuditEntry.objects.count() == audit_rows


def test_approve_and_pay_a_tranche_then_paying_it_again_changes_nothing(client, signed, official):
    client.force_login(official)
    payment = signed.payments.get(order=1)
    client.post(reverse("payment-action", args=[payment.pk, "approve"]))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED

    url = reverse("payment-action", args=[payment.pk, "pay"])
    page = client.get(url).content.decode()
    assert "3200,00" in page  # the whole tranche unless told otherwise
    response = client.post(
        url, {"paid_on": timezone.localdate().isoformat(), "bank_reference": "PRZ/7", "amount": ""}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.amount_paid, payment.bank_reference) == (
        Payment.Status.PAID,
        D("3200.00"),
        "PRZ/7",
    )
    audit_rows = AuditEntry.objects.count()

    again = client.post(
        url, {"paid_on": timezone.localdate().isoformat(), "bank_reference": "PRZ/8"}, follow=True
    )

    assert "Nie można tego teraz zrobić" in again.content.decode()
    payment.refresh_from_db()
    assert (payment.amount_paid, payment.bank_reference) == (D("3200.00"), "PRZ/7")
    assert AuditEntry.objects.count() == audit_rows
    detail = client.get(reverse("grant-detail", args=[signed.pk])).content.decode()
    assert "PRZ/7" in detail
    assert "Wypłacona" in detail or "wypłacona" in detail


def test_paying_more_than_the_tranche_is_refused_on_the_field(client, signed, official):
    client.force_login(official)
    payment = signed.payments.get(order=2)
    client.post(reverse("payment-action", args=[payment.pk, "approve"]))
    response = client.post(
        reverse("payment-action", args=[payment.pk, "pay"]),
        {"paid_on": timezone.localdate().isoformat(), "amount": "900,00"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["amount"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED


def test_terminate_needs_a_reason_and_sets_the_refund(client, running, official):
    pf.pay(running.payments.get(order=1), official)
    client.force_login(official)
    url = reverse("grant-action", args=[running.pk, "terminate"])
    assert "3\xa0200,00\xa0zł" in client.get(url).content.decode()

    bare = client.post(url, {"comment": ""})
    assert bare.status_code == 422
    assert bare.context["form"].errors["comment"]

    client.post(url, {"comment": "Projekt nie jest realizowany.", "refund_amount": "3000,00"})
    running.refresh_from_db()
    assert running.status == Grant.Status.TERMINATED
    assert running.refund_amount == D("3000.00")


def test_partial_report_is_requested(client, running, official):
    client.force_login(official)
    due = timezone.localdate() + timedelta(days=14)
    response = client.post(
        reverse("grant-action", args=[running.pk, "request-report"]),
        {"due_date": due.isoformat(), "comment": "Za pierwszą transzę"},
    )
    assert response.status_code == 302
    report = running.reports.get()
    assert (report.kind, report.due_date, report.request_comment) == (
        Report.Kind.PARTIAL,
        due,
        "Za pierwszą transzę",
    )


def test_line_over_its_shift_is_approved(client, running, official):
    client.force_login(official)
    line = running.budget_lines.get(name="Księgowość")
    response = client.post(
        reverse("grant-line-approve-over", args=[running.pk, line.pk]),
        {"amount": "150,00", "comment": "Pismo z 3 marca"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.approved_over == D("150.00")


def test_settlement_refund_settle_and_close(client, running, owner, official):
    pf.pay_all(running, official)
    grant = pf.settle_by_final_report(
        running, owner=owner, official=official, spent={"Sadzonki i ziemia": D("3200.00")}
    )
    assert grant.status == Grant.Status.REPORTING
    client.force_login(official)
    page = client.get(reverse("grant-detail", args=[grant.pk])).content.decode()
    assert "500,00\xa0zł" in page  # the refund
    assert "3\xa0500,00\xa0zł" in page  # eligible

    client.force_login(owner)
    owner_page = client.get(reverse("grant-detail", args=[grant.pk])).content.decode()
    assert "500,00\xa0zł" in owner_page
    assert "Zwrot" in owner_page

    client.force_login(official)
    too_much = client.post(
        reverse("grant-action", args=[grant.pk, "refund"]),
        {"amount": "600,00", "received_on": timezone.localdate().isoformat()},
    )
    assert too_much.status_code == 422
    assert too_much.context["form"].errors["amount"]
    client.post(
        reverse("grant-action", args=[grant.pk, "refund"]),
        {"amount": "500,00", "received_on": timezone.localdate().isoformat(), "reference": "Z/1"},
    )
    grant.refresh_from_db()
    assert grant.status == Grant.Status.SETTLED

    client.post(reverse("grant-action", args=[grant.pk, "close"]), {"comment": ""})
    grant.refresh_from_db()
    assert grant.status == Grant.Status.CLOSED
    again = client.post(reverse("grant-action", args=[grant.pk, "close"]), follow=True)
    assert "Nie można tego teraz zrobić" in again.content.decode()


def test_unknown_action_is_not_found(client, running, official):
    client.force_login(official)
    assert client.get(reverse("grant-action", args=[running.pk, "explode"])).status_code == 404
    payment = running.payments.first()
    assert client.post(reverse("payment-action", args=[payment.pk, "undo"])).status_code == 404


# The register


def _grants(competition, n, official):
    made = []
    for _ in range(n):
        member = f.MembershipFactory(role="owner")
        made.append(pf.make_grant(competition=competition, group=member.group, owner=member.user))
    return made


def test_register_filters_by_state_competition_overdue_report_and_refund(
    client, running, competition, official, owner
):
    import time_machine

    client.force_login(official)
    preparing = _grants(competition, 1, official)[0]
    other_competition = f.CompetitionFactory(operator=competition.operator)
    elsewhere = _grants(other_competition, 1, official)[0]
    url = reverse("grant-register")

    def listed(**query):
        return set(client.get(url, query).context["grants"])

    assert listed() == {running, preparing, elsewhere}
    assert listed(status="in_progress") == {running}
    assert listed(competition=other_competition.pk) == {elsewhere}
    assert listed(refund_due="on") == set()
    late = running.final_report_due + timedelta(days=1)
    with time_machine.travel(late):
        client.force_login(official)
        assert listed(report_overdue="on") == {running}
    Grant.objects.filter(pk=running.pk).update(refund_amount=D("100.00"))
    assert listed(refund_due="on") == {running}


def test_register_is_paginated(client, competition, official):
    client.force_login(official)
    _grants(competition, 27, official)
    first = client.get(reverse("grant-register"))
    assert len(first.context["grants"]) == 25
    assert "?page=2" in first.content.decode()
    second = client.get(reverse("grant-register"), {"page": 2})
    assert len(second.context["grants"]) == 2


# Query counts


def _query_count(client, url, **query) -> int:
    client.get(url, query)  # warm caches that live for the process (content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


def test_register_query_count_does_not_grow(client, competition, official, running):
    client.force_login(official)
    url = reverse("grant-register")
    with_one = _query_count(client, url)
    filtered = _query_count(client, url, competition=competition.pk, status="")
    _grants(competition, 12, official)
    assert _query_count(client, url) == with_one
    assert _query_count(client, url, competition=competition.pk, status="") == filtered


def test_grant_page_query_count_does_not_grow(client, competition, group, owner, official):
    grant = pf.running_grant(competition=competition, group=group, owner=owner, official=official)
    url = reverse("grant-detail", args=[grant.pk])
    counts = {}
    for who in (owner, official):
        client.force_login(who)
        counts[who] = _query_count(client, url)

    # More of everything: tranches paid, partial reports, a final report
    # returned (the settlement preview shows once it is submitted again), history.
    pf.pay_all(grant, official)
    for days in (5, 10, 15):
        report_request(
            grant=grant, actor=official, due_date=timezone.localdate() + timedelta(days=days)
        )
    final = pf.final_report(grant, owner)
    report_return(report=final, actor=official, comment="Popraw")

    for who in (owner, official):
        client.force_login(who)
        assert _query_count(client, url) == counts[who], who


def test_grant_page_for_a_preparing_grant_counts_the_same_with_more_lines(
    client, reduced_grant, owner
):
    from payouts.models import GrantBudgetLine

    client.force_login(owner)
    url = reverse("grant-detail", args=[reduced_grant.pk])
    with_three = _query_count(client, url)
    for index in range(10):
        GrantBudgetLine.objects.create(
            grant=reduced_grant,
            name=f"Pozycja {index}",
            quantity=D("1"),
            unit_cost=D("10.00"),
            own_financial=D("10.00"),
        )
    assert _query_count(client, url) == with_three


def test_grant_start_is_available_to_officials_only(client, signed, owner, official):
    client.force_login(owner)
    text = client.get(reverse("grant-detail", args=[signed.pk])).content.decode()
    assert reverse("grant-action", args=[signed.pk, "start"]) not in text
    client.force_login(official)
    text = client.get(reverse("grant-detail", args=[signed.pk])).content.decode()
    assert reverse("grant-action", args=[signed.pk, "start"]) in text
    client.post(reverse("grant-action", args=[signed.pk, "start"]))
    signed.refresh_from_db()
    assert signed.status == Grant.Status.IN_PROGRESS


def test_grant_and_report_pages_in_english(client, running, owner):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    grant_page = client.get(reverse("grant-detail", args=[running.pk])).content.decode()
    assert "Agreed budget" in grant_page
    assert "5,200.00\xa0PLN" in grant_page
    assert "Write the final report" in grant_page
    report = report_final_open(grant=running, actor=owner)
    report_page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "Spending per budget line" in report_page
    assert "Save the draft" in report_page


def test_budget_update_at_the_deadline_is_refused_with_the_deadline(client, reduced_grant, owner):
    import time_machine

    deadline = reduced_grant.budget_update_deadline
    url = reverse("grant-budget", args=[reduced_grant.pk])
    data = _budget_post(reduced_grant)
    with time_machine.travel(deadline, tick=False):
        client.force_login(owner)
        page = client.get(reverse("grant-detail", args=[reduced_grant.pk])).content.decode()
        assert f'href="{url}"' not in page
        response = client.post(url, data)
    assert response.status_code == 422
    assert day(reduced_grant.budget_update_last_day) in response.content.decode()
    reduced_grant.refresh_from_db()
    assert reduced_grant.budget_updated_at is None

    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        client.force_login(owner)
        assert client.post(url, data).status_code == 302
    reduced_grant.refresh_from_db()
    assert reduced_grant.budget_updated_at is not None
