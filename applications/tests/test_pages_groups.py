"""My groups: creating, editing, members, invitations, deleting."""

import pytest
from django.urls import reverse

from applications.models import ApplicantGroup, GroupInvitation, GroupMembership
from applications.services import application_submit, group_invite
from tests import factories as f


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def group_data(**overrides):
    data = {
        "name": "Stowarzyszenie Nowe",
        "kind": "ngo",
        "krs": "0000123456",
        "nip": "",
        "regon": "",
        "city": "Kraków",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
    }
    data.update(overrides)
    return data


def test_create_an_ngo(client, outsider):
    client.force_login(outsider)
    response = client.post(reverse("group-create"), group_data(nip="526-000-12-46"))
    group = ApplicantGroup.objects.get(name="Stowarzyszenie Nowe")
    assert response.url == reverse("group-detail", args=[group.pk])
    assert group.nip == "5260001246"
    assert group.memberships.get().user == outsider
    assert group.memberships.get().role == "owner"


def test_identifier_errors_come_back_on_their_fields(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("group-create"), group_data(nip="1234567890", regon="123", krs="")
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "To nie jest prawidłowy NIP." in text
    assert "To nie jest prawidłowy REGON." in text
    assert 'href="#id_nip"' in text
    assert not ApplicantGroup.objects.filter(name="Stowarzyszenie Nowe").exists()


def test_an_ngo_needs_its_krs(client, outsider):
    client.force_login(outsider)
    response = client.post(reverse("group-create"), group_data(krs=""))
    assert "Zarejestrowana organizacja musi podać numer KRS." in response.content.decode()
    assert 'href="#id_krs"' in response.content.decode()


def test_create_an_informal_group_with_its_members(client, outsider):
    client.force_login(outsider)
    data = group_data(
        name="Sąsiedzi z Zabłocia",
        kind="informal",
        krs="",
        patron_name="Fundacja Patron",
        **{
            "members-0-full_name": "Anna Nowak",
            "members-0-is_adult": "on",
            "members-1-full_name": "Jan Kowalski",
            "members-1-city": "Kraków",
            "members-1-is_adult": "on",
            "members-2-full_name": "",
        },
    )
    response = client.post(reverse("group-create"), data)
    assert response.status_code == 302
    group = ApplicantGroup.objects.get(name="Sąsiedzi z Zabłocia")
    members = {m.full_name: m.is_adult for m in group.informal_members.all()}
    assert members == {"Anna Nowak": True, "Jan Kowalski": True}


def test_a_member_row_without_a_name_is_refused(client, outsider):
    client.force_login(outsider)
    data = group_data(
        kind="informal", krs="", patron_name="Fundacja", **{"members-0-city": "Kraków"}
    )
    response = client.post(reverse("group-create"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Podaj imię i nazwisko członka grupy." in text
    assert 'href="#id_members-0-full_name"' in text
    assert not ApplicantGroup.objects.filter(name="Stowarzyszenie Nowe").exists()


def test_owner_edits_the_group(owner_client, group):
    response = owner_client.post(
        reverse("group-edit", args=[group.pk]), group_data(name="Nowa nazwa", city="Tarnów")
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.city) == ("Nowa nazwa", "Tarnów")


def test_editor_cannot_delete_the_group_and_sees_no_button(client, editor, owner, group):
    client.force_login(editor)
    detail = client.get(reverse("group-detail", args=[group.pk])).content.decode()
    assert reverse("group-delete", args=[group.pk]) not in detail
    assert reverse("group-edit", args=[group.pk]) not in detail

    assert client.get(reverse("group-delete", args=[group.pk])).status_code == 403
    assert client.post(reverse("group-delete", args=[group.pk])).status_code == 403
    assert client.post(reverse("group-edit", args=[group.pk]), group_data()).status_code == 403
    assert ApplicantGroup.objects.filter(pk=group.pk).exists()

    client.force_login(owner)
    detail = client.get(reverse("group-detail", args=[group.pk])).content.decode()
    assert reverse("group-delete", args=[group.pk]) in detail


def test_owner_deletes_a_group_without_submitted_applications(owner_client, group):
    assert "Usunąć" in owner_client.get(reverse("group-delete", args=[group.pk])).content.decode()
    response = owner_client.post(reverse("group-delete", args=[group.pk]), follow=True)
    assert "Usunięto grupę" in response.content.decode()
    assert not ApplicantGroup.objects.filter(pk=group.pk).exists()


def test_a_group_with_a_submitted_application_stays(owner_client, application, owner, group):
    application_submit(application=application, actor=owner)
    response = owner_client.post(reverse("group-delete", args=[group.pk]), follow=True)
    assert "nie można usunąć" in response.content.decode()
    assert ApplicantGroup.objects.filter(pk=group.pk).exists()


def test_another_group_is_not_found(client, other_group_owner, group, owner):
    client.force_login(other_group_owner)
    membership = group.memberships.get(user=owner)
    for method, url in [
        ("get", reverse("group-detail", args=[group.pk])),
        ("get", reverse("group-edit", args=[group.pk])),
        ("get", reverse("group-delete", args=[group.pk])),
        ("post", reverse("group-delete", args=[group.pk])),
        ("post", reverse("group-invite", args=[group.pk])),
        ("post", reverse("group-member-remove", args=[group.pk, membership.pk])),
        ("post", reverse("informal-member-add", args=[group.pk])),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    assert group.memberships.filter(user=owner).exists()


def test_invite_and_accept(
    owner_client, client, group, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("group-invite", args=[group.pk]),
            {"invite-email": "Nowy@Example.org", "invite-role": "editor"},
            follow=True,
        )
    assert "Wysłano zaproszenie na adres nowy@example.org." in response.content.decode()
    invitation = GroupInvitation.objects.get(group=group)
    assert len(mailoutbox) == 1
    assert reverse("invitation-accept", args=[invitation.token]) in mailoutbox[0].body

    newcomer = f.UserFactory(email="nowy@example.org")
    client.force_login(newcomer)
    url = reverse("invitation-accept", args=[invitation.token])
    assert "Przyjmij zaproszenie" in client.get(url).content.decode()
    response = client.post(url)
    assert response.url == reverse("group-detail", args=[group.pk])
    assert GroupMembership.objects.get(group=group, user=newcomer).role == "editor"


def test_an_invitation_for_another_address_is_refused(client, group, owner, outsider):
    invitation = group_invite(group=group, actor=owner, email="ktos@example.org", role="editor")
    client.force_login(outsider)
    response = client.post(reverse("invitation-accept", args=[invitation.token]))
    assert response.status_code == 403
    assert "inny adres e-mail" in response.content.decode()
    assert not GroupMembership.objects.filter(group=group, user=outsider).exists()


def test_invitation_page_asks_anonymous_to_log_in(client, group, owner):
    invitation = group_invite(group=group, actor=owner, email="ktos@example.org", role="editor")
    response = client.get(reverse("invitation-accept", args=[invitation.token]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_invalid_invitation_email_is_shown_on_the_field(owner_client, group):
    response = owner_client.post(
        reverse("group-invite", args=[group.pk]),
        {"invite-email": "nie-adres", "invite-role": "editor"},
    )
    assert 'href="#id_invite-email"' in response.content.decode()
    assert not GroupInvitation.objects.exists()


def test_owner_removes_a_member_and_an_editor_may_leave(client, owner, editor, group):
    client.force_login(editor)
    owners_membership = group.memberships.get(user=owner)
    assert (
        client.post(
            reverse("group-member-remove", args=[group.pk, owners_membership.pk])
        ).status_code
        == 403
    )
    editors_membership = group.memberships.get(user=editor)
    response = client.post(reverse("group-member-remove", args=[group.pk, editors_membership.pk]))
    assert response.url == reverse("group-list")
    assert not group.memberships.filter(user=editor).exists()


def test_the_last_owner_cannot_leave(owner_client, owner, group):
    membership = group.memberships.get(user=owner)
    response = owner_client.post(
        reverse("group-member-remove", args=[group.pk, membership.pk]), follow=True
    )
    assert "Grupa musi mieć co najmniej jednego właściciela." in response.content.decode()
    assert group.memberships.filter(user=owner).exists()


def test_informal_members_are_added_and_removed(owner_client, group):
    group.kind = "informal"
    group.save()
    response = owner_client.post(
        reverse("informal-member-add", args=[group.pk]),
        {"member-full_name": "Ewa Zielińska", "member-is_adult": "on"},
    )
    assert response.status_code == 302
    member = group.informal_members.get()
    assert member.is_adult
    owner_client.post(reverse("informal-member-remove", args=[group.pk, member.pk]))
    assert not group.informal_members.exists()


def test_my_groups_lists_my_role(client, editor, group):
    client.force_login(editor)
    text = client.get(reverse("group-list")).content.decode()
    assert group.name in text
    assert "redaktor" in text
