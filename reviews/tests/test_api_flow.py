"""The whole review over the API, from the formal check to the grants: every
step through an endpoint, as the official, the commission's members and the
applicants would take it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application
from competitions.models import Competition
from payouts.models import Grant
from reviews.models import CommissionMember, Conflict, Decision, Recommendation, Review
from tests import factories as f

# Every reviewer gives an application the same points, so the means are
# known whoever the plan picks: 46, 38 and 20 of 55; the threshold is 33.
POINTS = {"A": ("18", "28"), "B": ("15", "23"), "C": ("10", "10")}


def ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content)
    return response.json()


@pytest.fixture
def applicants(competition):
    """Four groups, each with an owner and a complete draft in the competition."""
    drafts = {}
    for key in ("A", "B", "C", "D"):
        owner = f.MembershipFactory(
            group__name=f"Grupa {key}", user__full_name=f"Właściciel {key}"
        ).user
        group = owner.group_memberships.get().group
        drafts[key] = (
            owner,
            f.ready_application(competition=competition, group=group, title=f"Projekt {key}"),
        )
    return drafts


@pytest.fixture
def people(db):
    """Future commission members, with accounts."""
    names = {
        "chair": "Celina Przewodnicząca",
        "ngo1": "Norbert Pierwszy",
        "ngo2": "Natalia Druga",
        "expert": "Eryk Ekspert",
    }
    return {key: f.UserFactory(full_name=name) for key, name in names.items()}


def test_from_the_formal_check_to_the_grants(api, official, competition, applicants, people):
    desk = api(official)
    comp_url = f"/api/v1/competitions/{competition.pk}/"
    Competition.objects.filter(pk=competition.pk).update(budget_total=Decimal("6000.00"))

    # Submissions, then the deadline passes and the official closes them.
    apps = {}
    for key, (owner, draft) in applicants.items():
        body = ok(api(owner).post(f"/api/v1/applications/{draft.pk}/transitions/submit/", {}))
        assert body["status"] == "submitted"
        apps[key] = Application.objects.get(pk=draft.pk)
    Competition.objects.filter(pk=competition.pk).update(
        submission_deadline=timezone.now() - timedelta(minutes=1)
    )
    ok(desk.post(f"{comp_url}transitions/close/", {}))

    # The formal check: A, B and C pass; D fails an item that cannot be corrected.
    items = list(competition.checklist_items.order_by("position", "pk"))
    for key, application in apps.items():
        url = f"/api/v1/applications/{application.pk}/"
        check = ok(desk.get(f"{url}formal-check/"))
        assert "accept_formally" in check["application"]["available_transitions"]
        fails = key == "D"
        results = [
            {
                "item": item.pk,
                "passed": not (fails and not item.correctable),
                "comment": "Po terminie" if fails and not item.correctable else "",
            }
            for item in items
        ]
        ok(desk.put(f"{url}formal-check/", {"results": results}, format="json"))
        if fails:
            body = ok(
                desk.post(
                    f"{url}transitions/reject_formally/",
                    {"reasons": "Wniosek złożony po terminie."},
                    format="json",
                )
            )
            assert body["status"] == "formally_rejected"
        else:
            body = ok(desk.post(f"{url}transitions/accept_formally/", {}))
            assert body["status"] == "formally_accepted"
    findings = ok(api(applicants["D"][0]).get(f"/api/v1/applications/{apps['D'].pk}/formal-check/"))
    assert findings["outcome"] == "rejected"
    assert [x["comment"] for x in findings["findings"]] == ["Po terminie"]

    # The commission: a chair and two NGO representatives who score, an expert.
    members = {}
    for key, affiliation, chair in (
        ("chair", "ngo_representative", True),
        ("ngo1", "ngo_representative", False),
        ("ngo2", "ngo_representative", False),
        ("expert", "expert", False),
    ):
        body = ok(
            desk.post(
                f"{comp_url}commission/",
                {"email": people[key].email, "affiliation": affiliation, "is_chair": chair},
                format="json",
            ),
            201,
        )
        members[key] = body["id"]
    commission = ok(desk.get(f"{comp_url}commission/"))
    assert commission[0]["full_name"] == "Celina Przewodnicząca"
    assert [m["is_chair"] for m in commission].count(True) == 1

    # The review starts; every formally accepted application goes with it.
    body = ok(desk.post(f"{comp_url}transitions/start_review/", {"comment": "Start"}))
    assert body["status"] == "in_review"
    assert "decide" in body["available_transitions"]

    # Each member signs; ngo1 names a tie with A.
    for key, user in people.items():
        client = api(user)
        declaration = ok(client.get(f"{comp_url}declaration/"))
        assert declaration["signed"] is False
        assert {c["number"] for c in declaration["candidates"]} == {apps[k].number for k in "ABC"}
        conflicts = (
            [{"application": apps["A"].pk, "ground": "relative", "details": "Szwagier"}]
            if key == "ngo1"
            else []
        )
        signed = ok(
            client.post(f"{comp_url}declaration/", {"conflicts": conflicts}, format="json"), 201
        )
        assert signed["signed"] is True
    assert Conflict.objects.get().member_id == members["ngo1"]

    # Automatic assignment: previewed, then applied; never ngo1 on A.
    preview = ok(desk.get(f"{comp_url}assignments/preview/"))
    assert len(preview["plan"]) == 3
    assigned = ok(desk.post(f"{comp_url}assignments/apply/", {"auto": True}, format="json"), 201)
    assert len(assigned) == 6
    assert (apps["A"].pk, members["ngo1"]) not in {
        (a["application"], a["member"]) for a in assigned
    }
    assert members["expert"] not in {a["member"] for a in assigned}

    # The members score: a draft first, then the submission.
    criteria = list(competition.criteria.order_by("position", "pk"))
    by_pk = {application.pk: key for key, application in apps.items()}
    for key in ("chair", "ngo1", "ngo2"):
        client = api(people[key])
        mine = ok(client.get("/api/v1/reviews/"))["results"]
        assert mine
        for review in mine:
            points = POINTS[by_pk[review["application"]["id"]]]
            url = f"/api/v1/reviews/{review['id']}/"
            draft = ok(
                client.patch(
                    url,
                    {"scores": [{"criterion": criteria[0].pk, "points": points[0]}]},
                    format="json",
                )
            )
            assert draft["status"] == "in_progress"
            assert draft["submission"]["version"] == 1
            body = ok(
                client.post(
                    f"{url}transitions/submit/",
                    {
                        "scores": [{"criterion": criteria[1].pk, "points": points[1]}],
                        "comment": "Dobry projekt",
                    },
                    format="json",
                )
            )
            assert body["status"] == "submitted"
            assert body["total"] == str(Decimal(points[0]) + Decimal(points[1])) + ".00"

    progress = ok(desk.get(f"{comp_url}progress/"))
    assert progress["by_status"]["submitted"] == 6

    # Scoring closes; the ranking and the funding line open.
    scoring = ok(desk.post(f"{comp_url}scoring/transitions/close/", {}))
    assert scoring["status"] == "closed"
    ranking = ok(api(people["ngo2"]).get(f"{comp_url}ranking/"))
    assert [(r["number"], r["mean"], r["passes_threshold"]) for r in ranking["rows"]] == [
        (apps["A"].number, "46.00", True),
        (apps["B"].number, "38.00", True),
        (apps["C"].number, "20.00", False),
    ]
    line = ok(api(people["chair"]).get(f"{comp_url}funding-line/"))
    assert [(x["outcome"], x["amount"]) for x in line["lines"]] == [
        ("funded", "4000.00"),
        ("partial", "2000.00"),
        ("rejected", None),
    ]
    assert line["remaining"] == "0.00"

    # The chair records the recommendation; the official decides.
    line = ok(
        api(people["chair"]).post(f"{comp_url}recommendations/from-proposal/", {}, format="json")
    )
    assert line["recommended"] == "6000.00"
    assert Recommendation.objects.count() == 3
    sheet = ok(desk.post(f"{comp_url}decisions/from-proposal/", {}, format="json"))
    assert (sheet["awarded"], sheet["remaining"], sheet["undecided"]) == ("6000.00", "0.00", 0)
    sheet = ok(
        desk.post(
            f"{comp_url}decisions/",
            {"application": apps["B"].pk, "outcome": "awarded", "amount": "1500.00"},
            format="json",
        )
    )
    assert (sheet["awarded"], sheet["remaining"]) == ("5500.00", "500.00")

    body = ok(desk.post(f"{comp_url}transitions/decide/", {"comment": "Uchwała nr 1"}))
    assert body["status"] == "decided"

    statuses = dict(
        Application.objects.filter(competition=competition).values_list("title", "status")
    )
    assert statuses == {
        "Projekt A": "awarded",
        "Projekt B": "awarded",
        "Projekt C": "rejected",
        "Projekt D": "formally_rejected",
    }
    grants = dict(Grant.objects.values_list("application__title", "amount_awarded"))
    assert grants == {"Projekt A": Decimal("4000.00"), "Projekt B": Decimal("1500.00")}
    assert Decision.objects.filter(applied_at__isnull=False).count() == 3
    assert Review.objects.filter(status="submitted").count() == 6
    assert CommissionMember.objects.count() == 4

    # The applicant reads anonymous reviews of their own application.
    owner_a = applicants["A"][0]
    reviews = ok(api(owner_a).get(f"/api/v1/applications/{apps['A'].pk}/reviews/"))
    assert [r["total"] for r in reviews] == ["46.00", "46.00"]
    assert {r["label"] for r in reviews} == {"Oceniający 1", "Oceniający 2"}
