"""The formal check over the API: the official's checklist, findings saved as
a draft, the three outcomes as transitions of the application, what the
applicant reads, and what changed after a correction."""

import pytest

from applications.models import Application, FormalCheck
from applications.selectors import application_history
from tests import factories as f

FORMAL = {"accept_formally", "request_correction", "reject_formally"}


def url(application, tail="formal-check/"):
    return f"/api/v1/applications/{application.pk}/{tail}"


@pytest.fixture
def items(competition):
    """(the item that cannot be corrected, the correctable one)"""
    return (
        competition.checklist_items.get(correctable=False),
        competition.checklist_items.get(correctable=True),
    )


def findings(fatal, fixable, items):
    """Request body: each of (passed, comment) for the two items."""
    return {
        "results": [
            {"item": item.pk, "passed": passed, "comment": comment}
            for item, (passed, comment) in zip(items, (fatal, fixable), strict=True)
        ]
    }


class TestTheOfficialsView:
    def test_every_item_is_listed_unchecked_before_the_first_finding(
        self, api, official, submitted, items
    ):
        body = api(official).get(url(submitted)).json()

        assert [(x["item"]["text"], x["passed"]) for x in body["findings"]] == [
            ("Wniosek złożony w terminie", None),
            ("Kompletny podpis", None),
        ]
        assert body["current"] is None
        assert body["rounds"] == []
        assert body["changes"] == []
        assert body["application"]["status"] == "submitted"
        assert set(body["application"]["available_transitions"]) == FORMAL

    def test_the_formal_transitions_are_offered_on_the_application_too(
        self, api, official, owner, submitted
    ):
        assert set(api(official).get(url(submitted, "")).json()["available_transitions"]) >= FORMAL
        # The group may withdraw, never judge its own application.
        offered = set(api(owner).get(url(submitted, "")).json()["available_transitions"])
        assert offered == {"withdraw"}

    def test_findings_are_a_draft_the_applicant_does_not_see(
        self, api, official, owner, submitted, items
    ):
        response = api(official).put(
            url(submitted), findings((True, ""), (False, "Brak podpisu"), items), format="json"
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["current"]["round"] == 1
        assert body["current"]["outcome"] == "pending"
        assert body["current"]["version"] == 1
        assert [x["passed"] for x in body["findings"]] == [True, False]
        applicant = api(owner).get(url(submitted)).json()
        assert applicant == {
            "outcome": None,
            "outcome_display": None,
            "comment": "",
            "correction_deadline": None,
            "findings": [],
        }
        history = api(owner).get(url(submitted, "history/")).json()["results"]
        assert [e["transition"] for e in history] == ["submit"]
        history = api(official).get(url(submitted, "history/")).json()["results"]
        assert [e["transition"] for e in history] == ["submit", "formal_check_save"]


class TestOutcomes:
    def test_accept_once_every_item_is_met(self, api, official, submitted, items):
        client = api(official)
        client.put(url(submitted), findings((True, ""), (True, ""), items), format="json")

        response = client.post(url(submitted, "transitions/accept_formally/"), {}, format="json")

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "formally_accepted"
        assert not FORMAL & set(body["available_transitions"])
        assert client.get(url(submitted)).json()["current"]["outcome"] == "accepted"

    def test_accepting_with_an_unmet_item_is_400_and_changes_nothing(
        self, api, official, submitted, items
    ):
        client = api(official)
        client.put(url(submitted), findings((True, ""), (False, "Brak"), items), format="json")

        response = client.post(url(submitted, "transitions/accept_formally/"), {})

        assert response.status_code == 400
        assert "Kompletny podpis" in response.json()["results"][0]
        submitted.refresh_from_db()
        assert submitted.status == Application.Status.SUBMITTED
        assert FormalCheck.objects.get().outcome == FormalCheck.Outcome.PENDING

    def test_a_correction_is_requested_read_and_made(self, api, official, owner, submitted, items):
        desk, group = api(official), api(owner)
        desk.put(
            url(submitted), findings((True, ""), (False, "Brak podpisu"), items), format="json"
        )

        response = desk.post(
            url(submitted, "transitions/request_correction/"),
            {"comment": "Prosimy o podpis."},
            format="json",
        )

        assert response.status_code == 200, response.content
        assert response.json()["status"] == "needs_correction"
        assert response.json()["correction_deadline"]
        applicant = group.get(url(submitted)).json()
        assert applicant["outcome"] == "correction_requested"
        assert applicant["comment"] == "Prosimy o podpis."
        assert applicant["correction_deadline"] == response.json()["correction_deadline"]
        assert [(x["item"]["text"], x["comment"]) for x in applicant["findings"]] == [
            ("Kompletny podpis", "Brak podpisu")
        ]
        # No official's name, no draft round: only what to fix.
        assert set(applicant) == {
            "outcome",
            "outcome_display",
            "comment",
            "correction_deadline",
            "findings",
        }

        group.patch(url(submitted, ""), {"title": "Ogród z podpisem"}, format="json")
        assert group.post(url(submitted, "transitions/resubmit/"), {}).status_code == 200

        body = desk.get(url(submitted)).json()
        assert body["application"]["status"] == "submitted"
        assert body["current"]["outcome"] == "correction_requested"
        change = next(c for c in body["changes"] if c["path"] == "title")
        assert (change["kind"], change["before"], change["after"]) == (
            "changed",
            "Ogród sąsiedzki na Zabłociu",
            "Ogród z podpisem",
        )

        # The next finding opens a round for the corrected version; what passed
        # before stays passed.
        body = desk.put(
            url(submitted),
            {"results": [{"item": items[1].pk, "passed": True}]},
            format="json",
        ).json()
        assert (body["current"]["round"], body["current"]["version"]) == (2, 2)
        assert [r["outcome"] for r in body["rounds"]] == ["correction_requested", "pending"]
        assert [x["passed"] for x in body["findings"]] == [True, True]
        change = next(c for c in body["changes"] if c["path"] == "title")
        assert (change["kind"], change["before"], change["after"]) == (
            "changed",
            "Ogród sąsiedzki na Zabłociu",
            "Ogród z podpisem",
        )

    def test_a_rejection_needs_reasons(self, api, official, owner, submitted, items):
        desk = api(official)
        desk.put(url(submitted), findings((False, "Po terminie"), (True, ""), items), format="json")

        response = desk.post(url(submitted, "transitions/reject_formally/"), {}, format="json")

        assert response.status_code == 400
        assert "reasons" in response.json()
        submitted.refresh_from_db()
        assert submitted.status == Application.Status.SUBMITTED

        response = desk.post(
            url(submitted, "transitions/reject_formally/"),
            {"reasons": "Wniosek wpłynął po terminie."},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "formally_rejected"
        applicant = api(owner).get(url(submitted)).json()
        assert applicant["outcome"] == "rejected"
        assert applicant["comment"] == "Wniosek wpłynął po terminie."
        assert applicant["correction_deadline"] is None


class TestBadInput:
    @pytest.mark.parametrize(
        "results",
        [
            [{"item": 999999, "passed": True}],
            [{"item": "abc", "passed": True}],
            [{"item": "ITEM", "passed": "maybe"}],
            [{"item": "ITEM", "comment": "bez oceny"}],
            [{"item": "ITEM", "passed": True}, {"item": "ITEM", "passed": False}],
            [{"item": "ITEM", "passed": True, "comment": "x" * 2001}],
            "not a list",
        ],
    )
    def test_is_400_and_nothing_is_saved(self, api, official, submitted, items, results):
        if isinstance(results, list):
            results = [
                {**r, "item": items[0].pk if r["item"] == "ITEM" else r["item"]} for r in results
            ]

        response = api(official).put(url(submitted), {"results": results}, format="json")

        assert response.status_code == 400, response.content
        assert "results" in response.json()
        assert not FormalCheck.objects.exists()
        assert application_history(submitted).count() == 1


class TestWhoMay:
    def test_the_group_may_read_but_not_check(self, api, owner, submitted, items):
        client = api(owner)

        assert client.get(url(submitted)).status_code == 200
        response = client.put(
            url(submitted), findings((True, ""), (True, ""), items), format="json"
        )
        assert response.status_code == 403
        for name in FORMAL:
            response = client.post(url(submitted, f"transitions/{name}/"), {"reasons": "x"})
            assert response.status_code == 403
        assert not FormalCheck.objects.exists()

    def test_outsiders_and_another_operator_get_404(
        self, api, other_official, outsider, other_group_owner, submitted, items
    ):
        for user in (other_official, outsider, other_group_owner):
            client = api(user)
            assert client.get(url(submitted)).status_code == 404
            body = findings((True, ""), (True, ""), items)
            assert client.put(url(submitted), body, format="json").status_code == 404
            for name in FORMAL:
                response = client.post(url(submitted, f"transitions/{name}/"), {"reasons": "x"})
                assert response.status_code == 404
        assert not FormalCheck.objects.exists()
        submitted.refresh_from_db()
        assert submitted.status == Application.Status.SUBMITTED

    def test_a_draft_has_no_formal_check_for_the_official(self, api, official, application):
        assert api(official).get(url(application)).status_code == 404

    def test_an_official_who_also_applies_sees_the_applicants_view(
        self, api, submitted, group, items
    ):
        # Staff of another operator who belongs to the applying group.
        colleague = f.StaffMembershipFactory().user
        f.MembershipFactory(group=group, user=colleague, role="editor")

        body = api(colleague).get(url(submitted)).json()

        assert body["findings"] == [] and body["outcome"] is None


class TestWrongState:
    def test_nothing_changes_after_the_acceptance(self, api, official, submitted, items):
        desk = api(official)
        desk.put(url(submitted), findings((True, ""), (True, ""), items), format="json")
        desk.post(url(submitted, "transitions/accept_formally/"), {})
        entries = application_history(submitted).count()

        for name in FORMAL:
            response = desk.post(url(submitted, f"transitions/{name}/"), {"reasons": "Jednak"})
            assert response.status_code == 409, (name, response.content)
        response = desk.put(url(submitted), findings((False, ""), (True, ""), items), format="json")
        assert response.status_code == 409

        submitted.refresh_from_db()
        assert submitted.status == Application.Status.FORMALLY_ACCEPTED
        assert application_history(submitted).count() == entries
        assert [r.passed for r in FormalCheck.objects.get().results.all()] == [True, True]
