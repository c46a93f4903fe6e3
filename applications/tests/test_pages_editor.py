"""The application editor: autosaved sections, rows with live sums, files."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Application, BudgetLine, Indicator, ScheduleItem
from applications.services import application_submit
from applications.tests.test_pages import pdf_file
from core.views import FRAGMENT_HEADER
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def save_section(client, application, section, data):
    url = reverse("application-section-save", args=[application.pk, section])
    return client.post(url, data, **HTMX)


def test_editor_renders_every_section_with_labels(owner_client, application):
    text = owner_client.get(reverse("application-edit", args=[application.pk])).content.decode()
    for heading in (
        "Dane podstawowe",
        "Opis projektu",
        "Grupa docelowa",
        "Harmonogram",
        "Planowane rezultaty",
        "Budżet",
        "Pytania dodatkowe",
        "Załączniki",
    ):
        assert heading in text
    assert f'data-application="{application.pk}"' in text
    assert '<label for="id_title">Tytuł projektu' in text
    assert 'role="status"' in text
    # Money is shown as the server computed it.
    assert "5\xa0200,00\xa0zł" in text  # total cost of the ready application
    assert "30,00%" in text  # own contribution share


def test_autosave_saves_the_field_and_answers_a_fragment(owner_client, application):
    response = save_section(
        owner_client,
        application,
        "basic",
        {
            "title": "Nowy tytuł",
            "summary": "Krótko",
            "place": "Kraków",
            "start_date": application.start_date.isoformat(),
            "end_date": application.end_date.isoformat(),
        },
    )

    assert response.status_code == 200
    assert response[FRAGMENT_HEADER] == "saved"
    text = response.content.decode()
    assert "Zapisano" in text
    assert "<html" not in text
    application.refresh_from_db()
    assert application.title == "Nowy tytuł"
    assert application.summary == "Krótko"


def test_autosave_by_an_editor_of_the_group(client, editor, application):
    client.force_login(editor)
    response = save_section(
        client, application, "description", {"description": "Opis od redaktora"}
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.description == "Opis od redaktora"


def test_bad_input_returns_the_field_error_and_saves_nothing(owner_client, application):
    response = save_section(owner_client, application, "amount", {"amount_requested": "dużo"})

    assert response.status_code == 422
    assert response[FRAGMENT_HEADER] == "invalid"
    text = response.content.decode()
    assert "Nie zapisano" in text
    assert 'id="err-id_amount_requested" hx-swap-oob="true"' in text
    assert "Wpisz liczbę." in text
    assert 'href="#id_amount_requested"' in text
    application.refresh_from_db()
    assert application.amount_requested == Decimal("4000.00")


def test_a_rule_of_the_service_comes_back_as_a_field_error(owner_client, application):
    # The form reads a number; the model refuses a negative one.
    response = save_section(
        owner_client,
        application,
        "target_group",
        {"target_group": "Ktoś inny", "target_group_size": "-5"},
    )

    assert response.status_code == 422
    text = response.content.decode()
    assert "err-id_target_group_size" in text
    application.refresh_from_db()
    assert application.target_group == "Mieszkańcy osiedla"
    assert application.target_group_size == 40


def test_dates_in_the_wrong_order_are_refused_whole(owner_client, application):
    response = save_section(
        owner_client,
        application,
        "basic",
        {
            "title": "Zmieniony",
            "start_date": "2026-09-10",
            "end_date": "2026-09-01",
        },
    )
    assert response.status_code == 422
    application.refresh_from_db()
    assert application.title == "Ogród sąsiedzki na Zabłociu"


def test_amount_in_polish_notation_is_read(owner_client, application):
    response = save_section(owner_client, application, "amount", {"amount_requested": "4500,50"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.amount_requested == Decimal("4500.50")


def test_without_javascript_a_section_saves_and_returns_to_the_section(owner_client, application):
    url = reverse("application-section-save", args=[application.pk, "description"])
    response = owner_client.post(url, {"description": "Bez skryptów"})
    assert response.status_code == 302
    assert response.url.endswith("#section-description")
    application.refresh_from_db()
    assert application.description == "Bez skryptów"

    response = owner_client.post(
        reverse("application-section-save", args=[application.pk, "amount"]),
        {"amount_requested": "x"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in text
    assert 'href="#id_amount_requested"' in text


def test_autosave_after_the_session_ended_is_401_not_a_login_page(client, application):
    response = save_section(client, application, "description", {"description": "Utracone?"})
    assert response.status_code == 401
    assert FRAGMENT_HEADER not in response
    application.refresh_from_db()
    assert application.description == "Opis działań projektu."


def test_autosave_of_a_submitted_application_is_refused_and_changes_nothing(
    owner_client, application, owner
):
    application_submit(application=application, actor=owner)
    response = save_section(owner_client, application, "description", {"description": "Po czasie"})
    assert response.status_code == 409
    assert response[FRAGMENT_HEADER] == "conflict"
    assert response["HX-Reswap"] == "none"
    assert "Wniosku nie można teraz zmienić" in response.content.decode()
    application.refresh_from_db()
    assert application.description == "Opis działań projektu."


def test_unknown_section_is_not_found(owner_client, application):
    assert save_section(owner_client, application, "nothing", {}).status_code == 404


def test_questions_render_by_kind_and_save(owner_client, competition, group):
    short = f.FormQuestionFactory(competition=competition, label="Krótko", kind="short_text")
    yes_no = f.FormQuestionFactory(competition=competition, label="Czy nowy?", kind="yes_no")
    choice = f.FormQuestionFactory(
        competition=competition, label="Skąd?", kind="choice", choices=["Internet", "Znajomi"]
    )
    number = f.FormQuestionFactory(competition=competition, label="Ile?", kind="number")
    f.FormQuestionFactory(competition=competition, label="Statut", kind="file", required=True)
    application = f.ready_application(competition=competition, group=group)

    page = owner_client.get(reverse("application-edit", args=[application.pk])).content.decode()
    assert f'name="q_{short.pk}"' in page
    assert f'id="id_q_{yes_no.pk}_0"' in page and 'type="radio"' in page
    assert "Internet" in page
    assert "Statut" in page  # a file question is answered in the attachments section

    response = save_section(
        owner_client,
        application,
        "questions",
        {
            f"q_{short.pk}": "Odpowiedź",
            f"q_{yes_no.pk}": "yes",
            f"q_{choice.pk}": "Znajomi",
            f"q_{number.pk}": "12,5",
        },
    )
    assert response.status_code == 200
    answers = {a.question_id: a.value for a in application.answers.all()}
    assert answers[short.pk] == "Odpowiedź"
    assert answers[yes_no.pk] is True
    assert answers[choice.pk] == "Znajomi"
    assert answers[number.pk] == "12.5"

    bad = save_section(owner_client, application, "questions", {f"q_{number.pk}": "dwanaście"})
    assert bad.status_code == 422
    assert f'id="err-id_q_{number.pk}"' in bad.content.decode()
    assert "Oczekiwano liczby." in bad.content.decode()
    assert application.answers.get(question=number).value == "12.5"


def budget_data(prefix, **overrides):
    data = {
        "category": "action",
        "name": "Farby",
        "unit": "szt.",
        "quantity": "10",
        "unit_cost": "12,50",
        "grant_amount": "100",
        "own_financial": "25",
        "own_non_financial": "",
    }
    data.update(overrides)
    return {f"{prefix}-{k}": v for k, v in data.items() if v is not None}


def test_adding_a_budget_line_returns_the_table_with_server_sums(owner_client, application):
    url = reverse("application-part-add", args=[application.pk, "budget"])
    response = owner_client.post(url, budget_data("new-budget"), **HTMX)

    assert response.status_code == 200
    assert response[FRAGMENT_HEADER] == "saved"
    text = response.content.decode()
    line = application.budget_lines.get(name="Farby")
    assert line.total == Decimal("125.00")
    assert f'id="budget-line-{line.pk}"' in text
    assert "5\xa0325,00\xa0zł" in text  # new total cost
    assert "4\xa0100,00\xa0zł" in text  # new grant total
    assert 'id="status-budget" hx-swap-oob="innerHTML"' in text
    assert "Zapisano" in text


def test_a_bad_budget_line_is_refused_with_its_errors(owner_client, application):
    url = reverse("application-part-add", args=[application.pk, "budget"])
    response = owner_client.post(url, budget_data("new-budget", name="", unit_cost="-5"), **HTMX)
    assert response.status_code == 422
    assert response[FRAGMENT_HEADER] == "invalid"
    text = response.content.decode()
    assert 'href="#id_new-budget-name"' in text
    assert "data-focus" in text
    assert application.budget_lines.count() == 3

    # The model's limits come back on their fields too.
    response = owner_client.post(url, budget_data("new-budget", unit_cost="-5"), **HTMX)
    assert response.status_code == 422
    assert 'id="err-id_new-budget-unit_cost"' in response.content.decode()
    assert application.budget_lines.count() == 3


def test_editing_and_deleting_a_budget_line(owner_client, application):
    line = application.budget_lines.get(name="Księgowość")
    edit_url = reverse("application-part-edit", args=[application.pk, "budget", line.pk])

    opened = owner_client.get(edit_url, **HTMX)
    assert f'name="budget-{line.pk}-name"' in opened.content.decode()
    # Without JavaScript the same address is a page of its own.
    page = owner_client.get(edit_url)
    assert "<html" in page.content.decode()

    response = owner_client.post(
        edit_url,
        budget_data(
            f"budget-{line.pk}",
            category="administrative",
            name="Księgowość i obsługa",
            quantity="1",
            unit_cost="200",
            grant_amount="200",
            own_financial="0",
        ),
        **HTMX,
    )
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.name == "Księgowość i obsługa"
    assert line.grant_amount == Decimal("200.00")
    assert "5,13%" in response.content.decode()  # 200 of 3,900 grant is administrative

    delete_url = reverse("application-part-delete", args=[application.pk, "budget", line.pk])
    response = owner_client.post(delete_url, **HTMX)
    assert response.status_code == 200
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    assert "0,00%" in response.content.decode()


def test_a_row_of_another_application_is_not_found(owner_client, application, competition, group):
    other = f.ready_application(competition=competition, group=group)
    foreign_line = other.budget_lines.first()
    url = reverse("application-part-edit", args=[application.pk, "budget", foreign_line.pk])
    assert owner_client.get(url, **HTMX).status_code == 404
    assert (
        owner_client.post(url, budget_data(f"budget-{foreign_line.pk}"), **HTMX).status_code == 404
    )


def test_schedule_and_results_rows(owner_client, application):
    start = application.start_date
    response = owner_client.post(
        reverse("application-part-add", args=[application.pk, "schedule"]),
        {
            "new-schedule-action": "Warsztaty",
            "new-schedule-description": "Dla sąsiadów",
            "new-schedule-start_date": (start + timedelta(days=5)).isoformat(),
            "new-schedule-end_date": (start + timedelta(days=6)).isoformat(),
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert ScheduleItem.objects.filter(application=application, action="Warsztaty").exists()

    bad = owner_client.post(
        reverse("application-part-add", args=[application.pk, "schedule"]),
        {
            "new-schedule-action": "Odwrotnie",
            "new-schedule-start_date": (start + timedelta(days=6)).isoformat(),
            "new-schedule-end_date": (start + timedelta(days=5)).isoformat(),
        },
        **HTMX,
    )
    assert bad.status_code == 422
    assert not ScheduleItem.objects.filter(action="Odwrotnie").exists()

    response = owner_client.post(
        reverse("application-part-add", args=[application.pk, "indicators"]),
        {
            "new-indicators-result": "Więcej zieleni",
            "new-indicators-name": "Liczba drzew",
            "new-indicators-target_value": "5",
            "new-indicators-unit": "szt.",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert Indicator.objects.filter(application=application, name="Liczba drzew").exists()


def test_attachment_upload_list_download_and_delete(owner_client, application):
    url = reverse("application-attachment-add", args=[application.pk])
    response = owner_client.post(
        url, {"attachment-file": pdf_file("statut.pdf"), "attachment-description": "Statut"}, **HTMX
    )
    assert response.status_code == 200
    attachment = application.attachments.get()
    assert "statut.pdf" in response.content.decode()

    download = owner_client.get(
        reverse("application-attachment-download", args=[application.pk, attachment.pk])
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "statut.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    response = owner_client.post(
        reverse("application-attachment-delete", args=[application.pk, attachment.pk]), **HTMX
    )
    assert response.status_code == 200
    assert not application.attachments.exists()


def test_a_file_of_the_wrong_type_is_refused_with_the_services_message(owner_client, application):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile(
        "skrypt.pdf", b"#!/bin/sh\necho nie\n", content_type="application/pdf"
    )
    response = owner_client.post(
        reverse("application-attachment-add", args=[application.pk]),
        {"attachment-file": fake},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Ten typ pliku nie jest przyjmowany" in response.content.decode()
    assert not application.attachments.exists()


def test_editor_of_a_submitted_application_goes_to_the_detail(owner_client, application, owner):
    application_submit(application=application, actor=owner)
    response = owner_client.get(reverse("application-edit", args=[application.pk]))
    assert response.status_code == 302
    assert response.url == reverse("application-detail", args=[application.pk])
    assert Application.objects.get(pk=application.pk).status == "submitted"


def test_editor_and_check_page_in_english(owner_client, application, competition, group):
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    editor_page = owner_client.get(reverse("application-edit", args=[application.pk]))
    assert "Basic data" in editor_page.content.decode()
    assert "5,200.00\xa0PLN" in editor_page.content.decode()
    empty = f.ApplicationFactory(competition=competition, group=group, title="")
    check = owner_client.get(reverse("application-check", args=[empty.pk])).content.decode()
    assert "things stop this application from being submitted" in check
    assert "Give the project a title." in check
