"""The commission and the impartiality declaration over the API."""

import pytest

from competitions.models import Competition
from core.models import AuditEntry
from reviews.models import CommissionMember, Conflict, Declaration
from tests import factories as f

from . import factories as rf


def commission_url(competition, member=None):
    tail = f"{member.pk}/" if member is not None else ""
    return f"/api/v1/competitions/{competition.pk}/commission/{tail}"


def declaration_url(competition):
    return f"/api/v1/competitions/{competition.pk}/declaration/"


class TestTheList:
    def test_officials_and_members_see_who_is_on_it(
        self, api, official, commission, unsigned_member, reviewing, in_review
    ):
        rf.ReviewFactory(application=in_review[0], member=commission[1])
        for user in (official, commission[1].user, unsigned_member.user):
            response = api(user).get(commission_url(reviewing))
            assert response.status_code == 200
            body = response.json()
            assert body[0]["is_chair"] and body[0]["full_name"] == "Anna Urzędniczka"
            assert len(body) == 5
        by_name = {m["full_name"]: m for m in body}
        assert by_name["Nina Organizacja"]["assigned"] == 1
        assert by_name["Nina Organizacja"]["signed"] is True
        assert by_name["Niepodpisany Nowak"]["signed"] is False
        assert by_name["Ewa Ekspertka"]["affiliation"] == "expert"

    def test_anyone_else_gets_404(
        self, api, commission, reviewing, owner, outsider, other_official
    ):
        for user in (owner, outsider, other_official):
            assert api(user).get(commission_url(reviewing)).status_code == 404
            assert api(user).get(commission_url(reviewing, commission[1])).status_code == 404


class TestForming:
    def test_an_official_adds_a_member_by_email(self, api, official, competition):
        person = f.UserFactory(full_name="Nowa Członkini", email="nowa@example.org")

        response = api(official).post(
            commission_url(competition),
            {"email": "NOWA@example.org", "affiliation": "ngo_representative"},
            format="json",
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["user"], body["affiliation"], body["is_chair"], body["signed"]) == (
            person.pk,
            "ngo_representative",
            False,
            False,
        )
        assert CommissionMember.objects.get().user == person

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"email": "nikt@example.org", "affiliation": "expert"}, "email"),
            ({"email": "PERSON", "affiliation": "official"}, "affiliation"),
            ({"email": "PERSON", "affiliation": "wolontariusz"}, "affiliation"),
            ({"email": "to nie adres", "affiliation": "expert"}, "email"),
            ({"email": "PERSON", "affiliation": "expert", "is_chair": True}, "is_chair"),
            ({"affiliation": "expert"}, "email"),
        ],
    )
    def test_bad_input_is_400_and_adds_nobody(self, api, official, competition, data, field):
        person = f.UserFactory()
        if data.get("email") == "PERSON":
            data = {**data, "email": person.email}

        response = api(official).post(commission_url(competition), data, format="json")

        assert response.status_code == 400, response.content
        assert field in response.json()
        assert not CommissionMember.objects.exists()

    def test_the_same_person_twice_is_400(self, api, official, competition):
        person = f.UserFactory()
        rf.CommissionMemberFactory(competition=competition, user=person)

        response = api(official).post(
            commission_url(competition), {"email": person.email, "affiliation": "expert"}
        )

        assert response.status_code == 400
        assert "user" in response.json()

    def test_a_member_may_not_add_and_learns_nothing_of_accounts(self, api, ngo_member, reviewing):
        response = api(ngo_member.user).post(
            commission_url(reviewing), {"email": "nikt@example.org", "affiliation": "expert"}
        )

        assert response.status_code == 403
        assert CommissionMember.objects.count() == 1

    def test_the_chair_moves_with_the_flag(self, api, official, chair, ngo_member, reviewing):
        client = api(official)

        response = client.patch(
            commission_url(reviewing, ngo_member), {"is_chair": True}, format="json"
        )

        assert response.status_code == 200, response.content
        assert response.json()["is_chair"] is True
        chairs = CommissionMember.objects.filter(is_chair=True)
        assert list(chairs.values_list("pk", flat=True)) == [ngo_member.pk]
        listed = client.get(commission_url(reviewing)).json()
        assert listed[0]["id"] == ngo_member.pk

    def test_an_expert_cannot_chair(self, api, official, chair, expert, reviewing):
        response = api(official).patch(
            commission_url(reviewing, expert), {"is_chair": True}, format="json"
        )

        assert response.status_code == 400
        assert "is_chair" in response.json()
        chair.refresh_from_db()
        assert chair.is_chair

    def test_only_an_unsigned_member_without_reviews_is_removed(
        self, api, official, ngo_member, unsigned_member, reviewing
    ):
        client = api(official)

        response = client.delete(commission_url(reviewing, ngo_member))
        assert response.status_code == 400
        assert CommissionMember.objects.filter(pk=ngo_member.pk).exists()

        assert client.delete(commission_url(reviewing, unsigned_member)).status_code == 204
        assert not CommissionMember.objects.filter(pk=unsigned_member.pk).exists()

    def test_a_decided_competition_keeps_its_commission(self, api, official, ngo_member, reviewing):
        rf.set_status(reviewing, Competition.Status.DECIDED)
        client = api(official)

        response = client.patch(
            commission_url(reviewing, ngo_member), {"affiliation": "expert"}, format="json"
        )

        assert response.status_code == 409
        ngo_member.refresh_from_db()
        assert ngo_member.affiliation == "ngo_representative"


