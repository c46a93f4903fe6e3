"""Applicant groups over the API: owners manage, editors work, others see
nothing."""

from django.core import mail

from applications.models import ApplicantGroup, GroupInvitation, GroupMembership
from applications.services import application_submit
from tests import factories as f

GROUPS = "/api/v1/applicant-groups/"


def group_url(group, tail: str = "") -> str:
    return f"{GROUPS}{group.pk}/{tail}"


def test_list_shows_only_my_groups_with_my_role(api, owner, editor, group):
    f.GroupFactory()  # somebody else's

    mine = api(editor).get(GROUPS).json()

    assert [(g["id"], g["my_role"]) for g in mine["results"]] == [(group.pk, "editor")]


def test_creator_becomes_owner(api, outsider):
    response = api(outsider).post(
        GROUPS,
        {
            "name": "Koło Gospodyń Wiejskich w Zalesiu",
            "kind": "ordinary_association",
            "nip": "526-000-12-46",
            "city": "Zalesie",
        },
        format="json",
    )

    assert response.status_code == 201, response.data
    body = response.json()
    assert body["my_role"] == "owner"
    assert [(m["full_name"], m["role"]) for m in body["members"]] == [("Osoba Postronna", "owner")]
    assert body["nip"] == "5260001246"
    assert body["created_at"].endswith("Z")


def test_invalid_identifiers_and_missing_kind_rules_are_400(api, outsider):
    client = api(outsider)

    bad_nip = client.post(GROUPS, {"name": "A", "kind": "ngo", "nip": "123"}, format="json")
    no_krs = client.post(GROUPS, {"name": "A", "kind": "ngo"}, format="json")
    no_kind = client.post(GROUPS, {"name": "A"}, format="json")

    assert bad_nip.status_code == 400
    assert "nip" in bad_nip.json()
    assert no_krs.status_code == 400
    assert "krs" in no_krs.json()
    assert no_kind.status_code == 400
    assert "kind" in no_kind.json()
    assert not ApplicantGroup.objects.exists()


def test_owner_updates_editor_may_not(api, owner, editor, group):
    denied = api(editor).patch(group_url(group), {"city": "Tarnów"}, format="json")
    allowed = api(owner).patch(group_url(group), {"city": "Tarnów"}, format="json")

    assert denied.status_code == 403
    assert allowed.status_code == 200
    assert allowed.json()["city"] == "Tarnów"


def test_another_group_is_404(api, other_group_owner, group, owner):
    client = api(other_group_owner)

    assert client.get(group_url(group)).status_code == 404
    assert client.patch(group_url(group), {"city": "X"}, format="json").status_code == 404
    assert client.delete(group_url(group)).status_code == 404
    assert client.get(group_url(group, "members/")).status_code == 404
    assert ApplicantGroup.objects.filter(pk=group.pk).exists()


def test_editor_cannot_delete_the_group(api, owner, editor, group):
    response = api(editor).delete(group_url(group))

    assert response.status_code == 403
    assert ApplicantGroup.objects.filter(pk=group.pk).exists()


def test_owner_deletes_a_group_with_drafts_only(api, owner, group, competition):
    f.ApplicationFactory(group=group, competition=competition)

    assert api(owner).delete(group_url(group)).status_code == 204
    assert not ApplicantGroup.objects.filter(pk=group.pk).exists()


def test_a_group_with_a_submitted_application_stays(api, owner, group, application):
    application_submit(application=application, actor=owner)

    response = api(owner).delete(group_url(group))

    assert response.status_code == 400
    assert ApplicantGroup.objects.filter(pk=group.pk).exists()


