"""The applicant's journey over the API: create a draft, autosave it in parts,
see what blocks it, submit, read the history and the submitted versions."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from applications.models import Application, Attachment, BudgetLine
from core.transitions import write_audit
from tests import factories as f

from .conftest import PDF_BYTES, upload

APPLICATIONS = "/api/v1/applications/"


def detail_url(application) -> str:
    return f"{APPLICATIONS}{application.pk}/"


def transition_url(application, name: str) -> str:
    return f"{APPLICATIONS}{application.pk}/transitions/{name}/"


def test_create_a_draft_for_my_group(api, owner, group, competition):
    response = api(owner).post(
        APPLICATIONS, {"competition": competition.pk, "group": group.pk}, format="json"
    )

    assert response.status_code == 201, response.data
    body = response.json()
    assert body["status"] == "draft"
    assert body["status_display"]
    assert body["available_transitions"] == ["submit", "withdraw"]
    assert body["is_editable"] is True
    assert body["competition"]["id"] == competition.pk
    assert body["group"]["id"] == group.pk
    assert body["created_at"].endswith("Z")
    assert Application.objects.get(pk=body["id"]).created_by == owner


def test_cannot_create_for_a_group_that_is_not_mine(api, other_group_owner, group, competition):
    response = api(other_group_owner).post(
        APPLICATIONS, {"competition": competition.pk, "group": group.pk}, format="json"
    )

    assert response.status_code == 400
    assert "group" in response.json()
    assert not Application.objects.exists()


def test_cannot_create_in_a_closed_competition(api, owner, group, competition):
    competition.submission_deadline = timezone.now() - timedelta(minutes=1)
    competition.save()

    response = api(owner).post(
        APPLICATIONS, {"competition": competition.pk, "group": group.pk}, format="json"
    )

    assert response.status_code == 409
    assert not Application.objects.exists()


def test_detail_has_every_part_money_as_strings_and_times_in_utc(api, owner, application):
    with time_machine.travel(timezone.now(), tick=False):
        body = api(owner).get(detail_url(application)).json()

    assert body["amount_requested"] == "4000.00"
    assert body["title"] == application.title
    assert [line["name"] for line in body["budget_lines"]] == [
        "Sadzonki i ziemia",
        "Praca wolontariuszy",
        "Księgowość",
    ]
    assert body["budget_lines"][0]["unit_cost"] == "4100.00"
    assert body["budget_lines"][1]["total"] == "800.00"
    assert body["budget_totals"]["grant"] == "4000.00"
    assert body["budget_totals"]["own"] == "1200.00"
    assert body["budget_totals"]["own_share_pct"] == "30.00"
    assert len(body["schedule_items"]) == 1
    assert body["indicators"][0]["target_value"] == "12.00"
    assert body["answers"] == {}
    assert body["attachments"] == []
    assert body["updated_at"].endswith("Z")
    assert body["competition"]["submission_deadline"].endswith("Z")


def test_list_is_paginated_and_filterable(api, owner, group, competition):
    other = f.CompetitionFactory(operator=competition.operator)
    drafts = [f.ApplicationFactory(competition=competition, group=group) for _ in range(3)]
    f.ApplicationFactory(competition=other, group=group)
    f.ApplicationFactory(competition=competition)  # another group's: never listed
    client = api(owner)

    everything = client.get(APPLICATIONS).json()
    assert everything["count"] == 4
    assert {"count", "next", "previous", "results"} <= set(everything)

    in_competition = client.get(APPLICATIONS, {"competition": competition.pk}).json()
    assert {a["id"] for a in in_competition["results"]} == {a.pk for a in drafts}

    assert client.get(APPLICATIONS, {"status": "submitted"}).json()["count"] == 0
    assert client.get(APPLICATIONS, {"group": group.pk}).json()["count"] == 4
    assert client.get(APPLICATIONS, {"page_size": 2}).json()["next"]
    assert client.get(APPLICATIONS, {"status": "nonsense"}).status_code == 400


def test_autosave_changes_the_fields_given(api, editor, application):
    response = api(editor).patch(
        detail_url(application),
        {"title": "Nowy tytuł", "amount_requested": "3999.50", "target_group_size": 12},
        format="json",
    )

    assert response.status_code == 200, response.data
    assert response.json()["title"] == "Nowy tytuł"
    application.refresh_from_db()
    assert application.amount_requested == Decimal("3999.50")
    assert application.target_group_size == 12
    assert application.summary == "Sąsiedzi zakładają wspólny ogród."


def test_autosave_after_submission_is_a_conflict(api, owner, submitted):
    response = api(owner).patch(detail_url(submitted), {"title": "Za późno"}, format="json")

    assert response.status_code == 409
    submitted.refresh_from_db()
    assert submitted.title == "Ogród sąsiedzki na Zabłociu"


def test_put_on_an_application_is_not_allowed(api, owner, application):
    assert api(owner).put(detail_url(application), {}, format="json").status_code == 405


def test_problems_of_a_ready_application(api, owner, application):
    body = api(owner).get(f"{detail_url(application)}problems/").json()

    assert body["ready"] is True
    assert body["problems"] == []
    assert body["budget_totals"]["total"] == "5200.00"


def test_problems_list_everything_that_blocks(api, owner, group, competition):
    draft = f.ApplicationFactory(competition=competition, group=group, title="")

    body = api(owner).get(f"{detail_url(draft)}problems/").json()

    assert body["ready"] is False
    fields = {p["field"] for p in body["problems"]}
    assert {"title", "summary", "budget_lines", "schedule_items", "indicators"} <= fields
    assert all(set(p) == {"section", "field", "message"} for p in body["problems"])


def test_submit_gives_a_number_a_snapshot_and_a_history_row(api, owner, application):
    response = api(owner).post(transition_url(application, "submit"), {}, format="json")

    assert response.status_code == 200, response.data
    body = response.json()
    assert body["status"] == "submitted"
    assert body["number"] == "DL/2026/001"
    assert body["submitted_at"].endswith("Z")
    assert body["available_transitions"] == ["withdraw"]
    assert body["is_editable"] is False

    history = api(owner).get(f"{detail_url(application)}history/").json()
    assert history["count"] == 1
    entry = history["results"][0]
    assert (entry["transition"], entry["from_state"], entry["to_state"]) == (
        "submit",
        "draft",
        "submitted",
    )
    assert entry["actor"] == "Olga Właścicielka"
    assert entry["transition_display"]
    assert entry["created_at"].endswith("Z")

    snapshots = api(owner).get(f"{detail_url(application)}snapshots/").json()
    assert [s["version"] for s in snapshots["results"]] == [1]
    assert snapshots["results"][0]["submitted_by"] == "Olga Właścicielka"
    version = api(owner).get(f"{detail_url(application)}snapshots/1/").json()
    assert version["data"]["number"] == "DL/2026/001"
    assert version["data"]["title"] == application.title


def test_submit_with_problems_is_400_with_field_messages(api, owner, group, competition):
    draft = f.ApplicationFactory(competition=competition, group=group, title="")

    response = api(owner).post(transition_url(draft, "submit"), {}, format="json")

    assert response.status_code == 400
    assert "title" in response.json()
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


@pytest.mark.parametrize("name", ["submit", "resubmit"])
def test_a_corrected_application_is_resubmitted_under_either_name(api, owner, submitted, name):
    # The formal check (another part of the system) requests the correction.
    Application.objects.filter(pk=submitted.pk).update(
        status=Application.Status.NEEDS_CORRECTION,
        correction_deadline=timezone.now() + timedelta(days=7),
    )
    client = api(owner)
    body = client.get(detail_url(submitted)).json()
    assert "resubmit" in body["available_transitions"]
    corrected = client.patch(detail_url(submitted), {"title": "Poprawiony"}, format="json")
    assert corrected.status_code == 200

    response = client.post(transition_url(submitted, name), {}, format="json")

    assert response.status_code == 200, response.data
    assert response.json()["status"] == "submitted"
    assert response.json()["number"] == "DL/2026/001"
    assert submitted.snapshots.count() == 2
    history = client.get(f"{detail_url(submitted)}history/").json()["results"]
    assert [e["transition"] for e in history] == ["submit", "resubmit"]


def test_withdraw_keeps_the_comment(api, editor, submitted):
    response = api(editor).post(
        transition_url(submitted, "withdraw"), {"comment": "Rezygnujemy"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["available_transitions"] == []
    history = api(editor).get(f"{detail_url(submitted)}history/").json()["results"]
    assert history[-1]["comment"] == "Rezygnujemy"
    assert history[-1]["actor"] == "Edward Edytor"


def test_unknown_transition_is_404(api, owner, application):
    response = api(owner).post(transition_url(application, "award"), {}, format="json")

    assert response.status_code == 404


def test_history_names_the_system_when_nobody_acted(api, owner, submitted, settings):
    write_audit(submitted, transition="reject_formally", from_state="submitted", actor=None)

    history = api(owner).get(f"{detail_url(submitted)}history/").json()["results"]

    assert history[-1]["actor"] == "system"


def test_official_sees_submitted_applications_without_applicant_transitions(
    api, official, submitted
):
    body = api(official).get(detail_url(submitted)).json()

    assert body["number"] == "DL/2026/001"
    # The official's own transitions appear once their endpoints exist; the
    # applicant's never do.
    assert "withdraw" not in body["available_transitions"]
    assert "submit" not in body["available_transitions"]


class TestParts:
    def test_budget_line_crud(self, api, owner, application):
        client = api(owner)
        url = f"{detail_url(application)}budget-lines/"

        created = client.post(
            url,
            {
                "name": "Wynajem sali",
                "quantity": "2",
                "unit_cost": "150.00",
                "grant_amount": "300.00",
                "category": "action",
            },
            format="json",
        )
        assert created.status_code == 201, created.data
        line_id = created.json()["id"]
        assert created.json()["total"] == "300.00"

        assert len(client.get(url).json()) == 4
        changed = client.patch(f"{url}{line_id}/", {"quantity": "3"}, format="json")
        assert changed.status_code == 200
        assert changed.json()["total"] == "450.00"
        assert client.get(f"{url}{line_id}/").json()["quantity"] == "3.00"

        assert client.delete(f"{url}{line_id}/").status_code == 204
        assert not BudgetLine.objects.filter(pk=line_id).exists()

    def test_schedule_item_and_indicator(self, api, owner, application, competition):
        client = api(owner)
        start = competition.implementation_start

        item = client.post(
            f"{detail_url(application)}schedule-items/",
            {"action": "Warsztaty", "start_date": str(start), "end_date": str(start)},
            format="json",
        )
        indicator = client.post(
            f"{detail_url(application)}indicators/",
            {"result": "Sąsiedzi się znają", "name": "Uczestnicy", "target_value": "30"},
            format="json",
        )

        assert item.status_code == 201, item.data
        assert indicator.status_code == 201, indicator.data
        assert application.schedule_items.count() == 2
        assert application.indicators.count() == 2

    def test_parts_of_a_submitted_application_are_read_only(self, api, owner, submitted):
        client = api(owner)
        url = f"{detail_url(submitted)}budget-lines/"
        line = submitted.budget_lines.first()

        assert client.get(url).status_code == 200
        assert (
            client.post(
                url, {"name": "X", "quantity": "1", "unit_cost": "1.00"}, format="json"
            ).status_code
            == 409
        )
        assert client.patch(f"{url}{line.pk}/", {"name": "Y"}, format="json").status_code == 409
        assert client.delete(f"{url}{line.pk}/").status_code == 409
        assert submitted.budget_lines.count() == 3

    def test_an_official_may_read_but_not_write_parts(self, api, official, submitted):
        client = api(official)
        url = f"{detail_url(submitted)}budget-lines/"

        assert len(client.get(url).json()) == 3
        response = client.post(url, {"name": "X", "quantity": "1", "unit_cost": "1"}, format="json")
        assert response.status_code == 403


class TestAnswers:
    def test_put_and_patch_answers(self, api, owner, application, competition):
        text = f.FormQuestionFactory(competition=competition, kind="short_text")
        yes_no = f.FormQuestionFactory(competition=competition, kind="yes_no")
        url = f"{detail_url(application)}answers/"
        client = api(owner)

        saved = client.put(url, {str(text.pk): "Tak, mamy doświadczenie."}, format="json")
        assert saved.status_code == 200, saved.data
        patched = client.patch(url, {str(yes_no.pk): True}, format="json")

        assert patched.json() == {str(text.pk): "Tak, mamy doświadczenie.", str(yes_no.pk): True}
        assert client.get(url).json() == patched.json()
        assert client.get(detail_url(application)).json()["answers"] == patched.json()

    def test_unknown_question_is_refused(self, api, owner, application):
        response = api(owner).patch(
            f"{detail_url(application)}answers/", {"999999": "x"}, format="json"
        )

        assert response.status_code == 400
        assert "answers" in response.json()
        assert not application.answers.exists()


class TestAttachments:
    def test_upload_list_download_delete(self, api, owner, official, application, pdf):
        client = api(owner)
        url = f"{detail_url(application)}attachments/"

        created = client.post(url, {"file": pdf, "description": "Kosztorys"}, format="multipart")

        assert created.status_code == 201, created.data
        body = created.json()
        assert body["original_name"] == "kosztorys.pdf"
        assert body["content_type"] == "application/pdf"
        assert body["size"] == len(PDF_BYTES)
        assert [a["id"] for a in client.get(url).json()] == [body["id"]]

        download = client.get(body["download_url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF_BYTES
        assert download["Content-Type"] == "application/pdf"
        assert "kosztorys.pdf" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"

        assert client.delete(f"{url}{body['id']}/").status_code == 204
        assert not Attachment.objects.exists()

    def test_answering_a_file_question(self, api, owner, application, competition):
        question = f.FormQuestionFactory(competition=competition, kind="file", required=True)
        text_question = f.FormQuestionFactory(competition=competition, kind="short_text")
        url = f"{detail_url(application)}attachments/"
        client = api(owner)

        wrong = client.post(
            url,
            {"file": upload("a.pdf", PDF_BYTES), "question": text_question.pk},
            format="multipart",
        )
        right = client.post(
            url, {"file": upload("b.pdf", PDF_BYTES), "question": question.pk}, format="multipart"
        )

        assert wrong.status_code == 400
        assert "question" in wrong.json()
        assert right.status_code == 201
        assert right.json()["question"] == question.pk

    def test_official_downloads_a_submitted_file(self, api, owner, official, application, pdf):
        attachment = api(owner).post(
            f"{detail_url(application)}attachments/", {"file": pdf}, format="multipart"
        )
        api(owner).post(transition_url(application, "submit"), {}, format="json")

        download = api(official).get(attachment.json()["download_url"])

        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF_BYTES