class TestDeclaration:
    def test_an_unsigned_member_reads_whom_to_declare_about(
        self, api, unsigned_member, reviewing, in_review, group
    ):
        body = api(unsigned_member.user).get(declaration_url(reviewing)).json()

        assert body["signed"] is False and body["signed_at"] is None
        assert "Niepodpisany Nowak" in body["statement"]
        assert [(c["number"], c["applicant"]) for c in body["candidates"]] == [
            (a.number, a.group.name) for a in in_review
        ]
        assert set(body["candidates"][0]) == {
            "application",
            "number",
            "applicant",
            "member_of_applicant",
        }
        assert body["conflicts"] == []

    def test_signing_with_conflicts(self, api, unsigned_member, reviewing, in_review, group):
        f.MembershipFactory(group=group, user=unsigned_member.user, role="editor")
        client = api(unsigned_member.user)

        response = client.post(
            declaration_url(reviewing),
            {
                "conflicts": [
                    {"application": in_review[1].pk, "ground": "other", "details": "Sąsiad"}
                ]
            },
            format="json",
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["signed"] is True and body["signed_at"]
        assert {(c["number"], c["ground"], c["source"]) for c in body["conflicts"]} == {
            (in_review[1].number, "other", "declaration"),
            (in_review[0].number, "party", "membership"),
        }
        assert client.get(declaration_url(reviewing)).json()["signed"] is True
        again = client.post(declaration_url(reviewing), {}, format="json")
        assert again.status_code == 409
        assert Declaration.objects.filter(member=unsigned_member).count() == 1

    @pytest.mark.parametrize(
        "conflict",
        [
            {"application": 999999, "ground": "relative"},
            {"application": "APP", "ground": "other"},
            {"application": "APP", "ground": "kuzyn"},
            {"application": "abc"},
        ],
    )
    def test_a_bad_conflict_is_400_and_nothing_is_signed(
        self, api, unsigned_member, reviewing, in_review, conflict
    ):
        if conflict["application"] == "APP":
            conflict = {**conflict, "application": in_review[0].pk}

        response = api(unsigned_member.user).post(
            declaration_url(reviewing), {"conflicts": [conflict]}, format="json"
        )

        assert response.status_code == 400, response.content
        assert "conflicts" in response.json()
        assert not Declaration.objects.filter(member=unsigned_member).exists()
        assert not Conflict.objects.exists()
        assert not AuditEntry.objects.filter(transition="sign").exists()

    def test_not_before_submissions_close(self, api, competition):
        member = rf.CommissionMemberFactory(competition=competition)

        response = api(member.user).post(declaration_url(competition), {}, format="json")

        assert response.status_code == 409
        assert not Declaration.objects.exists()

    def test_only_members_have_one(self, api, official, chair, reviewing, outsider, owner):
        other_official = f.StaffMembershipFactory(operator=reviewing.operator).user
        assert api(other_official).get(declaration_url(reviewing)).status_code == 404
        assert api(other_official).post(declaration_url(reviewing), {}).status_code == 403
        for user in (outsider, owner):
            assert api(user).get(declaration_url(reviewing)).status_code == 404
            assert api(user).post(declaration_url(reviewing), {}).status_code == 404
        assert Declaration.objects.count() == 1
