"""Bad input over the API is a 400 with messages per field, and nothing is
saved: malformed JSON, wrong types, negative or absurd amounts, missing
fields, oversized or disguised files."""

import pytest

from applications.models import Answer, Application, Attachment, BudgetLine
from tests import factories as f

from .conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, upload


def url(application, tail: str = "") -> str:
    return f"/api/v1/applications/{application.pk}/{tail}"


def unchanged(application) -> bool:
    before = {f: getattr(application, f) for f in ("title", "amount_requested", "updated_at")}
    application.refresh_from_db()
    return before == {f: getattr(application, f) for f in before}


def test_malformed_json_is_400_and_nothing_changes(api, owner, application):
    response = api(owner).generic(
        "PATCH", url(application), '{"title": "Nowy", ', content_type="application/json"
    )

    assert response.status_code == 400
    assert "detail" in response.json()
    assert unchanged(application)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_requested", "four thousand"),
        ("amount_requested", {"amount": 4000}),
        ("amount_requested", "NaN"),
        ("target_group_size", "many"),
        ("target_group_size", 1.5),
        ("start_date", "yesterday"),
        ("title", ["a", "list"]),
        ("summary", "x" * 1501),
    ],
)
def test_wrong_types_are_400_per_field(api, owner, application, field, value):
    response = api(owner).patch(url(application), {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field][0], str)
    assert unchanged(application)


@pytest.mark.parametrize("amount", ["-0.01", "-4000", "100000000.00", "1e12", "12.345"])
def test_negative_and_absurd_amounts_are_refused(api, owner, application, amount):
    response = api(owner).patch(url(application), {"amount_requested": amount}, format="json")

    assert response.status_code == 400
    assert "amount_requested" in response.json()
    assert unchanged(application)


@pytest.mark.parametrize(
    "line",
    [
        {"unit_cost": "-5.00"},
        {"grant_amount": "-1"},
        {"own_financial": "999999999999"},
        {"quantity": "-1"},
        {"quantity": "10000000"},
        {"unit_cost": "Infinity"},
        {"category": "luxuries"},
    ],
)
def test_budget_line_with_bad_amounts_is_refused(api, owner, application, line):
    data = {"name": "Sprzęt", "quantity": "1", "unit_cost": "100.00", **line}

    response = api(owner).post(url(application, "budget-lines/"), data, format="json")

    assert response.status_code == 400
    assert set(line) <= set(response.json())
    assert BudgetLine.objects.filter(application=application).count() == 3


def test_changing_a_line_to_a_negative_amount_saves_nothing(api, owner, application):
    line = application.budget_lines.first()

    response = api(owner).patch(
        url(application, f"budget-lines/{line.pk}/"),
        {"name": "Zmieniona", "unit_cost": "-1"},
        format="json",
    )

    assert response.status_code == 400
    line.refresh_from_db()
    assert line.name == "Sadzonki i ziemia"


def test_missing_required_fields_are_named(api, owner, application):
    response = api(owner).post(url(application, "budget-lines/"), {}, format="json")

    assert response.status_code == 400
    assert {"name", "quantity", "unit_cost"} <= set(response.json())


def test_schedule_item_ending_before_it_starts_is_refused(api, owner, application, competition):
    start = competition.implementation_start

    response = api(owner).post(
        url(application, "schedule-items/"),
        {"action": "Warsztaty", "start_date": str(start), "end_date": "2000-01-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "__all__" not in response.json()
    assert application.schedule_items.count() == 1


def test_missing_competition_and_group_on_create(api, owner):
    response = api(owner).post("/api/v1/applications/", {}, format="json")

    assert response.status_code == 400
    assert {"competition", "group"} <= set(response.json())
    assert not Application.objects.exists()


def test_a_list_instead_of_an_object_is_400(api, owner, application):
    for path in ("", "answers/", "budget-lines/"):
        method = "put" if path == "answers/" else "post" if path else "patch"
        response = getattr(api(owner), method)(url(application, path), [1, 2], format="json")
        assert response.status_code == 400, path


def test_answer_of_the_wrong_type_is_refused_with_the_question_named(
    api, owner, application, competition
):
    number = f.FormQuestionFactory(competition=competition, kind="number")
    text = f.FormQuestionFactory(competition=competition, kind="short_text")

    response = api(owner).patch(
        url(application, "answers/"),
        {str(number.pk): "dużo", str(text.pk): "poprawna odpowiedź"},
        format="json",
    )

    assert response.status_code == 400
    assert f"questions.{number.pk}" in response.json()
    assert not Answer.objects.exists()


class TestFiles:
    def test_oversized_file_is_refused(self, api, owner, application, settings):
        settings.ATTACHMENT_MAX_BYTES = 100

        response = api(owner).post(
            url(application, "attachments/"),
            {"file": upload("duzy.pdf", PDF_BYTES + b"0" * 200)},
            format="multipart",
        )

        assert response.status_code == 400
        assert "file" in response.json()
        assert not Attachment.objects.exists()

    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [
            ("setup.exe", EXE_BYTES, "application/octet-stream"),
            ("faktura.pdf", EXE_BYTES, "application/pdf"),
            ("notatki.pdf", b"To jest zwykly tekst, a nie PDF.\n" * 10, "application/pdf"),
            ("skrypt.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ],
    )
    def test_wrong_type_is_refused_whatever_the_name(
        self, api, owner, application, settings, name, content, content_type
    ):
        response = api(owner).post(
            url(application, "attachments/"),
            {"file": upload(name, content, content_type)},
            format="multipart",
        )

        assert response.status_code == 400
        assert "file" in response.json()
        assert not Attachment.objects.exists()

    def test_empty_file_and_no_file_are_refused(self, api, owner, application):
        client = api(owner)

        empty = client.post(
            url(application, "attachments/"), {"file": upload("a.pdf", b"")}, format="multipart"
        )
        missing = client.post(url(application, "attachments/"), {}, format="multipart")

        assert empty.status_code == 400
        assert missing.status_code == 400
        assert "file" in missing.json()
        assert not Attachment.objects.exists()

    def test_an_image_is_accepted(self, api, owner, application):
        response = api(owner).post(
            url(application, "attachments/"),
            {"file": upload("zdjecie.png", PNG_BYTES, "image/png")},
            format="multipart",
        )

        assert response.status_code == 201, response.data
        assert response.json()["content_type"] == "image/png"
