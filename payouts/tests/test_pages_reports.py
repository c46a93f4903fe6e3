"""Report pages: the form (planned beside actual), autosave, submitting,
returning with comments and resubmitting, accepting, files; query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Indicator
from core.views import FRAGMENT_HEADER
from payouts.models import Grant, GrantBudgetLine, Report
from payouts.services import report_attachment_add, report_final_open, report_return

from . import factories as pf

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def paid(running, official):
    pf.pay_all(running, official)
    return running


@pytest.fixture
def report(paid, owner):
    return report_final_open(grant=paid, actor=owner)


def form_data(report, *, narrative="Ogród powstał.", spent=None, results=None) -> dict:
    """The report form as posted: grant spending per line name (the plan
    where not given), own contribution as planned, indicators met."""
    spent = spent or {}
    results = results or {}
    data = {"narrative": narrative}
    for line in report.grant.budget_lines.all():
        grant_spent = spent.get(line.name, line.grant_amount)
        data[f"line_{line.pk}_spent_grant"] = str(grant_spent).replace(".", ",")
        data[f"line_{line.pk}_spent_own_financial"] = str(line.own_financial).replace(".", ",")
        data[f"line_{line.pk}_spent_own_non_financial"] = str(line.own_non_financial)
        data[f"line_{line.pk}_comment"] = ""
    for indicator in report.grant.application.indicators.all():
        value = results.get(indicator.name, indicator.target_value)
        data[f"result_{indicator.pk}_actual_value"] = "" if value is None else str(value)
        data[f"result_{indicator.pk}_comment"] = ""
    return data


def test_the_grantee_opens_the_final_report_from_the_grant(client, paid, owner):
    client.force_login(owner)
    response = client.post(reverse("grant-final-report", args=[paid.pk]))
    report = paid.reports.get(kind=Report.Kind.FINAL)
    assert response.url == reverse("report-detail", args=[report.pk])
    # Pressing it again leads to the same report.
    again = client.post(reverse("grant-final-report", args=[paid.pk]))
    assert again.url == response.url


def test_final_report_cannot_be_opened_before_the_project_runs(client, signed, owner):
    client.force_login(owner)
    response = client.post(reverse("grant-final-report", args=[signed.pk]), follow=True)
    assert "Nie można tego teraz zrobić" in response.content.decode()
    assert not signed.reports.exists()


def test_the_form_shows_the_plan_beside_inputs_for_what_was_spent(client, report, owner):
    client.force_login(owner)
    response = client.get(reverse("report-detail", args=[report.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    line = report.grant.budget_lines.get(name="Sadzonki i ziemia")
    indicator = report.grant.application.indicators.get()
    assert "Sadzonki i ziemia" in text
    assert "3\xa0700,00\xa0zł" in text  # planned from the grant
    assert f'name="line_{line.pk}_spent_grant"' in text
    assert f'name="result_{indicator.pk}_actual_value"' in text
    assert f'<label class="visually-hidden" for="id_line_{line.pk}_spent_grant">' in text
    assert 'data-autosave data-keep="report"' in text
    assert reverse("report-submit", args=[report.pk]) in text


def test_autosave_saves_and_answers_a_fragment(client, report, owner):
    client.force_login(owner)
    line = report.grant.budget_lines.get(name="Sadzonki i ziemia")
    data = {
        "narrative": "W toku",
        f"line_{line.pk}_spent_grant": "1234,50",
        f"line_{line.pk}_comment": "faktury 1-3",
    }
    response = client.post(reverse("report-save", args=[report.pk]), data, **HTMX)
    assert response.status_code == 200
    assert response[FRAGMENT_HEADER] == "saved"
    assert "1\xa0234,50\xa0zł" in response.content.decode()  # the totals, re-read
    stored = report.lines.get()
    assert (stored.budget_line, stored.spent_grant, stored.spent_own_financial) == (
        line,
        D("1234.50"),
        D("0.00"),
    )
    assert stored.comment == "faktury 1-3"
    # Lines nobody touched are not reported yet.
    assert report.lines.count() == 1
    report.refresh_from_db()
    assert report.narrative == "W toku"


def test_a_bad_amount_comes_back_on_its_field_and_saves_nothing(client, report, owner):
    client.force_login(owner)
    line = report.grant.budget_lines.get(name="Sadzonki i ziemia")
    data = form_data(report, spent={"Sadzonki i ziemia": "dużo"})
    response = client.post(reverse("report-save", args=[report.pk]), data, **HTMX)
    assert response.status_code == 422
    assert response[FRAGMENT_HEADER] == "invalid"
    assert f'id="err-id_line_{line.pk}_spent_grant" hx-swap-oob="true"><p>' in (
        response.content.decode()
    )
    assert not report.lines.exists()


def test_a_comment_without_the_achieved_value_is_refused(client, report, owner):
    client.force_login(owner)
    indicator = report.grant.application.indicators.get()
    data = {"narrative": "", f"result_{indicator.pk}_comment": "Mniej grządek"}
    response = client.post(reverse("report-save", args=[report.pk]), data)
    assert response.status_code == 422
    assert response.context["form"].errors[f"result_{indicator.pk}_actual_value"]
    assert not report.results.exists()


def test_without_javascript_the_draft_saves_and_returns_to_the_form(client, report, owner):
    client.force_login(owner)
    response = client.post(reverse("report-save", args=[report.pk]), form_data(report))
    assert response.status_code == 302
    assert response.url.endswith("#report-form")
    assert report.lines.count() == 3
    assert report.results.count() == 1


def test_submitting_an_incomplete_report_marks_what_is_missing(client, report, owner):
    client.force_login(owner)
    indicator = report.grant.application.indicators.get()
    data = form_data(report, narrative="", results={indicator.name: None})
    response = client.post(reverse("report-submit", args=[report.pk]), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "narrative" in errors
    assert f"result_{indicator.pk}_actual_value" in errors
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    # What was typed was still saved.
    assert report.lines.count() == 3


def test_saving_a_submitted_report_is_refused_and_changes_nothing(client, report, owner):
    client.force_login(owner)
    client.post(reverse("report-submit", args=[report.pk]), form_data(report))
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED

    data = form_data(report, narrative="Zmiana po złożeniu")
    htmx = client.post(reverse("report-save", args=[report.pk]), data, **HTMX)
    assert htmx.status_code == 409
    assert htmx[FRAGMENT_HEADER] == "conflict"
    plain = client.post(reverse("report-save", args=[report.pk]), data, follow=True)
    assert "Sprawozdania nie można teraz zmienić" in plain.content.decode()
    again = client.post(reverse("report-submit", args=[report.pk]), data, follow=True)
    assert "Sprawozdania nie można teraz zmienić" in again.content.decode()
    report.refresh_from_db()
    assert report.narrative == "Ogród powstał."
    # The page is now read-only for the group.
    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "data-autosave" not in page


def test_submit_return_correct_resubmit_accept_settles(client, report, owner, official):
    client.force_login(owner)
    data = form_data(report, spent={"Sadzonki i ziemia": "3200,00"})
    response = client.post(reverse("report-submit", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED

    # The official sees the settlement it would make and returns the report.
    client.force_login(official)
    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "500,00\xa0zł" in page  # refund if accepted now
    assert reverse("report-review", args=[report.pk, "return"]) in page
    bare = client.post(reverse("report-review", args=[report.pk, "return"]), {"return-comment": ""})
    assert bare.status_code == 422
    assert bare.context["return_form"].errors["comment"]
    client.post(
        reverse("report-review", args=[report.pk, "return"]),
        {"return-comment": "Brakuje faktur za sadzonki."},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED

    # The group reads the comment, corrects the report and submits it again.
    client.force_login(owner)
    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "Brakuje faktur za sadzonki." in page
    assert "data-autosave" in page
    data = form_data(report, spent={"Sadzonki i ziemia": "3700,00"})
    assert client.post(reverse("report-submit", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED

    client.force_login(official)
    response = client.post(
        reverse("report-review", args=[report.pk, "accept"]), {"accept-comment": ""}
    )
    assert response.url.endswith("#settlement")
    report.refresh_from_db()
    grant = Grant.objects.get(pk=report.grant_id)
    assert report.status == Report.Status.ACCEPTED
    assert grant.status == Grant.Status.SETTLED
    assert grant.refund_amount == D("0.00")
    again = client.post(reverse("report-review", args=[report.pk, "accept"]), follow=True)
    assert "Nie można tego teraz zrobić" in again.content.decode()


def test_files_are_attached_listed_downloaded_and_deleted(client, report, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("faktura.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("report-attachment-add", args=[report.pk]),
        {"attachment-file": upload, "attachment-description": "Faktura za sadzonki"},
    )
    assert response.status_code == 302
    attachment = report.attachments.get()
    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    download = reverse("report-attachment-download", args=[report.pk, attachment.pk])
    assert download in page
    assert "Faktura za sadzonki" in page
    assert b"".join(client.get(download).streaming_content) == PDF

    client.post(reverse("report-attachment-delete", args=[report.pk, attachment.pk]))
    assert not report.attachments.exists()


def test_a_file_of_the_wrong_type_is_refused_with_the_services_message(client, report, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("wirus.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    response = client.post(
        reverse("report-attachment-add", args=[report.pk]), {"attachment-file": upload}
    )
    assert response.status_code == 422
    assert response.context["attachment_form"].errors["file"]
    assert not report.attachments.exists()


def test_the_official_reads_a_submitted_report_without_inputs(client, report, owner, official):
    pf.final_report(report.grant, owner)
    client.force_login(official)
    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "data-autosave" not in page
    assert "Ogród powstał, sąsiedzi posadzili 12 grządek." in page
    assert 'name="accept-comment"' in page


# Query counts


def _query_count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_rows(report, owner, n):
    grant = report.grant
    for index in range(n):
        GrantBudgetLine.objects.create(
            grant=grant,
            name=f"Pozycja {index}",
            quantity=D("1"),
            unit_cost=D("10.00"),
            own_financial=D("10.00"),
        )
        Indicator.objects.create(
            application=grant.application,
            result="Wynik",
            name=f"Wskaźnik {index}",
            target_value=D("1"),
        )
        upload = SimpleUploadedFile(f"plik-{index}.pdf", PDF, content_type="application/pdf")
        report_attachment_add(report=report, actor=owner, upload=upload)


def test_report_form_query_count_does_not_grow(client, report, owner):
    client.force_login(owner)
    url = reverse("report-detail", args=[report.pk])
    client.post(reverse("report-save", args=[report.pk]), form_data(report))
    with_few = _query_count(client, url)
    _more_rows(report, owner, 10)
    client.post(reverse("report-save", args=[report.pk]), form_data(report))
    assert report.lines.count() == 13
    assert _query_count(client, url) == with_few


def test_submitted_report_query_count_does_not_grow_for_the_official(
    client, report, owner, official
):
    url = reverse("report-detail", args=[report.pk])
    client.force_login(owner)
    client.post(reverse("report-submit", args=[report.pk]), form_data(report))
    client.force_login(official)
    with_few = _query_count(client, url)

    report_return(report=report, actor=official, comment="Popraw")
    _more_rows(report, owner, 10)
    client.force_login(owner)
    client.post(reverse("report-submit", args=[report.pk]), form_data(report))
    report.refresh_from_db()
    assert (report.status, report.lines.count()) == (Report.Status.SUBMITTED, 13)

    client.force_login(official)
    assert _query_count(client, url) == with_few
