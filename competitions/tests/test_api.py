"""Competitions over the API: officials set them up and run their
transitions, everybody logged in reads the public ones, the anonymous public
reads the rules."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competitions.models import Competition, Criterion, FormQuestion
from core.models import AuditEntry
from tests import factories as f

COMPETITIONS = "/api/v1/competitions/"
PUBLIC = "/api/v1/public/competitions/"


def competition_url(competition, tail: str = "") -> str:
    return f"{COMPETITIONS}{competition.pk}/{tail}"


def new_competition_data(operator, /, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "operator": operator.pk,
        "title": "Działaj Lokalnie 2026",
        "kind": "regranting",
        "number_prefix": "DL",
        "year": 2026,
        "submission_deadline": (timezone.now() + timedelta(days=40)).isoformat(),
        "budget_total": "60000.00",
        "grant_min": "1000.00",
        "grant_max": "6000.00",
        "implementation_start": str(today + timedelta(days=60)),
        "implementation_end": str(today + timedelta(days=200)),
        "own_contribution_min_pct": "25",
        "own_financial_min_pct": "5",
    }
    data.update(changes)
    return data


@pytest.fixture
def draft(operator):
    competition = f.CompetitionFactory(
        operator=operator,
        status=Competition.Status.DRAFT,
        published_at=None,
        submission_deadline=timezone.now() + timedelta(days=40),
    )
    f.CriterionFactory(competition=competition)
    return competition


class TestReading:
    def test_applicants_see_public_competitions_only(self, api, owner, competition, draft):
        body = api(owner).get(COMPETITIONS).json()

        assert [c["id"] for c in body["results"]] == [competition.pk]
        listed = body["results"][0]
        assert listed["status"] == "published"
        assert listed["status_display"]
        assert listed["available_transitions"] == []
        assert listed["budget_total"] == "60000.00"
        assert listed["submission_deadline"].endswith("Z")
        assert listed["operator"]["name"] == "Urząd Miasta Testowo"

    def test_officials_also_see_their_drafts_but_not_others(
        self, api, official, other_official, competition, draft
    ):
        mine = {c["id"] for c in api(official).get(COMPETITIONS).json()["results"]}
        theirs = {c["id"] for c in api(other_official).get(COMPETITIONS).json()["results"]}

        assert mine == {competition.pk, draft.pk}
        assert theirs == {competition.pk}
        assert api(other_official).get(competition_url(draft)).status_code == 404

    def test_detail_has_criteria_checklist_questions_and_transitions(
        self, api, official, competition
    ):
        f.FormQuestionFactory(competition=competition, label="Doświadczenie grupy")

        body = api(official).get(competition_url(competition)).json()

        assert [c["name"] for c in body["criteria"]] == ["Trafność", "Budżet"]
        assert body["criteria"][0]["max_points"] == "20.00"
        assert len(body["checklist_items"]) == 2
        assert [q["label"] for q in body["questions"]] == ["Doświadczenie grupy"]
        assert body["available_transitions"] == ["cancel", "close"]

    def test_filter_by_status(self, api, official, competition, draft):
        body = api(official).get(COMPETITIONS, {"status": "draft"}).json()

        assert [c["id"] for c in body["results"]] == [draft.pk]

    def test_list_runs_a_fixed_number_of_queries(
        self, api, official, operator, django_assert_num_queries
    ):
        client = api(official)
        f.CompetitionFactory(operator=operator)
        with CaptureQueriesContext(connection) as one_row:
            assert client.get(COMPETITIONS).json()["count"] == 1
        # The user's roles (a query per kind of membership), the page count
        # and the page itself.
        assert len(one_row) <= 6

        f.CompetitionFactory.create_batch(11, operator=operator)
        f.CompetitionFactory.create_batch(3, operator=operator, status="draft")
        with django_assert_num_queries(len(one_row)):
            assert client.get(COMPETITIONS).json()["count"] == 15


class TestSetup:
    def test_official_creates_a_draft(self, api, official, operator):
        response = api(official).post(COMPETITIONS, new_competition_data(operator), format="json")

        assert response.status_code == 201, response.data
        body = response.json()
        assert body["status"] == "draft"
        assert body["available_transitions"] == ["publish"]
        assert body["grant_max"] == "6000.00"
        assert body["own_contribution_min_pct"] == "25.00"
        assert body["operator"]["id"] == operator.pk
        assert Competition.objects.get(pk=body["id"]).title == "Działaj Lokalnie 2026"

    def test_not_for_an_operator_one_does_not_belong_to(self, api, other_official, operator):
        response = api(other_official).post(
            COMPETITIONS, new_competition_data(operator), format="json"
        )

        assert response.status_code == 403
        assert not Competition.objects.exists()

    def test_applicants_cannot_create(self, api, owner, operator):
        response = api(owner).post(COMPETITIONS, new_competition_data(operator), format="json")

        assert response.status_code == 403
        assert not Competition.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"grant_min": "-100.00"}, "grant_min"),
            ({"budget_total": "abc"}, "budget_total"),
            ({"budget_total": "1" * 20}, "budget_total"),
            ({"own_contribution_min_pct": "150"}, "own_contribution_min_pct"),
            ({"submission_deadline": "next friday"}, "submission_deadline"),
            ({"kind": "lottery"}, "kind"),
            ({"title": ""}, "title"),
            ({"operator": 999999}, "operator"),
            ({"grant_min": "7000.00"}, "grant_min"),
        ],
    )
    def test_bad_settings_are_400(self, api, official, operator, changes, field):
        response = api(official).post(
            COMPETITIONS, new_competition_data(operator, **changes), format="json"
        )

        assert response.status_code == 400
        assert field in response.json()
        assert not Competition.objects.exists()

    def test_missing_fields_are_named(self, api, official, operator):
        response = api(official).post(COMPETITIONS, {"operator": operator.pk}, format="json")

        assert response.status_code == 400
        assert {"title", "submission_deadline", "budget_total"} <= set(response.json())

    def test_a_draft_may_change_a_published_one_may_not(self, api, official, draft, competition):
        client = api(official)

        changed = client.patch(competition_url(draft), {"title": "Nowy tytuł"}, format="json")
        refused = client.patch(competition_url(competition), {"title": "Nie"}, format="json")

        assert changed.status_code == 200
        assert changed.json()["title"] == "Nowy tytuł"
        assert refused.status_code == 409
        competition.refresh_from_db()
        assert competition.title != "Nie"

    def test_applicants_may_not_change_and_strangers_do_not_see(
        self, api, owner, other_official, competition, draft
    ):
        assert (
            api(owner)
            .patch(competition_url(competition), {"title": "X"}, format="json")
            .status_code
            == 403
        )
        assert (
            api(other_official).patch(competition_url(draft), {"title": "X"}, format="json")
        ).status_code == 404


class TestParts:
    def test_official_adds_changes_and_removes_criteria_of_a_draft(self, api, official, draft):
        client = api(official)
        url = competition_url(draft, "criteria/")

        created = client.post(url, {"name": "Innowacyjność", "max_points": "15"}, format="json")
        assert created.status_code == 201, created.data
        criterion_id = created.json()["id"]
        changed = client.patch(f"{url}{criterion_id}/", {"weight": "2"}, format="json")
        assert changed.json()["weight"] == "2.00"
        assert len(client.get(url).json()) == 2

        assert client.delete(f"{url}{criterion_id}/").status_code == 204
        assert not Criterion.objects.filter(pk=criterion_id).exists()

    def test_parts_of_a_published_competition_are_fixed(self, api, official, competition):
        client = api(official)
        criterion = competition.criteria.first()

        added = client.post(
            competition_url(competition, "criteria/"),
            {"name": "Nowe", "max_points": "5"},
            format="json",
        )
        removed = client.delete(competition_url(competition, f"criteria/{criterion.pk}/"))

        assert added.status_code == 409
        assert removed.status_code == 409
        assert competition.criteria.count() == 2

    def test_applicants_read_parts_of_public_competitions(self, api, owner, competition, draft):
        client = api(owner)

        assert len(client.get(competition_url(competition, "checklist-items/")).json()) == 2
        assert client.get(competition_url(draft, "criteria/")).status_code == 404
        assert (
            client.post(
                competition_url(competition, "questions/"),
                {"label": "Pytanie", "kind": "short_text"},
                format="json",
            ).status_code
            == 403
        )

    def test_questions_and_their_choices(self, api, official, draft):
        url = competition_url(draft, "questions/")
        client = api(official)

        no_options = client.post(url, {"label": "Gmina", "kind": "choice"}, format="json")
        with_options = client.post(
            url,
            {"label": "Gmina", "kind": "choice", "choices": ["Zalesie", "Podgórze"]},
            format="json",
        )
        bad_kind = client.post(url, {"label": "X", "kind": "essay"}, format="json")

        assert no_options.status_code == 400
        assert "choices" in no_options.json()
        assert with_options.status_code == 201
        assert with_options.json()["choices"] == ["Zalesie", "Podgórze"]
        assert bad_kind.status_code == 400
        assert FormQuestion.objects.filter(competition=draft).count() == 1

    def test_negative_points_are_refused(self, api, official, draft):
        response = api(official).post(
            competition_url(draft, "criteria/"), {"name": "X", "max_points": "-1"}, format="json"
        )

        assert response.status_code == 400
        assert "max_points" in response.json()


class TestTransitions:
    def test_publish(self, api, official, draft):
        response = api(official).post(competition_url(draft, "transitions/publish/"), {})

        assert response.status_code == 200, response.data
        assert response.json()["status"] == "published"
        assert response.json()["published_at"].endswith("Z")
        entry = AuditEntry.objects.get(object_id=draft.pk, transition="publish")
        assert entry.actor == official

    def test_publish_without_criteria_or_with_a_short_window_is_400(self, api, official, draft):
        draft.criteria.all().delete()
        draft.submission_deadline = timezone.now() + timedelta(days=5)
        draft.save()

        response = api(official).post(competition_url(draft, "transitions/publish/"), {})

        assert response.status_code == 400
        assert {"criteria", "submission_deadline"} <= set(response.json())
        draft.refresh_from_db()
        assert draft.status == Competition.Status.DRAFT
        assert not AuditEntry.objects.exists()

    def test_publishing_twice_is_a_conflict_that_changes_nothing(self, api, official, competition):
        response = api(official).post(competition_url(competition, "transitions/publish/"), {})

        assert response.status_code == 409
        competition.refresh_from_db()
        assert competition.status == Competition.Status.PUBLISHED
        assert not AuditEntry.objects.exists()

    def test_close_only_at_the_deadline(self, api, official, competition):
        early = api(official).post(competition_url(competition, "transitions/close/"), {})
        competition.submission_deadline = timezone.now() - timedelta(seconds=1)
        competition.save()
        on_time = api(official).post(competition_url(competition, "transitions/close/"), {})

        assert early.status_code == 400
        assert on_time.status_code == 200
        assert on_time.json()["status"] == "closed"

    def test_cancel_needs_a_reason(self, api, official, competition):
        url = competition_url(competition, "transitions/cancel/")
        client = api(official)

        without = client.post(url, {}, format="json")
        with_reason = client.post(url, {"comment": "Brak środków w budżecie"}, format="json")

        assert without.status_code == 400
        assert "comment" in without.json()
        assert with_reason.status_code == 200
        assert with_reason.json()["status"] == "cancelled"
        assert AuditEntry.objects.get().comment == "Brak środków w budżecie"

    def test_applicants_may_not_run_them(self, api, owner, competition):
        response = api(owner).post(competition_url(competition, "transitions/close/"), {})

        assert response.status_code == 403


class TestPublic:
    def test_anonymous_reads_published_competitions_with_their_rules(self, api, competition, draft):
        f.FormQuestionFactory(competition=competition, label="Skąd pomysł?")

        response = api(None).get(PUBLIC)

        assert response.status_code == 200
        results = response.json()["results"]
        assert [c["id"] for c in results] == [competition.pk]
        public = results[0]
        assert public["operator"] == "Urząd Miasta Testowo"
        assert [c["name"] for c in public["criteria"]] == ["Trafność", "Budżet"]
        assert [q["label"] for q in public["questions"]] == ["Skąd pomysł?"]
        assert public["available_transitions"] == []
        assert "submitted_count" not in public
        assert api(None).get(f"{PUBLIC}{draft.pk}/").status_code == 404

    def test_no_personal_data(self, api, official, owner, competition, application):
        text = api(None).get(f"{PUBLIC}{competition.pk}/").content.decode()

        for personal in (official.email, official.full_name, owner.email, owner.full_name):
            assert personal not in text
        assert "email" not in text
