import pytest
from django.urls import reverse

from competitions.models import Competition
from competitions.services import competition_archive
from core.errors import NotPermitted, RuleViolation, WrongState
from payouts.models import Grant
from payouts.services import grant_decline
from payouts.tests.factories import make_grant


@pytest.fixture
def decided(competition):
    Competition.objects.filter(pk=competition.pk).update(status=Competition.Status.DECIDED)
    competition.refresh_from_db()
    return competition


def test_archiving_waits_for_every_grant(competition, group, owner, official):
    grant = make_grant(competition=competition, group=group, owner=owner)
    Competition.objects.filter(pk=competition.pk).update(status=Competition.Status.DECIDED)
    decided = Competition.objects.get(pk=competition.pk)
    with pytest.raises(RuleViolation):
        competition_archive(competition=decided, actor=official)
    decided.refresh_from_db()
    assert decided.status == Competition.Status.DECIDED

    grant_decline(grant=grant, actor=owner, comment="Rezygnujemy")
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.DECLINED
    archived = competition_archive(competition=decided, actor=official, comment="Teczka zamknięta")
    assert archived.status == Competition.Status.ARCHIVED


def test_only_a_decided_competition_of_ones_own_operator(competition, official, other_official):
    with pytest.raises(WrongState):
        competition_archive(competition=competition, actor=official)
    with pytest.raises(NotPermitted):
        competition_archive(competition=competition, actor=other_official)


def test_archive_over_the_api_and_the_page(decided, official, other_official, api, client):
    assert (
        api(other_official)
        .post(f"/api/v1/competitions/{decided.pk}/transitions/archive/", {}, format="json")
        .status_code
        == 403  # public, so visible to them, and refused
    )
    client.force_login(official)
    listing = client.get(reverse("official-competitions")).content.decode()
    assert reverse("competition-archive", args=[decided.pk]) in listing
    response = client.post(reverse("competition-archive", args=[decided.pk]))
    assert response.status_code == 302
    decided.refresh_from_db()
    assert decided.status == Competition.Status.ARCHIVED
    again = api(official).post(
        f"/api/v1/competitions/{decided.pk}/transitions/archive/", {}, format="json"
    )
    assert again.status_code == 409