class TestMembers:
    def test_list_and_remove(self, api, owner, editor, group):
        client = api(owner)
        members = client.get(group_url(group, "members/")).json()
        assert {m["email"] for m in members} == {owner.email, editor.email}
        editor_membership = GroupMembership.objects.get(user=editor)

        response = client.delete(group_url(group, f"members/{editor_membership.pk}/"))

        assert response.status_code == 204
        assert not GroupMembership.objects.filter(pk=editor_membership.pk).exists()
        # The editor no longer sees the group.
        assert api(editor).get(group_url(group)).status_code == 404

    def test_the_last_owner_stays(self, api, owner, group):
        membership = GroupMembership.objects.get(user=owner)

        response = api(owner).delete(group_url(group, f"members/{membership.pk}/"))

        assert response.status_code == 400
        assert GroupMembership.objects.filter(pk=membership.pk).exists()

    def test_an_editor_removes_only_themselves(self, api, owner, editor, group):
        owner_membership = GroupMembership.objects.get(user=owner)
        own = GroupMembership.objects.get(user=editor)
        client = api(editor)

        assert client.delete(group_url(group, f"members/{owner_membership.pk}/")).status_code == 403
        assert client.delete(group_url(group, f"members/{own.pk}/")).status_code == 204


class TestInvitations:
    def test_invite_and_accept(
        self, api, owner, group, outsider, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = api(owner).post(
                group_url(group, "invitations/"),
                {"email": outsider.email.upper(), "role": "editor"},
                format="json",
            )

        assert response.status_code == 201, response.data
        assert response.json()["email"] == outsider.email
        assert "token" not in response.json()
        assert [m.to for m in mail.outbox] == [[outsider.email]]
        assert len(api(owner).get(group_url(group, "invitations/")).json()) == 1
        token = GroupInvitation.objects.get().token

        accepted = api(outsider).post(f"{GROUPS}invitations/{token}/accept/")

        assert accepted.status_code == 200, accepted.data
        assert accepted.json()["id"] == group.pk
        assert accepted.json()["my_role"] == "editor"
        assert api(outsider).get(group_url(group)).status_code == 200
        again = api(outsider).post(f"{GROUPS}invitations/{token}/accept/")
        assert again.status_code == 400

    def test_editor_may_not_invite(self, api, editor, group):
        response = api(editor).post(
            group_url(group, "invitations/"), {"email": "nowa@example.org"}, format="json"
        )

        assert response.status_code == 403
        assert not GroupInvitation.objects.exists()

    def test_an_invitation_is_for_its_address_only(self, api, owner, group, outsider):
        api(owner).post(
            group_url(group, "invitations/"), {"email": "ktos@example.org"}, format="json"
        )
        token = GroupInvitation.objects.get().token

        response = api(outsider).post(f"{GROUPS}invitations/{token}/accept/")

        assert response.status_code == 403
        assert not GroupMembership.objects.filter(user=outsider).exists()

    def test_bad_invitation_input(self, api, owner, group):
        client = api(owner)

        bad_email = client.post(group_url(group, "invitations/"), {"email": "nie"}, format="json")
        bad_role = client.post(
            group_url(group, "invitations/"),
            {"email": "a@example.org", "role": "king"},
            format="json",
        )
        unknown = client.post(f"{GROUPS}invitations/00000000-0000-0000-0000-000000000000/accept/")

        assert bad_email.status_code == 400
        assert "email" in bad_email.json()
        assert bad_role.status_code == 400
        assert "role" in bad_role.json()
        assert unknown.status_code == 400


class TestInformalMembers:
    def test_add_list_remove(self, api, owner, editor, group):
        client = api(owner)
        url = group_url(group, "informal-members/")
        refused = client.post(url, {"full_name": "Jan Kowalski", "is_adult": True}, format="json")
        assert refused.status_code == 400  # a registered NGO lists no informal members
        group.kind, group.krs, group.patron_name = "informal", "", "Fundacja Patron"
        group.save()

        created = client.post(
            url, {"full_name": "Jan Kowalski", "city": "Zalesie", "is_adult": True}, format="json"
        )
        assert created.status_code == 201, created.data
        assert [m["full_name"] for m in api(editor).get(url).json()] == ["Jan Kowalski"]
        by_editor = api(editor).post(url, {"full_name": "Ktoś", "is_adult": True}, format="json")
        assert by_editor.status_code == 403
        assert client.post(url, {"city": "X"}, format="json").status_code == 400

        assert client.delete(f"{url}{created.json()['id']}/").status_code == 204
        assert client.get(url).json() == []
